"""The compliance posture of one nightshift home: what ``nightshift doctor`` reports.

:func:`gather` looks at what the settings point to — the database, the key directory, the
vault, the reports directory, every route — and returns a :class:`Posture` with a list of
:class:`Problem` (what is wrong, what to do). It is read-only: it creates no directory, file or
database (a missing SQLite file is reported, never opened), and it never returns a secret: the
database URL has its password hidden, a route's API key is described by where it comes from,
and the sample row it decrypts to prove encryption at rest is dropped at once.

File modes, owners and the key directory are checked in :mod:`flows.posture.files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.observer import endpoint_host
from compliance.errors import EncryptionError
from compliance.keys.data_keys import RewrapReport, census
from compliance.keys.encryption import KeyRing
from compliance.residency import RouteResidency
from flows.documents import open_payload
from flows.masker_versions import open_entry
from flows.posture.files import (
    INIT_FIX,
    KeysState,
    PathState,
    Problem,
    check_private,
    keys_posture,
)
from flows.results import data_key_of, open_output
from flows.settings import Settings
from storage.engine import make_engine, normalize_url, session_factory, sqlite_path
from storage.migrate import current_revision, head_revision
from storage.models import Document, StepResult
from storage.models.audit import AuditEntry
from storage.repositories.vault import VaultRepository

CONNECT_TIMEOUT_S = 5


@dataclass
class DatabaseState:
    url: str  # password hidden
    backend: str  # sqlite | postgresql
    head: str
    host: str | None = None
    port: int | None = None
    name: str | None = None
    file: PathState | None = None
    reachable: bool = False
    revision: str | None = None

    @property
    def up_to_date(self) -> bool:
        return self.reachable and self.revision == self.head


@dataclass(frozen=True)
class RouteState:
    name: str
    region: str
    residency: str  # a RouteResidency value
    host: str | None
    model: str
    steps: list[str]
    api_key: str  # where the key comes from; never the key
    simulator: bool


@dataclass
class AtRestState:
    documents: int = 0
    erased_documents: int = 0
    step_outputs: int = 0
    vault_entries: int = 0
    audit_entries: int = 0
    refused_calls: int = 0
    #: {data key id: live documents whose data key it wraps}.
    documents_by_data_key: dict[str, int] = field(default_factory=dict)
    #: Old data keys in the key directory that no document needs (``keys retire-data-keys``).
    data_keys_retirable: list[str] = field(default_factory=list)
    sample: str = "no document yet"
    sample_ok: bool | None = None


@dataclass
class Posture:
    home: PathState
    config: str | None
    residency: dict[str, Any]
    database: DatabaseState
    keys: KeysState
    vault: dict[str, str]
    reports: PathState
    routes: list[RouteState]
    at_rest: AtRestState | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["database"]["up_to_date"] = self.database.up_to_date
        return {"ok": self.ok, **data}


def gather(settings: Settings, env: Mapping[str, str]) -> Posture:
    """The posture of the home ``settings`` point to; ``env`` tells which API keys are set."""
    problems: list[Problem] = []
    home = PathState.of(settings.home)
    check_private(home, "NIGHTSHIFT_HOME", problems, directory=True, missing_fix=INIT_FIX)
    # A missing home is one problem, not one per missing file in it.
    inner_fix = INIT_FIX if home.exists else None
    reports = PathState.of(settings.reports_dir)
    check_private(reports, "the reports directory", problems, directory=True, missing_fix=inner_fix)
    keys, keyring = keys_posture(settings.keys_dir, problems, inner_fix)
    routes = _routes(settings, env, problems)
    database, at_rest = _database(settings, keyring, problems)
    return Posture(
        home=home,
        config=str(settings.config) if settings.config else None,
        residency={
            "country": settings.residency.country,
            "allow_masked_export": settings.residency.allow_masked_export,
            "store_region": settings.store_region,
            "store_region_declared": settings.storage.region is not None,
        },
        database=database,
        keys=keys,
        vault={
            "where": "table vault_entries in the database",
            "sealed": "AES-256-GCM per document, under the document's own data key "
            "(only per-type counts in the clear)",
        },
        reports=reports,
        routes=routes,
        at_rest=at_rest,
        problems=problems,
    )


# -- routes -----------------------------------------------------------------------------------


def _step_uses(settings: Settings) -> dict[str, list[str]]:
    uses: dict[str, list[str]] = {}
    for step, chosen in settings.step_routes.items():
        uses.setdefault(chosen.route, []).append(step)
        if chosen.escalate_to:
            uses.setdefault(chosen.escalate_to, []).append(f"{step} (escalation)")
    return uses


def _api_key_source(name: str, settings: Settings, env: Mapping[str, str]) -> tuple[str, str]:
    """Where the route's key comes from, and why it is missing ("" when it is not)."""
    route = settings.routes[name]
    if route.api_key is not None:
        return "inline in the configuration", ""
    if route.api_key_env is None:
        return "none", f"set api_key_env (preferred) or api_key in [routes.{name}]"
    if env.get(route.api_key_env):
        return f"environment variable {route.api_key_env} (set)", ""
    source = f"environment variable {route.api_key_env} (NOT SET)"
    return source, f"export {route.api_key_env}=... in the environment nightshift runs in"


def _routes(
    settings: Settings, env: Mapping[str, str], problems: list[Problem]
) -> list[RouteState]:
    uses, residency, states = _step_uses(settings), settings.residency, []
    for name, route in sorted(settings.routes.items()):
        steps = uses.get(name, [])
        status = residency.route_status(route.region)
        source, key_fix = _api_key_source(name, settings, env)
        states.append(
            RouteState(
                name=name,
                region=route.region,
                residency=status.value,
                host=endpoint_host(route.base_url),
                model=route.model,
                steps=steps,
                api_key=source,
                simulator=route.simulator,
            )
        )
        if key_fix:
            problems.append(Problem(f"route {name!r} has no API key: {source}", key_fix))
        if status is RouteResidency.REFUSED:
            used = f" (used by {', '.join(steps)})" if steps else ""
            problems.append(
                Problem(
                    f"{residency.route_problem(name, route.region)}{used}",
                    f'point [routes.{name}] at an in-country endpoint (region = "'
                    f'{residency.country}"), or set residency.allow_masked_export = true '
                    "to send it masked text only",
                )
            )
    return states


# -- the database and encryption at rest -------------------------------------------------------


def _database_state(url: URL) -> DatabaseState:
    return DatabaseState(
        url=url.render_as_string(hide_password=True),
        backend=url.get_backend_name(),
        head=head_revision(),
        host=url.host,
        port=url.port,
        name=url.database,
    )


def _database(
    settings: Settings, keyring: KeyRing | None, problems: list[Problem]
) -> tuple[DatabaseState, AtRestState | None]:
    url = normalize_url(settings.database_url)
    state = _database_state(url)
    file = sqlite_path(url)
    if file is not None:
        state.file = PathState.of(file)
        check_private(state.file, "the SQLite database", problems, missing_fix=INIT_FIX)
        if not state.file.exists:
            return state, None
    elif state.backend == "postgresql":
        url = url.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    engine = make_engine(url)
    try:
        state.revision = current_revision(engine)
        state.reachable = True
        if not state.up_to_date:
            problems.append(_migration_problem(state))
            return state, None
        return state, _at_rest(session_factory(engine), keyring, problems)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        problems.append(
            Problem(
                f"cannot use the database {state.url}: {reason}",
                "check that it is running and that NIGHTSHIFT_DATABASE_URL names it",
            )
        )
        return state, None
    finally:
        engine.dispose()


def _migration_problem(state: DatabaseState) -> Problem:
    return Problem(
        f"the database is at migration {state.revision or 'none (empty)'}, "
        f"this nightshift expects {state.head}",
        "back up the database, then run `nightshift init` to migrate it (if the database is "
        "newer, upgrade nightshift instead)",
    )


def _count(session: Session, *criteria: Any, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*criteria)) or 0)


def _at_rest(
    sessions: sessionmaker[Session], keyring: KeyRing | None, problems: list[Problem]
) -> AtRestState:
    with sessions() as session:
        state = AtRestState(
            documents=_count(session, model=Document),
            erased_documents=_count(session, Document.wrapped_key.is_(None), model=Document),
            step_outputs=_count(session, StepResult.output.is_not(None), model=StepResult),
            vault_entries=VaultRepository(session).count(),
            audit_entries=_count(session, model=AuditEntry),
            refused_calls=_count(session, AuditEntry.outcome == "refused", model=AuditEntry),
        )
        if keyring is not None:
            _data_key_usage(state, census(sessions, keyring), problems)
        sample = session.scalars(
            select(Document).where(Document.wrapped_key.is_not(None)).order_by(Document.id.desc())
        ).first()
        if sample is None:
            return state
        if keyring is None:
            state.sample = "not checked: the data keys do not load"
            return state
        try:
            state.sample = _open_sample(session, keyring, sample)
            state.sample_ok = True
        except (EncryptionError, ValueError) as exc:
            state.sample, state.sample_ok = f"document {sample.id} does not decrypt", False
            problems.append(
                Problem(
                    f"document {sample.id} does not decrypt with this home's keys: {exc}",
                    "restore the missing or changed key files from the key backup",
                )
            )
    return state


def _data_key_usage(state: AtRestState, keys: RewrapReport, problems: list[Problem]) -> None:
    """Live documents per data key (``keys rewrap-data-keys``'s census); documents wrapped by a
    key missing from the key directory are a problem."""
    current = {keys.active_id: keys.current} if keys.current else {}
    state.documents_by_data_key = dict(sorted((keys.still_referenced | current).items()))
    state.data_keys_retirable = keys.unreferenced
    for key_id in keys.missing:
        problems.append(
            Problem(
                f"{keys.still_referenced.get(key_id, 0)} document(s) have their data key "
                f"wrapped by {key_id}, which is not in the key directory: they cannot be read",
                f"restore data-{key_id}.key from the key backup, then run "
                "`nightshift keys rewrap-data-keys`",
            )
        )


def _open_sample(session: Session, keyring: KeyRing, document: Document) -> str:
    """Open (and drop) the newest document's sealed rows: they are AES-GCM under our keys."""
    open_payload(keyring, document)
    data_key = data_key_of(keyring, document)
    outputs = session.scalars(
        select(StepResult).where(
            StepResult.document_id == document.id, StepResult.output.is_not(None)
        )
    ).all()
    for result in outputs:
        open_output(data_key, result)
    vault = VaultRepository(session).oldest(document.id, document.content_hash)
    if vault is not None:
        open_entry(data_key, vault)
    return (
        f"document {document.id}: payload, {len(outputs)} step output(s) and "
        f"{'its' if vault is not None else 'no'} vault entry are AES-256-GCM ciphertext "
        f"that opens with {document.key_id}"
    )
