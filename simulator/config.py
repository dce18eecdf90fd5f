"""Settings of the provider simulator.

One frozen :class:`SimulatorConfig` is built at start-up (by the CLI, a test or a bench) and
passed to :func:`simulator.app.create_app`; nothing reads the environment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODELS: tuple[str, ...] = ("small-model", "strong-model", "simulator")

_RATE_FIELDS = ("fail_rate", "hang_rate", "malformed_rate", "empty_rate")
#: A rate drawn apart from the four faults: they share one band, it does not.
_FLEX_RATE_FIELD = "flex_unavailable_rate"
_NON_NEGATIVE_FIELDS = (
    "rpm",
    "tpm",
    "latency_ms",
    "latency_per_output_token_ms",
    "hang_seconds",
    "flex_latency_ms",
    "batch_delay_s",
    "default_output_tokens",
)
# Batch behaviour (simulator/batchplan.py): rates in [0, 1], the rest not negative.
_BATCH_RATE_FIELDS = (
    "batch_slow_rate",
    "batch_expire_rate",
    "batch_expired_line_rate",
    "batch_line_fail_rate",
    "batch_line_error_rate",
    "batch_no_output_rate",
)
_BATCH_RATE_SUMS = (
    ("batch_slow_rate", "batch_expire_rate"),
    ("batch_line_fail_rate", "batch_line_error_rate", "batch_expired_line_rate"),
)
_BATCH_NON_NEGATIVE_FIELDS = (
    "batch_time_scale",
    "batch_turnaround_median_s",
    "batch_turnaround_sigma",
)
_BATCH_LIMIT_FIELDS = ("batch_max_requests", "batch_max_bytes")
BATCH_SETTINGS = _BATCH_NON_NEGATIVE_FIELDS + _BATCH_RATE_FIELDS + _BATCH_LIMIT_FIELDS


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulated provider behaves.

    Limits (``rpm``, ``tpm``) apply per API key over a sliding 60 s window; 0 means no limit.
    The four fault rates are probabilities drawn from one seeded generator per app, in this
    order: server error, hang, malformed content, empty content; their sum must not exceed 1.
    ``clock`` drives the rate-limit window (inject a fake one in tests); ``wall_clock`` gives
    the ``created`` timestamps and the request-log times.

    The ``batch_*`` fields shape batches (see :mod:`simulator.batchplan`): turnaround (a
    lognormal median and shape, plus shares of slow and overrunning batches), expired, failed
    and error-only lines, batches with no output file; ``batch_time_scale`` is the real seconds
    one simulated second of a batch (turnaround, completion window, file expiry) takes.

    A request with ``service_tier: "flex"`` is answered 429 "resource unavailable" with the
    probability ``flex_unavailable_rate`` (drawn from a generator of its own, seeded, so the
    fault sequence of other requests does not move), and otherwise ``flex_latency_ms`` later
    than a standard one; its answer echoes ``service_tier: "flex"``.
    """

    rpm: int = 0
    tpm: int = 0
    latency_ms: float = 0.0
    latency_per_output_token_ms: float = 0.0
    fail_rate: float = 0.0
    hang_rate: float = 0.0
    malformed_rate: float = 0.0
    empty_rate: float = 0.0
    flex_unavailable_rate: float = 0.0
    flex_latency_ms: float = 0.0
    seed: int = 0
    hang_seconds: float = 300.0
    batch_delay_s: float = 1.0
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    wall_clock: Callable[[], float] = field(default=time.time, compare=False)
    log_file: Path | None = None
    window_s: float = 60.0
    default_output_tokens: int = 256
    models: tuple[str, ...] = DEFAULT_MODELS
    batch_time_scale: float = 1.0
    batch_turnaround_median_s: float = 0.0
    batch_turnaround_sigma: float = 0.0
    batch_slow_rate: float = 0.0
    batch_expire_rate: float = 0.0
    batch_expired_line_rate: float = 0.0
    batch_line_fail_rate: float = 0.0
    batch_line_error_rate: float = 0.0
    batch_no_output_rate: float = 0.0
    batch_max_requests: int = 50_000
    batch_max_bytes: int = 200 * 1024 * 1024

    def __post_init__(self) -> None:
        for name in _RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if not 0.0 <= self.flex_unavailable_rate <= 1.0:
            raise ValueError(
                f"{_FLEX_RATE_FIELD} must be between 0 and 1, got {self.flex_unavailable_rate}"
            )
        total = sum(getattr(self, name) for name in _RATE_FIELDS)
        if total > 1.0 + 1e-9:
            raise ValueError(
                "fail_rate + hang_rate + malformed_rate + empty_rate must not exceed 1, "
                f"got {total:g}; lower one of them"
            )
        for name in _NON_NEGATIVE_FIELDS:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if self.window_s <= 0:
            raise ValueError(f"window_s must be positive, got {self.window_s}")
        self._check_batch_fields()

    def _check_batch_fields(self) -> None:
        for name in _BATCH_RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        for names in _BATCH_RATE_SUMS:
            total = sum(getattr(self, name) for name in names)
            if total > 1.0 + 1e-9:
                raise ValueError(f"{' + '.join(names)} must not exceed 1, got {total:g}")
        for name in _BATCH_NON_NEGATIVE_FIELDS:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        for name in _BATCH_LIMIT_FIELDS:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")

    def public_settings(self) -> dict[str, object]:
        """The settings as plain JSON values (for the banner and ``GET /simulator/config``)."""
        return {
            "rpm": self.rpm,
            "tpm": self.tpm,
            "latency_ms": self.latency_ms,
            "latency_per_output_token_ms": self.latency_per_output_token_ms,
            "fail_rate": self.fail_rate,
            "hang_rate": self.hang_rate,
            "malformed_rate": self.malformed_rate,
            "empty_rate": self.empty_rate,
            "flex_unavailable_rate": self.flex_unavailable_rate,
            "flex_latency_ms": self.flex_latency_ms,
            "seed": self.seed,
            "hang_seconds": self.hang_seconds,
            "batch_delay_s": self.batch_delay_s,
            "log_file": str(self.log_file) if self.log_file else None,
            "models": list(self.models),
            **{name: getattr(self, name) for name in BATCH_SETTINGS},
        }
