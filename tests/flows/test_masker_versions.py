"""A masker-version bump: what is processed next is masked by the new masker, and every output
is re-identified with the map of the version it was made with (DESIGN 12)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from compliance.errors import EncryptionError
from compliance.keys.encryption import KeyRing
from compliance.keys.vault import VaultRecord, seal_record
from compliance.masking import Masker
from flows.masker_versions import open_entry
from flows.nightly.flow import run_nightly
from flows.online.flow import process_online
from flows.runtime import Runtime
from flows.settings import Settings
from storage.models import VaultEntry
from tests.flows.masker_bump import (
    BUMPED,
    BumpedMasker,
    add_entry,
    drop_vault,
    forget_masker_versions,
    revealed,
    store,
    stored_versions,
    two_people,
)
from tests.simulated import Capture, SimulatorFactory

AIGERIM, AIGERIM_MAIL, ERZHAN = "Айгерим Жумабаева", "aigerim.zh@example.kz", "Ержан Ахметов"
DANA, DANA_MAIL, MARAT = "Дана Сейткали", "dana.s@example.kz", "Марат Оспанов"


@pytest.fixture(scope="module")
def masker() -> Iterator[Masker]:
    loaded = Masker.load()
    yield loaded
    loaded.close()


def opened(settings: Settings, masker: Masker, capture: Capture) -> Runtime:
    runtime = Runtime.open(settings, transport=capture)
    runtime._masker = masker
    return runtime


def bumped(
    settings: Settings, masker: Masker, capture: Capture, monkeypatch: pytest.MonkeyPatch
) -> Runtime:
    """The next release's process: ``Masker.version`` is mask.v3, and its masker numbers the
    placeholders of a document differently."""
    monkeypatch.setattr(Masker, "version", BUMPED)
    runtime = Runtime.open(settings, transport=capture)
    runtime._masker = BumpedMasker(masker)  # type: ignore[assignment]
    return runtime


def draft_prompts(capture: Capture) -> list[str]:
    return [body for body in capture.sent_text().splitlines() if '"draft_v1"' in body]


async def test_after_a_bump_old_outputs_keep_their_map_and_new_documents_get_the_new_one(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    masker: Masker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = wired_home(simulator(seed=41).url)
    before, after = Capture(), Capture()
    runtime = opened(settings, masker, before)
    try:
        old = store(runtime, two_people("a-1", AIGERIM, AIGERIM_MAIL, ERZHAN))
        await process_online(runtime, old, ["extract", "categorize"])
        first = revealed(runtime, old)
    finally:
        await runtime.aclose()
    runtime = bumped(settings, masker, after, monkeypatch)
    try:
        new = store(runtime, two_people("b-1", DANA, DANA_MAIL, MARAT))
        fresh = await process_online(runtime, new)
        finished = await process_online(runtime, old)  # its draft, a step it had not run
        shown_old, shown_new = revealed(runtime, old), revealed(runtime, new)
        vault, rows = stored_versions(runtime)
    finally:
        await runtime.aclose()

    assert first["extract"]["customer_name"] == AIGERIM
    assert fresh.steps["extract"].output is not None
    assert fresh.steps["extract"].output["customer_name"] == "[PERSON_2]"  # v2 numbers it so
    assert shown_new["extract"]["customer_name"] == DANA
    assert shown_old["extract"]["customer_name"] == AIGERIM  # not ERZHAN: v1's map, not v2's
    assert ERZHAN not in str(shown_old["draft"]) and shown_old["unknown"] == []
    assert finished.steps["draft"].masker_version == "mask.v2"
    assert vault == {(old, "mask.v2"), (new, BUMPED)}
    assert rows == {(old, s, "mask.v2") for s in ("extract", "categorize", "draft")} | {
        (new, s, BUMPED) for s in ("extract", "categorize", "draft")
    }
    # The old document's draft saw v1's text and v1's extract output: one placeholder space.
    (prompt,) = draft_prompts(after)[-1:]
    assert '"customer_name": "[PERSON_1]"' in prompt.replace('\\"', '"')
    assert "Sender: [PERSON_1]" in prompt and "Меня зовут [PERSON_1]." in prompt
    assert "[PERSON_2] обещал" in prompt


async def test_a_nightly_run_after_a_bump_finishes_half_done_documents_with_their_own_map(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    masker: Masker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = wired_home(simulator(seed=42).url)
    before, after = Capture(), Capture()
    runtime = opened(settings, masker, before)
    try:
        half = store(runtime, two_people("a-2", AIGERIM, AIGERIM_MAIL, ERZHAN))
        await process_online(runtime, half, ["extract", "categorize"])
    finally:
        await runtime.aclose()
    runtime = bumped(settings, masker, after, monkeypatch)
    try:
        new = store(runtime, two_people("b-2", DANA, DANA_MAIL, MARAT))
        summary = await run_nightly(runtime, window_end="none")
        shown_half, shown_new = revealed(runtime, half), revealed(runtime, new)
        assert shown_half["extract"]["customer_name"] == AIGERIM
        vault, rows = stored_versions(runtime)
    finally:
        await runtime.aclose()

    assert summary["calls"] == len(after.bodies) == 4  # the half-done draft; three for the new
    assert ERZHAN not in str(shown_half["draft"]) and shown_half["unknown"] == []
    assert shown_new["extract"]["customer_name"] == DANA and shown_new["unknown"] == []
    assert vault == {(half, "mask.v2"), (new, BUMPED)}
    assert (half, "draft", "mask.v2") in rows and (new, "extract", BUMPED) in rows
    prompt = next(p for p in draft_prompts(after) if "Айгерим" not in p and "[PERSON_1]." in p)
    assert "Sender: [PERSON_1]" in prompt and '\\"customer_name\\": \\"[PERSON_1]\\"' in prompt


async def test_results_from_before_the_migration_use_the_oldest_map_of_their_content(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    masker: Masker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows written before 0009 have no masker version; a later entry of another version for
    the same content does not change what they re-identify to, nor what their draft sees."""
    settings = wired_home(simulator(seed=43).url)
    capture = Capture()
    runtime = opened(settings, masker, capture)
    try:
        old = store(runtime, two_people("a-3", AIGERIM, AIGERIM_MAIL, ERZHAN))
        await process_online(runtime, old, ["extract", "categorize"])
        forget_masker_versions(runtime)
        add_entry(runtime, old, BumpedMasker(masker))
    finally:
        await runtime.aclose()
    runtime = bumped(settings, masker, capture, monkeypatch)
    try:
        result = await process_online(runtime, old)
        shown = revealed(runtime, old)
        vault, rows = stored_versions(runtime)
    finally:
        await runtime.aclose()

    assert shown["extract"]["customer_name"] == AIGERIM and shown["unknown"] == []
    assert result.masker_version == "mask.v2" and result.steps["draft"].output is not None
    assert vault == {(old, "mask.v2"), (old, BUMPED)}
    assert rows == {
        (old, "extract", "None"),
        (old, "categorize", "None"),
        (old, "draft", "mask.v2"),
    }


async def test_a_half_done_document_whose_map_is_gone_is_not_masked_again_by_a_new_version(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    masker: Masker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its finished outputs hold v1's placeholders: a draft on v2's text would mix two maps."""
    settings = wired_home(simulator(seed=44).url)
    capture = Capture()
    runtime = opened(settings, masker, capture)
    try:
        old = store(runtime, two_people("a-4", AIGERIM, AIGERIM_MAIL, ERZHAN))
        await process_online(runtime, old, ["extract", "categorize"])
        drop_vault(runtime)
    finally:
        await runtime.aclose()
    sent = len(capture.bodies)
    runtime = bumped(settings, masker, capture, monkeypatch)
    try:
        result = await process_online(runtime, old)
        shown = revealed(runtime, old)
        vault, _ = stored_versions(runtime)
    finally:
        await runtime.aclose()

    assert len(capture.bodies) == sent  # nothing sent
    assert (result.steps["draft"].status, result.steps["draft"].reason) == (
        "review",
        "masker_version_missing",
    )
    assert vault == set()
    assert shown["extract"]["customer_name"] == "[PERSON_1]" and "[PERSON_1]" in shown["unknown"]


def test_an_entry_opens_with_its_own_row_and_not_once_moved(keyring: KeyRing) -> None:
    key, _ = keyring.new_data_key(b"document:7")
    record = VaultRecord({"body": "[PERSON_1]"}, {"[PERSON_1]": ERZHAN}, {"PERSON": 1}, "mask.v2")
    sealed = seal_record(key, 7, "sha256:c", record)

    def entry(document_id: int, content_hash: str, version: str) -> VaultEntry:
        return VaultEntry(
            document_id=document_id,
            content_hash=content_hash,
            masker_version=version,
            counts={},
            sealed=sealed,
        )

    assert open_entry(key, entry(7, "sha256:c", "mask.v2")) == record
    for moved in (entry(8, "sha256:c", "mask.v2"), entry(7, "sha256:d", "mask.v2")):
        with pytest.raises(EncryptionError):
            open_entry(key, moved)
    with pytest.raises(EncryptionError):
        open_entry(key, entry(7, "sha256:c", "mask.v1"))
