"""Personal data never leaves unmasked: not to the model, not into the store, Prefect or logs."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from compliance.gateway.calls import ModelRequest
from compliance.gateway.routes import simulator_route
from compliance.masking import MaskingError
from compliance.masking.policy import MaskedTextPolicy
from flows.context import app_context
from flows.nightly.flow import run_nightly
from flows.results import document_results, reidentified_results
from flows.runtime import Runtime
from flows.settings import Settings
from storage.engine import transaction
from storage.models import Document, StepResult
from tests.simulated import Capture, SimulatorFactory, ingest_samples


def planted(records: list[dict[str, Any]]) -> set[str]:
    values: set[str] = set()
    for record in records:
        for span in record["labels"]["pii"]:
            values.add(span["value"])
            digits = re.sub(r"\D", "", span["value"])
            if len(digits) >= 7:
                values.add(digits)
    return {v for v in values if len(v) >= 4}


NUMBER_RUN = re.compile(r"\+?\d(?:[\d\s\-().]{0,3}\d)*")


def found_in(data: bytes, values: set[str]) -> list[str]:
    """Values found as written, and digit values inside any number written with separators."""
    text = data.decode("utf-8", "replace")
    runs = [re.sub(r"\D", "", m.group()) for m in NUMBER_RUN.finditer(text)]

    def written(value: str) -> bool:  # as a whole word: "Mark" is not in "Marked"
        return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None

    return sorted(
        v for v in values if written(v) or (v.isdigit() and any(v in run for run in runs))
    )


async def test_a_nightly_run_sends_and_stores_no_planted_value(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sim = simulator(seed=31)
    settings = wired_home(sim.url)
    records = ingest_samples(settings, 40, seed=32, tmp_path=tmp_path)
    capture = Capture()
    runtime = Runtime.open(settings, transport=capture)
    try:
        summary = await run_nightly(runtime, window_end="none")
    finally:
        await runtime.aclose()

    values = planted(records)
    assert summary["documents_done"] + summary["documents_review"] == 40
    assert summary["refused"] == 0
    assert len(capture.bodies) == summary["calls"] > 0
    assert b"[PERSON_1]" in b"".join(capture.bodies)
    # Bodies are JSON with \u escapes: compare on the decoded text, as the provider reads it.
    sent = "\n".join(json.dumps(json.loads(b), ensure_ascii=False) for b in capture.bodies)
    assert re.search("[а-яА-Я]", sent)
    assert found_in(sent.encode(), values) == []
    assert found_in(caplog.text.encode(), values) == []
    database = settings.sqlite_file
    if database is not None:
        stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        assert [v for v in values if v.encode() in stored] == []


async def test_drafts_come_back_with_real_values_only_when_revealed(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=33)
    settings = wired_home(sim.url)
    ingest_samples(settings, 6, seed=34, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    try:
        await run_nightly(runtime, window_end="none")
        with transaction(runtime.app.sessions) as session:
            document = session.scalars(select(Document)).first()
            assert document is not None
            results = document_results(
                session, runtime.app.keyring, document, runtime.versions(("extract",))
            )
            results["extract"]["output"]["customer_name"] = "[PERSON_1] and [PERSON_99]"
            revealed, unknown = reidentified_results(
                session, runtime.app.keyring, document, results
            )
    finally:
        await runtime.aclose()

    name = revealed["extract"]["output"]["customer_name"]
    assert "[PERSON_1]" not in name and name.endswith(" and [PERSON_99]")
    assert unknown == ["[PERSON_99]"]
    assert results["extract"]["output"]["customer_name"].startswith("[PERSON_1]")


class BrokenMasker:
    """The analyzer raises on every document (fault injection at the masking seam)."""

    version = "mask.broken"

    def mask(self, parts: Mapping[str, str], *, sender_name: str | None = None) -> Any:
        raise MaskingError("analyzer failed on part body (RuntimeError)", part="body")

    def mask_many(self, items: Sequence[Any], workers: int = 1) -> Any:
        raise MaskingError("analyzer failed (RuntimeError)", document_index=0)

    def close(self) -> None:
        pass


async def test_a_document_that_cannot_be_masked_is_never_sent_and_goes_to_review(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=35)
    settings = wired_home(sim.url)
    ingest_samples(settings, 5, seed=36, tmp_path=tmp_path)
    runtime = Runtime.open(settings)
    runtime._masker = BrokenMasker()  # type: ignore[assignment]
    try:
        summary = await run_nightly(runtime, window_end="none")
    finally:
        await runtime.aclose()

    assert sim.total() == 0 and summary["calls"] == 0
    assert summary["documents_review"] == 5
    assert summary["review_reasons"] == {"masking_failed": 15}
    with app_context(settings) as ctx, transaction(ctx.sessions) as session:
        assert {r.reason for r in session.scalars(select(StepResult))} == {"masking_failed"}


async def test_the_gateway_refuses_unmasked_requests_and_residual_identifiers() -> None:
    policy, route = MaskedTextPolicy(), simulator_route()
    plain = ModelRequest("extract", "v1", ({"role": "user", "content": "hello"},))
    leaky = ModelRequest(
        "extract", "v1", ({"role": "user", "content": "ИИН 900101300126, [PERSON_1]"},), masked=True
    )
    clean = ModelRequest("extract", "v1", ({"role": "user", "content": "[KZ_IIN_1]"},), masked=True)

    assert (await policy.check(plain, "default", route) or "").startswith("unmasked")
    reason = await policy.check(leaky, "default", route)
    assert reason is not None and "KZ_IIN=1" in reason and "900101300126" not in reason
    assert await policy.check(clean, "default", route) is None


async def test_remembered_system_verdicts_are_the_same_verdicts() -> None:
    policy, route = MaskedTextPolicy(system_cache=2), simulator_route()

    def request(system: str, user: str = "[PERSON_1]") -> ModelRequest:
        messages = ({"role": "system", "content": system}, {"role": "user", "content": user})
        return ModelRequest("extract", "v1", messages, masked=True)

    leaky_system = "Клиент: ИИН 900101300126"
    for _ in range(3):  # first scanned, then remembered: refused every time
        reason = await policy.check(request(leaky_system), "default", route)
        assert reason is not None and "KZ_IIN=1" in reason
    assert await policy.check(request("Извлеки поля."), "default", route) is None
    # a clean, remembered system message never hides what the user message carries
    reason = await policy.check(request("Извлеки поля.", "ИИН 900101300126"), "default", route)
    assert reason is not None and "KZ_IIN=1" in reason
    # evicted (cache of 2) and checked again: still refused
    for other in ("a", "b", "c"):
        assert await policy.check(request(other), "default", route) is None
    assert await policy.check(request(leaky_system), "default", route) is not None
