"""Errors of the HTTP API: one JSON shape, a clear message, never the content of the request.

Every error answer is ``{"error": {"message": ..., "type": ..., "code": ...}}`` — the OpenAI
shape, so an ``openai`` SDK client shows our message as it would OpenAI's. ``message`` says what
happened and what to do; ``code`` is a short reason code where one exists (``key_limit:rpm``,
``residency:US``, ``invalid_key``). Messages are written here from ids, names of fields and
counts: they never quote what the caller sent, because that may be personal data.

=====  ==========================  ==========================================================
HTTP   type                        when
=====  ==========================  ==========================================================
400    invalid_request_error       a body or a parameter is not valid (FastAPI's validation
                                   errors are rewritten: field paths only, never the input)
401    authentication_error        no key, or a wrong, malformed or revoked one
403    permission_error            the key's role may not use the endpoint
403    residency_error             the route is outside the home country (``residency:<region>``)
404    not_found_error             no such document, review item, key, route or endpoint
409    conflict_error              the state changed (a review item already resolved)
410    gone_error                  the document was erased (its data key shredded)
413    payload_too_large           the body or a record is over the size limit
422    privacy_error               masking failed or left identifiers: nothing was sent
429    rate_limit_error            the caller key is over a limit (``Retry-After`` in seconds)
5xx    upstream_error/server_error the model route failed, or nightshift did (no detail)
=====  ==========================  ==========================================================

:class:`ErrorBoundary` answers an unexpected exception with a 500 and logs only its type and
where it was raised: an exception's message or traceback may quote data.
"""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("nightshift.api")

#: Field names a validation error may show; anything else in a path (a key of a free-form object
#: the caller sent) is shown as ``<key>``.
_FIELD = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")
_DEFAULT_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    410: "gone_error",
    413: "payload_too_large",
    422: "privacy_error",
    429: "rate_limit_error",
}


class ApiError(Exception):
    """An error answer: status, message (no request content), type, optional code and headers."""

    def __init__(
        self,
        status: int,
        message: str,
        type_: str | None = None,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_ or _DEFAULT_TYPES.get(status, "server_error")
        self.code = code
        self.headers = dict(headers or {})


def error_body(message: str, type_: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "code": code}}


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(error.message, error.type, error.code),
        status_code=error.status,
        headers=error.headers,
    )


def retry_after_header(seconds: float | None) -> dict[str, str]:
    """``Retry-After`` in whole seconds, rounded up, at least 1 (none when unknown)."""
    if seconds is None:
        return {}
    whole = int(seconds) + (seconds > int(seconds))
    return {"Retry-After": str(max(1, whole))}


def _field_path(loc: tuple[Any, ...], known: frozenset[str]) -> str:
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(str(part))
        elif isinstance(part, str) and (part in known or part in {"body", "query", "path"}):
            parts.append(part)
        else:
            parts.append("<key>")
    return ".".join(parts)


def validation_message(exc: RequestValidationError, known: frozenset[str]) -> str:
    """ "invalid request: body.messages.0.role: Input should be 'system' or 'user'; ..." — the
    paths and pydantic's messages (which name the rule, not the input), at most five."""
    problems = []
    for error in exc.errors()[:5]:
        where = _field_path(tuple(error.get("loc", ())), known)
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "missing":
            problems.append(f"{where} is missing")
        elif error.get("type") == "json_invalid":
            problems.append("the body is not valid JSON")
        else:
            problems.append(f"{where}: {message}")
    more = len(exc.errors()) - len(problems)
    suffix = f" (and {more} more)" if more > 0 else ""
    return "invalid request: " + "; ".join(problems) + suffix + "; see /docs for the schema"


def _known_fields(app: FastAPI) -> frozenset[str]:
    """Every property and parameter name of the app's schema (computed once per app)."""
    cached: frozenset[str] | None = getattr(app.state, "known_fields", None)
    if cached is not None:
        return cached
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    names.update(k for k in value if _FIELD.match(k))
                if key == "parameters" and isinstance(value, list):
                    names.update(p["name"] for p in value if isinstance(p, dict) and "name" in p)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(app.openapi())
    known = frozenset(names)
    app.state.known_fields = known
    return known


def install_error_handlers(app: FastAPI) -> None:
    async def api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        if status == 404:
            message = "no such endpoint; the endpoints are listed at /docs"
        elif status == 405:
            message = "this endpoint does not take that method; see /docs"
        else:
            message = str(exc.detail) if isinstance(exc.detail, str) else "invalid request"
        headers = dict(exc.headers or {})
        return error_response(ApiError(status, message, headers=headers))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        message = validation_message(exc, _known_fields(request.app))
        return error_response(ApiError(400, message))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)


class ErrorBoundary:
    """Turns an unexpected exception into a 500 JSON answer (pure ASGI).

    Logs the exception's type and the place it was raised, with an id that the answer carries —
    never its message or traceback text, which may quote data. The exception is not re-raised,
    so the server does not print it either.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            error_id = uuid.uuid4().hex[:12]
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            where = f"{frame.filename}:{frame.lineno}" if frame else "?"
            logger.error("error %s: %s at %s", error_id, type(exc).__name__, where)
            if started:
                return
            error = ApiError(
                500,
                f"internal error {error_id}; the server log has its type and place "
                "(never the request content)",
                "server_error",
            )
            await error_response(error)(scope, receive, send)
