"""Routes: named model endpoints (base URL, model, region, upstream limits, prices).

A route is configuration only; the gateway turns it into a client. Secrets are read from the
environment variable the route names (``api_key_env``) or given inline (``api_key``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from compliance.errors import ComplianceError

StructuredOutput = Literal["json_schema", "json_object", "none"]
#: OpenAI's ``service_tier``: ``flex`` answers synchronously at batch prices, slower, and may
#: answer 429 "resource unavailable" (``compliance.gateway.tiers``).
ServiceTier = Literal["default", "flex"]
#: How a step's calls reach the provider: one synchronous call per request (``online``), a JSONL
#: file through ``/v1/files`` + ``/v1/batches`` answered within the completion window
#: (``batch``), or synchronous calls at batch prices with ``service_tier: "flex"`` (``flex``).
Mode = Literal["online", "batch", "flex"]
MODES: tuple[Mode, ...] = ("online", "batch", "flex")

#: OpenAI's Batch API limits per input file (a provider with lower ones is configured lower).
BATCH_MAX_REQUESTS = 50_000
BATCH_MAX_BYTES = 200 * 1024 * 1024
#: ``output_expires_after``: from one hour to 30 days (OpenAI's bounds), in seconds.
OUTPUT_EXPIRES_MIN_S = 3_600
OUTPUT_EXPIRES_MAX_S = 30 * 24 * 3_600
_WINDOW = re.compile(r"^[1-9]\d*h$")

SIMULATOR_BASE_URL = "http://127.0.0.1:8300/v1"
SIMULATOR_API_KEY = "nightshift-simulator"


class RouteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str
    api_key_env: str | None = None
    api_key: SecretStr | None = None
    model: str
    region: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 country")
    rpm: int = Field(default=0, ge=0, description="upstream requests/min; 0 = none")
    tpm: int = Field(default=0, ge=0, description="upstream tokens/min; 0 = none")
    price_input_per_1m: Decimal = Field(default=Decimal(0), ge=0)
    price_output_per_1m: Decimal = Field(default=Decimal(0), ge=0)
    timeout_s: float = Field(default=30.0, gt=0, le=3600)
    structured_output: StructuredOutput = "json_schema"
    #: ``flex``: nightly calls go out with ``service_tier: "flex"`` (``compliance.gateway.tiers``);
    #: ``default`` sends ``service_tier: "default"``; None sends no ``service_tier``.
    service_tier: ServiceTier | None = None
    #: Per-attempt timeout of a flex call (OpenAI advises 15 minutes: flex queues).
    flex_timeout_s: float = Field(default=900.0, gt=0, le=3600)
    #: Share of the nightly window after which flex calls go out as standard calls.
    flex_fallback_after: float = Field(default=0.5, ge=0, le=1)
    #: Flex is billed at this factor of the route's prices (batch prices).
    flex_price_factor: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    #: True only for the provider simulator that ships with nightshift.
    simulator: bool = False
    #: The mode of the steps on this route, unless a step names its own (docs/configuration.md).
    mode: Mode = "online"
    #: Batch and flex prices as a share of the online ones (most providers: half).
    batch_price_factor: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)
    #: The provider's completion window of a batch, in hours (OpenAI accepts "24h").
    batch_completion_window: str = "24h"
    #: Limits of one batch input file; a step's lines are split into files at whichever comes first.
    batch_max_requests: int = Field(default=BATCH_MAX_REQUESTS, ge=1, le=BATCH_MAX_REQUESTS)
    batch_max_bytes: int = Field(default=BATCH_MAX_BYTES, ge=4_096, le=BATCH_MAX_BYTES)
    #: How long the provider keeps a batch's files (input, output, errors): masked text should not
    #: sit there for a month. Seconds, from one hour to 30 days.
    output_expires_after: int = Field(
        default=OUTPUT_EXPIRES_MIN_S, ge=OUTPUT_EXPIRES_MIN_S, le=OUTPUT_EXPIRES_MAX_S
    )

    @field_validator("region")
    @classmethod
    def _upper_region(cls, value: str) -> str:
        return value.upper()

    @field_validator("batch_completion_window")
    @classmethod
    def _window(cls, value: str) -> str:
        if not _WINDOW.match(value):
            raise ValueError(f"batch_completion_window must be hours such as '24h', got {value!r}")
        return value

    @property
    def completion_window_s(self) -> int:
        """The completion window in seconds."""
        return int(self.batch_completion_window[:-1]) * 3_600

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    def resolve_api_key(self, name: str, env: Mapping[str, str]) -> str:
        """The secret to send, or a ComplianceError that tells the operator what to set."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        if self.api_key_env is None:
            raise ComplianceError(
                f"route {name!r} has no API key: set api_key_env (preferred) or api_key "
                f"in [routes.{name}]"
            )
        value = env.get(self.api_key_env)
        if not value:
            raise ComplianceError(
                f"route {name!r} reads its API key from the environment variable "
                f"{self.api_key_env}, which is not set; "
                f"export {self.api_key_env}=... and start again"
            )
        return value


def simulator_route() -> RouteConfig:
    """The built-in route used when no configuration file exists: the local provider simulator."""
    return RouteConfig(
        base_url=SIMULATOR_BASE_URL,
        api_key=SecretStr(SIMULATOR_API_KEY),
        model="simulator",
        region="KZ",
        # Illustrative prices (KZT per 1M tokens) so the demo shows what a night would cost.
        price_input_per_1m=Decimal(75),
        price_output_per_1m=Decimal(300),
        simulator=True,
    )
