"""The per-process runtime of the flows: database, keys, gateway and prompts, opened once.

One :class:`Runtime` per process and event loop: the gateway's HTTP pool and ``AsyncOpenAI``
clients belong to the loop that created them (DESIGN: never cross event loops).
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx2

from compliance.audit.log import AuditLog
from compliance.gateway.calls import CallPath
from compliance.gateway.factory import build_gateway
from compliance.gateway.gateway import Gateway
from compliance.gateway.pacer import RoutePacer
from compliance.gateway.retry import RetryPolicy
from compliance.gateway.tiers import WindowShare
from compliance.keys.callers import find_key
from compliance.masking import Masker
from flows.context import AppContext, open_context
from flows.online.writes import OnlineWrite, write_online
from flows.prompts import PromptRegistry
from flows.settings import ConfigError, Settings
from flows.steps.base import StepContext
from storage.batching import GroupCommit
from storage.errors import StorageError


class Runtime:
    def __init__(
        self, app: AppContext, gateway: Gateway, registry: PromptRegistry, audit: AuditLog
    ) -> None:
        self.app = app
        self.gateway = gateway
        self.registry = registry
        self.audit = audit
        self._masker: Masker | None = None
        self._masker_lock = threading.Lock()
        #: The caller key nightly runs are charged to (``service_key``); None = no key limits.
        self.service_key_id: str | None = None
        #: Step results and run finishes of the online path (``flows.online.writes``),
        #: committed together when requests overlap.
        self.online_writes: GroupCommit[OnlineWrite, None] = GroupCommit(
            partial(write_online, app.sessions),
            lambda reason: StorageError(f"a step result could not be saved ({reason})"),
            max_batch=256,
            isolate=True,
        )

    def masker(self) -> Masker:
        """The process's masker, loaded on first use (heavy: analyzer and natasha models)."""
        with self._masker_lock:
            if self._masker is None:
                self._masker = Masker.load(public_numbers=self.settings.privacy.public_numbers)
            return self._masker

    @property
    def masker_version(self) -> str:
        """The version of the process's masker (without loading it)."""
        return self._masker.version if self._masker is not None else Masker.version

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        prompts_dir: Path | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> Runtime:
        app = open_context(settings)
        try:
            pacer = RoutePacer(app.sessions, settings.routes)
            api_keys = {name: settings.api_key(name) for name in settings.routes}
            # Every attempt that sends is an audit intent before the request and an outcome
            # after it (refused ones: one entry), durable before call() goes on.
            audit = AuditLog.open(app.sessions, settings.keys_dir)
            # Residency first (a route abroad: refused, or masked text only), then masking
            # (only masked text leaves), then caller-key limits shared through the database.
            gateway = build_gateway(
                settings.routes,
                api_keys,
                sessions=app.sessions,
                audit=audit,
                residency=settings.residency,
                timezone=ZoneInfo(settings.nightly.timezone),
                pacer=pacer,
                retry=retry,
                transport=transport,
                max_connections=max(settings.nightly.concurrency * 2, 16),
            )
            service_key_id = _service_key_id(app, settings)
            registry = PromptRegistry.load(
                prompts_dir or settings.prompts.directory, settings.prompts.pinned
            )
        except Exception:
            app.close()
            raise
        runtime = cls(app, gateway, registry, audit)
        runtime.service_key_id = service_key_id
        return runtime

    def versions(self, steps: tuple[str, ...]) -> dict[str, tuple[str, str]]:
        """{step: (prompt version, schema version)} of the active prompts."""
        return {
            step: (prompt.version, prompt.output_schema.version)
            for step in steps
            for prompt in (self.registry.active(step),)
        }

    def step_context(
        self,
        path: CallPath,
        run_id: str | None,
        *,
        timeout_s: float | None = None,
        retry: RetryPolicy | None = None,
        caller_key_id: str | None = None,
        window: WindowShare | None = None,
    ) -> StepContext:
        return StepContext(
            gateway=self.gateway,
            steps=self.settings.step_routes,
            path=path,
            run_id=run_id,
            retry=retry,
            timeout_s=timeout_s,
            caller_key_id=caller_key_id,
            window=window,
        )

    async def aclose(self) -> None:
        try:
            await self.gateway.aclose()
        finally:
            if self._masker is not None:
                self._masker.close()
            self.app.close()


def _service_key_id(app: AppContext, settings: Settings) -> str | None:
    """The id of the ``service_key`` (a key name); refuse to start on a missing or revoked one."""
    name = settings.service_key
    if name is None:
        return None
    info = find_key(app.sessions, name)
    if info is None:
        raise ConfigError(
            f"service_key names caller key {name!r}, which does not exist; create it with "
            f"`nightshift keys create --name {name} --role client` (with its limits), "
            "or remove service_key"
        )
    if info.revoked:
        raise ConfigError(
            f"service_key names caller key {name!r}, which is revoked; create a key with "
            "another name (`nightshift keys create`) and set service_key to it"
        )
    return info.key_id
