"""What every route of the HTTP API shares: the process state and the caller's key and role.

:func:`caller_with` is the one place roles are enforced: every route but ``/healthz``,
``/readyz`` and ``/metrics`` declares the roles it admits with it, and the test of the role ×
endpoint matrix walks every route. A key is checked against the database on every request
(``CallerKeys.authenticate``: an HMAC and one primary-key read), so a revocation holds at once in
every process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from compliance.keys.callers import Caller, CallerKeys, Role
from flows.runtime import Runtime
from flows.settings import Settings
from service.api.errors import ApiError
from service.api.metrics import ApiMetrics

#: The largest id or count a request may name (a 64-bit signed integer, as the database stores).
MAX_ID = 2**63 - 1
#: An id in a path: 1 or more, and small enough for the database.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]

bearer = HTTPBearer(
    auto_error=False,
    description="A caller key: `Authorization: Bearer ns_...` (`nightshift keys create`).",
)


@dataclass
class ApiState:
    """One per process (the lifespan opens it): the runtime, the keys, the metrics."""

    settings: Settings
    runtime: Runtime
    keys: CallerKeys
    metrics: ApiMetrics
    head_revision: str
    #: ``process_online``'s ``mask_workers`` (``PrivacyConfig.mask_processes`` for a server).
    mask_workers: int = 1


def api_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


def _refuse(metrics: ApiMetrics, status: int, code: str, message: str) -> ApiError:
    metrics.refused(f"auth:{code}")
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return ApiError(status, message, code=code, headers=headers)


def caller_with(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency that admits a valid key of one of ``roles`` (401 / 403 otherwise)."""
    allowed = " or ".join(role.value for role in roles)

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        state = api_state(request)
        if credentials is None:
            raise _refuse(
                state.metrics,
                401,
                "missing_key",
                "no API key: send the header `Authorization: Bearer <key>` with a caller key "
                "(an admin creates one with `nightshift keys create`)",
            )
        caller = await run_in_threadpool(state.keys.authenticate, credentials.credentials)
        if caller is None:
            raise _refuse(
                state.metrics,
                401,
                "invalid_key",
                "the API key is not valid: it is wrong, malformed or revoked; "
                "ask an admin for a new one",
            )
        if caller.role not in roles:
            raise _refuse(
                state.metrics,
                403,
                "role",
                f"a key with the role {caller.role.value} may not use this endpoint; it needs "
                f"the role {allowed}",
            )
        return caller

    return dependency


CLIENT = (Role.CLIENT,)
READERS = (Role.CLIENT, Role.ADMIN, Role.AUDITOR)
REVIEWERS = (Role.CLIENT, Role.ADMIN)
AUDITOR = (Role.AUDITOR,)
ADMIN = (Role.ADMIN,)

ClientCaller = Annotated[Caller, Depends(caller_with(*CLIENT))]
ReaderCaller = Annotated[Caller, Depends(caller_with(*READERS))]
ReviewerCaller = Annotated[Caller, Depends(caller_with(*REVIEWERS))]
AuditorCaller = Annotated[Caller, Depends(caller_with(*AUDITOR))]
AdminCaller = Annotated[Caller, Depends(caller_with(*ADMIN))]
