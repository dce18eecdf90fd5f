"""Settings: typed, loaded once at start-up (CLI, API or a Prefect flow run), validated first.

Where they come from, highest priority first:

1. environment variables ``NIGHTSHIFT_*`` (nested keys with ``__``, e.g.
   ``NIGHTSHIFT_NIGHTLY__CONCURRENCY=16``);
2. the TOML file named by ``NIGHTSHIFT_CONFIG`` (default ``$NIGHTSHIFT_HOME/nightshift.toml``);
3. built-in defaults: one route ``default`` pointing at the provider simulator.

``NIGHTSHIFT_HOME`` (default ``~/.nightshift``) holds the SQLite database, keys and reports;
``NIGHTSHIFT_DATABASE_URL`` overrides the database. Invalid settings raise :class:`ConfigError`
listing every problem, each saying what to change. A store outside ``residency.country`` is such
a problem; a route outside it is not (its calls are refused per call, see docs/residency.md).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from compliance.errors import ComplianceError
from compliance.gateway.routes import Mode, RouteConfig, simulator_route
from compliance.residency import ResidencyConfig
from flows.config import (
    DeploymentsConfig,
    IngestConfig,
    NightlyConfig,
    PrivacyConfig,
    PromptsConfig,
    StepRoute,
    StepsConfig,
)
from storage.engine import normalize_url, sqlite_path
from storage.errors import NightshiftError

DEFAULT_HOME = "~/.nightshift"
CONFIG_FILE_NAME = "nightshift.toml"


class ConfigError(NightshiftError):
    """The configuration is invalid; nightshift refuses to start."""


class BillingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = Field(default="KZT", min_length=3, max_length=3)


class StorageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Region of the database and of NIGHTSHIFT_HOME; defaults to residency.country.
    region: str | None = Field(default=None, min_length=2, max_length=2)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NIGHTSHIFT_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    home: Path = Path(DEFAULT_HOME)
    database_url: str = ""
    config: Path | None = None
    residency: ResidencyConfig = ResidencyConfig()
    billing: BillingConfig = BillingConfig()
    #: Name of the caller key nightly runs are charged to (its limits apply); None = no limits.
    service_key: str | None = Field(default=None, min_length=1, max_length=64)
    storage: StorageConfig = StorageConfig()
    routes: dict[str, RouteConfig] = Field(default_factory=lambda: {"default": simulator_route()})
    steps: StepsConfig | None = None
    nightly: NightlyConfig = NightlyConfig()
    ingest: IngestConfig = IngestConfig()
    prompts: PromptsConfig = PromptsConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    deployments: DeploymentsConfig = DeploymentsConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives as init values; the environment overrides it.
        return (env_settings, init_settings)

    @model_validator(mode="after")
    def _resolve(self) -> Self:
        home = self.home.expanduser()
        object.__setattr__(self, "home", home)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{home / 'nightshift.db'}")
        if self.steps is None:
            if len(self.routes) != 1:
                raise ValueError(
                    "[steps] is missing: with several routes, name one for each of "
                    f"extract, categorize and draft (routes: {', '.join(sorted(self.routes))})"
                )
            object.__setattr__(self, "steps", StepsConfig.all_on(next(iter(self.routes))))
        self._check_routes_and_regions()
        return self

    def _check_routes_and_regions(self) -> None:
        problems = []
        assert self.steps is not None
        for step, chosen in self.steps.items():
            for field, name in (("route", chosen.route), ("escalate_to", chosen.escalate_to)):
                if name is not None and name not in self.routes:
                    problems.append(
                        f"steps.{step}.{field} names route {name!r}, which is not defined; "
                        f"defined routes: {', '.join(sorted(self.routes)) or 'none'}"
                    )
        # A route abroad loads: the gateway refuses its calls one by one (and audits them), and
        # `nightshift doctor` reports it. A store abroad would receive every document: refused here.
        problem = self.residency.store_problem("store", self.store_region)
        if problem:
            problems.append(problem)
        if problems:
            raise ValueError("\n".join(problems))

    # -- derived values -------------------------------------------------------------------

    @property
    def step_routes(self) -> StepsConfig:
        assert self.steps is not None
        return self.steps

    def step_mode(self, step: str) -> Mode:
        """How the step's pending work is sent: ``online``, ``batch`` or ``flex`` (its own
        ``mode``, else its route's)."""
        chosen: StepRoute = getattr(self.step_routes, step)
        return chosen.mode_on(self.routes)

    @property
    def store_region(self) -> str:
        return (self.storage.region or self.residency.country).upper()

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def sqlite_file(self) -> Path | None:
        return sqlite_path(normalize_url(self.database_url))

    def api_key(self, route: str, env: Mapping[str, str] | None = None) -> str:
        try:
            return self.routes[route].resolve_api_key(route, os.environ if env is None else env)
        except ComplianceError as exc:
            raise ConfigError(str(exc)) from None

    def check_secrets(self, env: Mapping[str, str] | None = None) -> None:
        """Refuse to start when a route's API key variable is missing."""
        problems = []
        for name in sorted(self.routes):
            try:
                self.api_key(name, env)
            except ConfigError as exc:
                problems.append(str(exc))
        if problems:
            raise ConfigError("; ".join(problems))


def config_path(env: Mapping[str, str]) -> tuple[Path, bool]:
    """The TOML file to read and whether the operator named it explicitly."""
    explicit = env.get("NIGHTSHIFT_CONFIG")
    if explicit:
        return Path(explicit).expanduser(), True
    home = Path(env.get("NIGHTSHIFT_HOME") or DEFAULT_HOME).expanduser()
    return home / CONFIG_FILE_NAME, False


def _read_toml(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"NIGHTSHIFT_CONFIG names {path}, which does not exist")
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def _describe(exc: ValidationError, source: str) -> str:
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        for line in message.splitlines():
            lines.append(f"  - {where}: {line}" if where else f"  - {line}")
    return f"the configuration ({source}) is invalid; fix these and start again:\n" + "\n".join(
        lines
    )


def load_settings(*, check_secrets: bool = True) -> Settings:
    """Read and validate the settings of this process (the start-up boundary)."""
    path, explicit = config_path(os.environ)
    data = _read_toml(path, explicit)
    source = str(path) if path.exists() else "built-in defaults"
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    object.__setattr__(settings, "config", path if path.exists() else None)
    if check_secrets:
        settings.check_secrets()
    return settings
