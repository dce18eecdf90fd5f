"""OpenAI-shaped error bodies: ``{"error": {"message", "type", "param", "code"}}``."""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "invalid_request_error"
RATE_LIMIT = "rate_limit_exceeded"  # OpenAI uses the same word for type-less 429 bodies
SERVER_ERROR = "server_error"
#: ``type`` and ``code`` of OpenAI's 429 to a flex request it has no capacity for.
RESOURCE_UNAVAILABLE = "resource_unavailable"


def error_body(
    message: str,
    *,
    type_: str = INVALID_REQUEST,
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """The body OpenAI returns with a non-2xx status."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


class SimulatorHTTPError(Exception):
    """Raised by a route; the app answers ``status`` with an OpenAI error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = INVALID_REQUEST,
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(message, type_=type_, param=param, code=code)


def not_found(kind: str, object_id: str, param: str) -> SimulatorHTTPError:
    return SimulatorHTTPError(404, f"No such {kind}: '{object_id}'.", param=param, code="not_found")
