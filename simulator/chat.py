"""The chat-completion request the simulator accepts, validated with pydantic.

Unknown fields are accepted and ignored (``temperature``, ``seed``, ``tools`` …), like a
lenient OpenAI-compatible server. Invalid bodies raise :class:`BadRequest`, which the app turns
into a 400 in OpenAI's error shape.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class BadRequest(ValueError):
    """A request the simulator refuses with 400; ``param`` names the offending field."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class ContentPart(_Lenient):
    type: str
    text: str | None = None


class ChatMessage(_Lenient):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The text of the message (text parts joined; images and audio ignored)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(part.text for part in self.content if part.text)


class JsonSchemaFormat(_Lenient):
    name: str = Field(min_length=1, max_length=64)
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormat(_Lenient):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")

    @model_validator(mode="after")
    def _json_schema_present(self) -> ResponseFormat:
        if self.type == "json_schema" and self.json_schema is None:
            raise ValueError("json_schema is required when type is 'json_schema'")
        return self


class ChatRequest(_Lenient):
    model: str = Field(min_length=1)
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    response_format: ResponseFormat | None = None
    stream: bool | None = False
    #: OpenAI's processing tier (``auto``, ``default``, ``flex``, ``priority``); ``flex`` may be
    #: refused with 429 "resource unavailable" (:mod:`simulator.faults`).
    service_tier: str | None = None

    def output_limit(self) -> int | None:
        """``max_completion_tokens`` or else ``max_tokens`` (None: no limit)."""
        return self.max_completion_tokens or self.max_tokens

    def last_user_text(self) -> str:
        users = [message.text() for message in self.messages if message.role == "user"]
        return users[-1] if users else self.messages[-1].text()

    def user_text(self) -> str:
        return "\n".join(message.text() for message in self.messages if message.role == "user")


def parse_chat_request(body: object) -> ChatRequest:
    """Validate a decoded JSON body; raise :class:`BadRequest` with the first problem."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    try:
        return ChatRequest.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(part) for part in first["loc"]) or None
        raise BadRequest(f"Invalid value for '{param}': {first['msg']}", param) from None
