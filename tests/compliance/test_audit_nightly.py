"""Must show: after a nightly run against the simulator, the log holds an intent and an outcome
per request the simulator received plus one entry per refused attempt, lists each attempt once,
and it verifies.

The runtime is wired the way ``flows/runtime.py`` is asked to wire it (observer on the gateway,
a checkpoint at the end of the run); a policy refuses the draft step of every third document so
refusals are part of the run, and the simulator fails some calls so retries are too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from compliance.audit.keys import AuditKeys
from compliance.audit.verify import verify_log
from compliance.gateway.calls import ModelRequest
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.routes import RouteConfig
from flows.nightly.flow import run_nightly
from flows.runtime import Runtime
from flows.settings import Settings
from service.api.audit_queries import find_attempts
from storage.repositories.audit import EntryFilter
from tests.compliance.test_audit_helpers import all_entries
from tests.simulated import SimulatorFactory, ingest_samples

FAST_RETRY = RetryPolicy(max_attempts=4, content_retries=1, base_delay_s=0.01, max_delay_s=0.05)


class RefuseSomeDrafts:
    """Refuses the draft of every third document (as masking or residency would)."""

    def __init__(self) -> None:
        self.refused = 0

    async def check(self, request: ModelRequest, route_name: str, route: RouteConfig) -> str | None:
        if request.step == "draft" and (request.document_id or 0) % 3 == 0:
            self.refused += 1
            return "test policy: refused"
        return None


async def test_a_nightly_run_logs_every_request_and_every_refusal_and_verifies(
    simulator: SimulatorFactory, wired_home: Callable[..., Settings], tmp_path: Path
) -> None:
    sim = simulator(seed=21, fail_rate=0.1)
    settings = wired_home(sim.url)
    ingest_samples(settings, 24, seed=22, tmp_path=tmp_path)
    runtime = Runtime.open(settings, retry=FAST_RETRY)
    policy = RefuseSomeDrafts()
    runtime.gateway.add_policy(policy)
    try:
        summary = await run_nightly(runtime, window_end="none")
        report = verify_log(runtime.app.sessions, AuditKeys.load(settings.keys_dir).verifiers)
        logged = [json.loads(data) for data in all_entries(runtime.app.engine)]
        attempts = find_attempts(runtime.app.sessions, EntryFilter(), None)
    finally:
        await runtime.aclose()

    intents = [e for e in logged if e["kind"] == "intent"]
    outcomes = [e["outcome"] for e in logged if e["kind"] == "outcome"]
    assert policy.refused > 0 and "server_error" in outcomes
    assert len(intents) == sim.total()
    assert len(outcomes) == sim.total() + policy.refused
    assert len(attempts) == sim.total() + policy.refused
    assert [a["outcome"] for a in attempts].count("refused") == policy.refused
    assert "unknown" not in {a["outcome"] for a in attempts}
    assert {e["run_id"] for e in logged} == {summary["run_id"]}
    assert report.ok and report.unknown_outcomes == 0, report
    assert report.tree_size == len(logged) == summary["audit_tree_size"]
