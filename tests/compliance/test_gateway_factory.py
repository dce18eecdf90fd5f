"""A gateway cannot be built unguarded (DESIGN 11): masking, residency, limits and the audit log
are four required guards, checked by type and at run time; the factory wires them in order."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.observer import AuditObserver
from compliance.errors import MissingGuard
from compliance.gateway.calls import ModelRequest, Outcome
from compliance.gateway.factory import Guards, build_gateway
from compliance.gateway.gateway import Gateway
from compliance.gateway.residency_policy import ResidencyPolicy
from compliance.keys.limits import KeyLimiter
from compliance.masking.policy import MaskedTextPolicy
from compliance.residency import ResidencyConfig
from tests.compliance.test_audit_helpers import all_entries, make_log
from tests.compliance.test_audit_observer import REQUEST, ROUTES, Provider, completion

KEYS = {name: "sk-test" for name in ROUTES}
MASKED = ModelRequest(
    step="categorize",
    prompt_version="categorize.v1",
    messages=({"role": "user", "content": "Письмо от [PERSON_1] о платеже."},),
    masked=True,
    masked_counts={"PERSON": 1},
)


def guards(sessions: sessionmaker[Session], tmp_path: Path) -> dict[str, Any]:
    return {
        "residency": ResidencyPolicy(ResidencyConfig()),
        "masking": MaskedTextPolicy(),
        "limits": KeyLimiter(sessions),
        "audit": AuditObserver(make_log(sessions, tmp_path / "keys"), ROUTES),
    }


@pytest.mark.parametrize(
    ("left_out", "named"),
    [
        ("masking", "masking (MaskedTextPolicy)"),
        ("residency", "residency (ResidencyPolicy)"),
        ("limits", "limits (KeyLimiter)"),
        ("audit", "the audit log (AuditObserver)"),
    ],
)
def test_guards_without_one_of_the_four_are_refused_naming_what_is_missing(
    sessions: sessionmaker[Session], tmp_path: Path, left_out: str, named: str
) -> None:
    parts = guards(sessions, tmp_path) | {left_out: None}
    with pytest.raises(MissingGuard, match=r"cannot be built without") as refused:
        Guards(**parts)
    assert refused.value.missing == [named]


def test_a_guard_of_the_wrong_type_is_refused_like_a_missing_one(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    parts = guards(sessions, tmp_path)
    parts["masking"], parts["audit"] = parts["residency"], object()
    with pytest.raises(MissingGuard) as refused:
        Guards(**parts)
    assert refused.value.missing == ["masking (MaskedTextPolicy)", "the audit log (AuditObserver)"]


def test_a_gateway_is_not_built_from_anything_but_guards() -> None:
    policies: Any = [MaskedTextPolicy()]
    with pytest.raises(TypeError, match="build_gateway"):
        Gateway(ROUTES, KEYS, policies)


async def test_guards_that_were_changed_afterwards_are_checked_again_by_the_gateway(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    built = Guards(**guards(sessions, tmp_path))
    object.__setattr__(built, "limits", None)
    with pytest.raises(MissingGuard, match=r"limits \(KeyLimiter\)"):
        Gateway(ROUTES, KEYS, built)


async def test_the_factory_gateway_refuses_unmasked_text_and_audits_it_sending_nothing(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    provider = Provider(httpx2.Response(200, json=completion()))
    gateway = build_gateway(
        ROUTES, KEYS, sessions=sessions, audit=make_log(sessions, tmp_path / "keys"),
        residency=ResidencyConfig(), timezone=UTC, transport=httpx2.MockTransport(provider),
    )  # fmt: skip
    async with gateway as gw:
        unmasked = await gw.call(REQUEST, "home")  # REQUEST.masked is False
        abroad = await gw.call(MASKED, "abroad")
        sent = await gw.call(MASKED, "home")

    logged = [json.loads(data) for data in all_entries(engine)]
    assert (unmasked.outcome, abroad.outcome, sent.outcome) == (
        Outcome.REFUSED, Outcome.REFUSED, Outcome.OK
    )  # fmt: skip
    assert len(provider.bodies) == 1 and b"[PERSON_1]" in provider.bodies[0]
    assert [(e["kind"], e["outcome"], e["detail"]) for e in logged] == [
        ("outcome", "refused", "unmasked: the request was not built from masked text"),
        ("outcome", "refused", "residency:DE"),
        ("intent", "pending", None),
        ("outcome", "ok", None),
    ]


async def test_a_policy_added_later_runs_after_the_guards_and_cannot_replace_them(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    class Never:
        async def check(self, *_: object) -> str:
            return "test:never"

    provider = Provider(httpx2.Response(200, json=completion()))
    gateway = build_gateway(
        ROUTES, KEYS, sessions=sessions, audit=make_log(sessions, tmp_path / "keys"),
        residency=ResidencyConfig(), timezone=UTC, transport=httpx2.MockTransport(provider),
    )  # fmt: skip
    gateway.add_policy(Never())
    async with gateway as gw:
        first = await gw.call(REQUEST, "abroad")
        second = await gw.call(MASKED, "home")

    assert [first.attempts[0].detail, second.attempts[0].detail] == ["residency:DE", "test:never"]
    assert provider.bodies == [] and len(list(all_entries(engine))) == 2
