"""The per-process runtime of the flows: database, keys, gateway and prompts, opened once.

One :class:`Runtime` per process and event loop: the gateway's HTTP pool and ``AsyncOpenAI``
clients belong to the loop that created them (DESIGN: never cross event loops).
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx2

from compliance.audit.log import AuditLog
from compliance.audit.observer import AuditObserver
from compliance.calls import CallPath
from compliance.gateway import Gateway
from compliance.masking import Masker
from compliance.masking.policy import MaskedTextPolicy
from compliance.pacer import RoutePacer
from compliance.retry import RetryPolicy
from flows.context import AppContext, open_context
from flows.prompts import PromptRegistry
from flows.settings import Settings
from flows.steps.base import StepContext


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

    def masker(self) -> Masker:
        """The process's masker, loaded on first use (heavy: analyzer and natasha models)."""
        with self._masker_lock:
            if self._masker is None:
                self._masker = Masker.load(public_numbers=self.settings.privacy.public_numbers)
            return self._masker

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
            gateway = Gateway(
                settings.routes,
                api_keys,
                pacer=pacer,
                retry=retry,
                transport=transport,
                max_connections=max(settings.nightly.concurrency * 2, 16),
            )
            # Every attempt, refused ones included, is a durable audit entry before call() returns.
            audit = AuditLog.open(app.sessions, settings.keys_dir)
            gateway.add_observer(AuditObserver(audit, settings.routes))
            # Only masked text leaves the process; anything else is refused (and audited).
            gateway.add_policy(MaskedTextPolicy())
            registry = PromptRegistry.load(
                prompts_dir or settings.prompts.directory, settings.prompts.pinned
            )
        except Exception:
            app.close()
            raise
        return cls(app, gateway, registry, audit)

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
    ) -> StepContext:
        return StepContext(
            gateway=self.gateway,
            steps=self.settings.step_routes,
            path=path,
            run_id=run_id,
            retry=retry,
            timeout_s=timeout_s,
        )

    async def aclose(self) -> None:
        try:
            await self.gateway.aclose()
        finally:
            if self._masker is not None:
                self._masker.close()
            self.app.close()
