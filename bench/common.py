"""Shared pieces of the benchmarks: a simulator process, a throw-away home, reports.

Every benchmark builds everything it needs from nothing in a temporary directory:

- :class:`SimulatorProcess` starts ``python -m service.cli simulator`` as a **separate process**
  on a free port and reads its request log (``GET /simulator/requests``) and its CPU time;
- :class:`BenchHome` writes a ``nightshift.toml`` with one route, points ``NIGHTSHIFT_HOME`` /
  ``NIGHTSHIFT_CONFIG`` / ``NIGHTSHIFT_DATABASE_URL`` at it, migrates the database (SQLite under
  the temp dir by default; with ``--database-url postgresql+psycopg://…/bench_xyz`` it creates
  that database first and drops it at the end — never the database ``test``);
- :func:`machine` describes the machine, :func:`emit` prints the human report or ``--json``.

Nothing here asserts on time: benchmarks print ratios measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # ``python bench/x.py`` puts bench/ first, not the repo root
    sys.path.insert(0, str(REPO))

ROUTE = "default"
#: Databases a benchmark may never create, use or drop.
PROTECTED_DATABASES = frozenset({"test", "postgres", "template0", "template1"})
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process (not its children) has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_cpu_seconds(exclude: int) -> float:
    """CPU seconds used so far by this process's live children other than ``exclude`` (the
    simulator): the masking processes of ``privacy.mask_workers``, counted as ours."""
    me, total = str(os.getpid()), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if fields[1] == me and stat.parent.name != str(exclude):
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used so far (every core, /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def wait_for_quiet(max_wait_s: float, cores: float = 0.3, sample_s: float = 3.0) -> float:
    """Wait until other processes use less than ``cores`` of CPU (sampled over ``sample_s``),
    at most ``max_wait_s``; returns the busy cores last seen (the machine is shared)."""
    deadline = time.monotonic() + max_wait_s
    while True:
        before, mine = machine_busy_seconds(), time.process_time()
        time.sleep(sample_s)
        busy = (machine_busy_seconds() - before - (time.process_time() - mine)) / sample_s
        if busy < cores or time.monotonic() >= deadline:
            return round(busy, 2)


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM (peak resident set) of a live process, in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else None


class SimulatorProcess:
    """``nightshift simulator`` in its own process on a free loopback port."""

    def __init__(self, workdir: Path, **options: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.url}/v1"
        self.options = options
        self.log_path = workdir / "simulator.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self, timeout_s: float = 60.0) -> SimulatorProcess:
        command = [sys.executable, "-m", "service.cli", "simulator", "--port", str(self.port)]
        for name, value in self.options.items():
            command += [f"--{name.replace('_', '-')}", str(value)]
        env = dict(os.environ, PYTHONPATH=str(REPO))
        with self.log_path.open("wb") as log:  # uvicorn's access log: not on our terminal
            self._process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the simulator exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the simulator did not answer /health within {timeout_s:.0f} s")

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=120) as response:
            return json.load(response)

    def requests(self) -> dict[str, Any]:
        """The request log: ``{"counts": {outcome: n}, "entries": [...]}``."""
        return dict(self._get("/simulator/requests"))

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/simulator/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def peak_rss_mib(self) -> float | None:
        return peak_rss_mib(self.pid)


# -- the nightshift home -------------------------------------------------------------------


def route_config(
    base_url: str,
    *,
    tpm: int = 0,
    rpm: int = 0,
    concurrency: int = 64,
    chunk_size: int = 100,
    timeout_s: float = 60.0,
) -> str:
    """One route (``default``) used by all three steps, no escalation: 3 calls a document."""
    return f"""
[routes.{ROUTE}]
base_url = "{base_url}"
api_key = "bench-key"
model = "small-model"
region = "KZ"
rpm = {rpm}
tpm = {tpm}
timeout_s = {timeout_s}
price_input_per_1m = 75.0
price_output_per_1m = 300.0

[nightly]
concurrency = {concurrency}
chunk_size = {chunk_size}
"""


def _database_name(url: str) -> str:
    from storage.engine import normalize_url

    name = normalize_url(url).database or ""
    if not name or name in PROTECTED_DATABASES:
        raise SystemExit(
            f"--database-url must name a throw-away database (e.g. .../bench_tmp), got {name!r}"
        )
    return name


def _admin_url(url: str) -> Any:
    from storage.engine import normalize_url

    return normalize_url(url).set(database="postgres")


def create_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names (dropping a leftover of an earlier run)."""
    from sqlalchemy import create_engine, text

    name = _database_name(url)
    engine = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = _database_name(url)
    engine = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


class BenchHome:
    """A fresh NIGHTSHIFT_HOME under ``root`` whose one route points at a simulator."""

    def __init__(self, root: Path, config_toml: str, database_url: str | None = None) -> None:
        self.root = root
        self.home = root / "home"
        self.config_path = root / "nightshift.toml"
        self.config_path.write_text(config_toml)
        self.database_url = database_url or f"sqlite:///{self.home / 'nightshift.db'}"
        self.is_postgres = self.database_url.startswith("postgres")

    def env(self) -> dict[str, str]:
        """The environment a process needs to open this home."""
        return {
            "NIGHTSHIFT_HOME": str(self.home),
            "NIGHTSHIFT_CONFIG": str(self.config_path),
            "NIGHTSHIFT_DATABASE_URL": self.database_url,
        }

    def activate(self) -> Any:
        """Point this process's environment at the home; return the loaded settings."""
        os.environ.update(self.env())
        from flows.settings import load_settings

        return load_settings()

    def create(self) -> Any:
        """Create the database (PostgreSQL), migrate it, create the key; return the settings."""
        from flows.context import init_home

        if self.is_postgres:
            create_database(self.database_url)
        settings = self.activate()
        init_home(settings)
        return settings

    def destroy(self) -> None:
        if self.is_postgres:
            drop_database(self.database_url)


def ingest_samples(settings: Any, count: int, seed: int, workdir: Path) -> dict[str, Any]:
    """Generate ``count`` sample emails and ingest them; returns counts and seconds."""
    from flows.context import app_context
    from flows.ingest import ingest_paths
    from sampledata import generate_records, write_jsonl

    started = time.perf_counter()
    path = workdir / f"samples-{seed}-{count}.jsonl"
    write_jsonl(generate_records(count, seed), path)
    with app_context(settings) as ctx:
        report = ingest_paths(ctx.sessions, ctx.keyring, [path], source="bench")
    if report.new != count:
        raise RuntimeError(f"ingest stored {report.new} of {count} documents: {report.as_dict()}")
    return {"documents": count, "seconds": round(time.perf_counter() - started, 2)}


@contextmanager
def plain_session(settings: Any) -> Iterator[Any]:
    """A session on the home's database without the migration check of ``app_context``.

    Reports read the database after a long run; the tree may have gained a migration meanwhile
    (others work in it), and a figure must not be lost to that.
    """
    from storage.engine import make_engine, session_factory, transaction

    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def document_statuses(settings: Any) -> dict[str, int]:
    """Documents per status in the home's database."""
    from sqlalchemy import text

    with plain_session(settings) as session:
        rows = session.execute(text("SELECT status, count(*) FROM documents GROUP BY status"))
        return {str(status): int(count) for status, count in rows}


def step_reasons(settings: Any) -> dict[str, dict[str, int]]:
    """{step status: {reason code: count}} of the step results (codes, never text)."""
    from sqlalchemy import text

    with plain_session(settings) as session:
        rows = session.execute(
            text("SELECT status, reason, count(*) FROM step_results GROUP BY status, reason")
        )
        found: dict[str, dict[str, int]] = {}
        for status, reason, count in rows:
            code = str(reason).split(":", 1)[0] if reason else "-"
            bucket = found.setdefault(str(status), {})
            bucket[code] = bucket.get(code, 0) + int(count)
        return found


@contextmanager
def workspace(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A temporary directory for one benchmark run (kept with ``--keep``)."""
    path = Path(tempfile.mkdtemp(prefix=f"nightshift-{prefix}-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


# -- reporting -----------------------------------------------------------------------------


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return ""
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    """The machine and the code measured (read-only git: the commit and whether it is dirty)."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_1m_at_report": round(os.getloadavg()[0], 2),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_files": len(_git("status", "--porcelain").splitlines()),
    }


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL of a throw-away database to create and drop "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench_tmp); default SQLite",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    return parser


def say(args: argparse.Namespace, message: str) -> None:
    """Progress on stderr (stdout stays the report or the JSON)."""
    if not args.json:
        print(message, file=sys.stderr, flush=True)


def emit(args: argparse.Namespace, result: Mapping[str, Any], lines: Iterable[str]) -> None:
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True, default=str))
        return
    for line in lines:
        print(line)


def percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"
