"""Configuration of the flows: which route each step uses, the nightly window, ingest limits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from compliance.gateway.routes import Mode, RouteConfig

STEPS = ("extract", "categorize", "draft")
_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class StepRoute(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    route: str
    escalate_to: str | None = None
    #: This step's mode; None = the mode of its route (``routes.<name>.mode``).
    mode: Mode | None = None

    def mode_on(self, routes: dict[str, RouteConfig]) -> Mode:
        """The step's mode: its own, else its route's."""
        return self.mode if self.mode is not None else routes[self.route].mode


class StepsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    extract: StepRoute
    categorize: StepRoute
    draft: StepRoute

    def items(self) -> list[tuple[str, StepRoute]]:
        return [(name, getattr(self, name)) for name in STEPS]

    @classmethod
    def all_on(cls, route: str) -> StepsConfig:
        step = StepRoute(route=route)
        return cls(extract=step, categorize=step, draft=step)


class NightlyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule: str = "0 1 * * *"
    timezone: str = "Asia/Almaty"
    window_end: str = "05:00"
    chunk_size: int = Field(default=100, ge=1, le=10_000)
    concurrency: int = Field(default=32, ge=1, le=1_024)
    #: A running nightly run records a heartbeat this often (seconds).
    heartbeat_s: float = Field(default=10.0, gt=0, le=3_600)
    #: A 'running' nightly run whose last heartbeat is older than this is dead (seconds).
    lease_timeout_s: float = Field(default=60.0, gt=0, le=86_400)

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(f"schedule must be a 5-field cron expression, got {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Asia/Almaty"
            ) from None
        return value

    @field_validator("window_end")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not _HH_MM.match(value):
            raise ValueError(f"window_end must be HH:MM (24 h), got {value!r}")
        return value

    @model_validator(mode="after")
    def _lease_outlives_heartbeats(self) -> Self:
        if self.lease_timeout_s < 2 * self.heartbeat_s:
            raise ValueError(
                f"lease_timeout_s ({self.lease_timeout_s:g}) must be at least twice heartbeat_s "
                f"({self.heartbeat_s:g}), or one late heartbeat makes a live run look dead"
            )
        return self


class DeploymentsConfig(BaseModel):
    """The Prefect work pool the deployments run on (``nightshift deploy``, deployments/).

    Two queues: ``urgent`` (priority 1) for on-demand re-runs, ``bulk`` (priority 10) for the
    nightly run and its report, each with its own concurrency limit, so archive re-processing
    never holds the slot an urgent re-run needs.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    work_pool: str = Field(default="nightshift", min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    urgent_concurrency: int = Field(default=2, ge=1, le=100)
    bulk_concurrency: int = Field(default=1, ge=1, le=100)


class PromptsConfig(BaseModel):
    """Where the prompt files live and which versions are pinned (default: the highest)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    directory: Path | None = None
    pinned: dict[str, str] = Field(default_factory=dict)

    @field_validator("pinned")
    @classmethod
    def _known_steps(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(STEPS))
        if unknown:
            raise ValueError(f"pinned names unknown step(s) {', '.join(unknown)}")
        return value


class PrivacyConfig(BaseModel):
    """Masking: the organisation's own numbers that are never masked, and masking processes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Hotlines and other public numbers of the organisation (kept so extraction can see them).
    public_numbers: tuple[str, ...] = ()
    #: Processes that mask a nightly batch: 1 = in the run's own process, N > 1 = N processes
    #: (~300 MiB each, ~2 s to start, in the background), 0 = automatic: 2 processes for runs
    #: of at least ``mask_pool_min_documents`` on a host with 2+ cores, else in-process.
    mask_workers: int = Field(default=0, ge=0, le=64)
    mask_pool_min_documents: int = Field(default=500, ge=1)

    def mask_processes(self, documents: int, cpus: int | None) -> int:
        """The ``workers`` argument of ``Masker.mask_many`` for a run of ``documents``."""
        if self.mask_workers:
            return self.mask_workers
        return 2 if documents >= self.mask_pool_min_documents and (cpus or 1) >= 2 else 1


class IngestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_record_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
