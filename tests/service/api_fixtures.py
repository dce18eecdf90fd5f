"""Fixtures of the HTTP API tests: an app on a real migrated database, wired to the simulator
through a transport that keeps every request body that left the process, and one key per role.

The masker is loaded once per session (seconds per load) and handed to every app's runtime
through ``Masker.load``: the real masker, not a stand-in.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from compliance.keys.callers import CallerKeys, DocumentScope, KeyLimits, Role
from compliance.masking import Masker
from flows.context import app_context
from flows.settings import Settings
from service.api.app import create_app
from storage.engine import transaction
from storage.models import Document, StepResult
from tests.simulated import Capture, Simulator, SimulatorFactory

#: Personal data planted in the requests of these tests (searched for in what leaves).
PLANTED_NAME = "Айгерим Жумабаева"
PLANTED_PHONE = "+7 701 234 56 78"
PLANTED_EMAIL = "aigerim.zh@example.kz"
PLANTED = (PLANTED_NAME, "Жумабаева", PLANTED_PHONE, "7012345678", PLANTED_EMAIL)


@pytest.fixture(scope="session")
def shared_masker() -> Iterator[Masker]:
    masker = Masker.load()
    yield masker
    masker.close()


@pytest.fixture
def reuse_masker(shared_masker: Masker, monkeypatch: pytest.MonkeyPatch) -> Masker:
    monkeypatch.setattr(Masker, "load", classmethod(lambda cls, **_: shared_masker))
    return shared_masker


@dataclass
class Api:
    client: TestClient
    settings: Settings
    simulator: Simulator
    capture: Capture
    #: Secrets by who holds them: client, auditor, admin, revoked (a revoked client key).
    secrets: dict[str, str] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        """Headers for ``who``: a holder above, ``none`` (no header) or ``bad`` (a wrong key)."""
        if who == "none":
            return {}
        if who == "bad":
            return {"Authorization": "Bearer ns_000000000000_not-a-key"}
        return {"Authorization": f"Bearer {self.secrets[who]}"}

    def add_key(
        self,
        name: str,
        role: Role,
        limits: KeyLimits,
        document_scope: DocumentScope = DocumentScope.OWN,
    ) -> str:
        with app_context(self.settings) as ctx:
            caller, secret = CallerKeys.open(ctx.sessions, self.settings.keys_dir).create(
                name, role, limits, document_scope
            )
        self.secrets[name], self.key_ids[name] = secret, caller.key_id
        return secret


def make_keys(api: Api) -> None:
    for who, role in (("client", Role.CLIENT), ("auditor", Role.AUDITOR), ("admin", Role.ADMIN)):
        api.add_key(who, role, KeyLimits())
    api.add_key("revoked", Role.CLIENT, KeyLimits())
    with app_context(api.settings) as ctx:
        CallerKeys.open(ctx.sessions, api.settings.keys_dir).revoke("revoked")


@pytest.fixture
def api_factory(
    simulator: SimulatorFactory,
    wired_home: Callable[..., Settings],
    reuse_masker: Masker,
) -> Iterator[Callable[..., Api]]:
    """Start an API with a key per role; ``extra`` TOML goes into the home's configuration,
    with ``{url}`` replaced by the simulator's URL."""
    stack: list[TestClient] = []

    def start(*, extra: str = "", seed: int = 5, **options: object) -> Api:
        sim = simulator(seed=seed, **options)
        settings = wired_home(sim.url, extra=extra.replace("{url}", sim.url))
        if "mask_workers" not in extra:
            # One masker per test session, in-process: a server's automatic masking processes
            # (two, ~2 s each to start) would start for every app. test_api_documents checks
            # the server's processes once.
            privacy = settings.privacy.model_copy(update={"mask_workers": 1})
            settings = settings.model_copy(update={"privacy": privacy})
        capture = Capture()
        client = TestClient(create_app(settings, transport=capture))
        client.__enter__()
        stack.append(client)
        api = Api(client, settings, sim, capture)
        make_keys(api)
        return api

    yield start
    for client in reversed(stack):
        client.__exit__(None, None, None)


@pytest.fixture
def api(api_factory: Callable[..., Api]) -> Api:
    return api_factory()


def document(external_id: str = "t-1") -> dict[str, object]:
    """A complaint in the ingest shape, carrying every planted value."""
    return {
        "external_id": external_id,
        "subject": "Двойное списание",
        "from": f"{PLANTED_NAME} <{PLANTED_EMAIL}>",
        "body": (
            f"Здравствуйте! Меня зовут {PLANTED_NAME}. С карты дважды списали 5000 тенге, "
            f"верните деньги. Телефон {PLANTED_PHONE}, почта {PLANTED_EMAIL}."
        ),
    }


def leaked(text: str) -> list[str]:
    """Planted values written in ``text`` as whole words ("Жумабаева" is not in "Жумабаевой")."""
    return [v for v in PLANTED if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text)]


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` under uvicorn on a free loopback port in a thread (lifespan on); yields its URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, ws="none", http="h11")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


__all__ = [
    "PLANTED",
    "Api",
    "Capture",
    "api",
    "api_factory",
    "document",
    "leaked",
    "reuse_masker",
    "served",
    "shared_masker",
]


def put_in_review(api: Api, document_id: int, step: str, *, drop_output: bool = False) -> int:
    """A person must look at this step (as a failed quality gate would leave it)."""
    values: dict[str, Any] = {"status": "review", "reason": "low_confidence:0.41"}
    if drop_output:
        values.update(output=None, reason="masking_failed")
    with app_context(api.settings) as ctx, transaction(ctx.sessions) as session:
        item = session.scalars(
            update(StepResult)
            .where(StepResult.document_id == document_id, StepResult.step == step)
            .values(**values)
            .returning(StepResult.id)
        ).one()
        session.execute(update(Document).where(Document.id == document_id).values(status="review"))
    return int(item)
