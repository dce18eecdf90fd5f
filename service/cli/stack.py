"""Child processes of ``nightshift up``: started in their own process groups, stopped together.

Each child runs in a new session (its own process group), so a Ctrl-C in the terminal reaches
only ``nightshift up``, which then stops the children in reverse order of start: SIGTERM to the
whole group (the Prefect worker's flow-run processes are in its group), a wait, then SIGKILL to
whatever is left of each group. Output goes to one log file per child, appended to, never to
the terminal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from storage.errors import NightshiftError

Probe = Callable[[], bool]
STOP_TIMEOUT_S = 15.0
POLL_S = 0.25


class StackError(NightshiftError):
    """A child of ``nightshift up`` did not start or stopped on its own."""


class Interrupted(StackError):
    """SIGINT or SIGTERM arrived while the stack was starting."""


@dataclass
class ChildSpec:
    name: str
    argv: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    #: True once the child serves; None: ready when started.
    ready: Probe | None = None


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen[bytes]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def signal_group(self, sig: signal.Signals) -> None:
        # The child leads its own group (start_new_session), so its pid is the group id.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)


def http_answers(url: str, *, ok_only: bool = True, timeout: float = 2.0) -> bool:
    """Whether ``url`` answers over HTTP (with 2xx when ``ok_only``)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return bool(200 <= response.status < 300)
    except urllib.error.HTTPError:
        return not ok_only
    except (urllib.error.URLError, OSError):
        return False


class Stack:
    """The started children, stopped together on :meth:`stop` (also when starting fails)."""

    def __init__(self, stop: threading.Event, startup_timeout_s: float) -> None:
        self.children: list[Child] = []
        self._stop = stop
        self._startup_timeout_s = startup_timeout_s

    def launch(self, spec: ChildSpec) -> Child:
        """Start one child without waiting (see :meth:`wait_ready`): slow starters overlap."""
        spec.log.parent.mkdir(parents=True, exist_ok=True)
        with spec.log.open("ab") as log:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            log.write(f"\n== {stamp} nightshift up: {' '.join(spec.argv)}\n".encode())
            log.flush()
            process = subprocess.Popen(  # noqa: S603 (argv built by nightshift, no shell)
                spec.argv,
                env={**os.environ, **spec.env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(spec, process)
        self.children.append(child)
        return child

    def wait_ready(self, child: Child) -> None:
        """Wait until the child's probe answers; StackError if it exits or times out first."""
        deadline = time.monotonic() + self._startup_timeout_s
        while True:
            if self._stop.is_set():
                raise Interrupted(f"interrupted while {child.name} was starting")
            if not child.running():
                raise StackError(
                    f"{child.name} exited with code {child.process.returncode} while starting; "
                    f"its log is {child.spec.log}"
                )
            if child.spec.ready is None or child.spec.ready():
                return
            if time.monotonic() > deadline:
                raise StackError(
                    f"{child.name} did not become ready within {self._startup_timeout_s:.0f} s; "
                    f"its log is {child.spec.log}"
                )
            self._stop.wait(POLL_S * 2)

    def watch(self) -> Child | None:
        """Block until a stop is asked (None) or a child exits on its own (that child)."""
        while not self._stop.wait(POLL_S):
            for child in self.children:
                if not child.running():
                    return child
        return None

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM every group (newest first), wait up to ``timeout_s``, then SIGKILL the rest."""
        for child in reversed(self.children):
            child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for child in reversed(self.children):
            with suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.0))
        for child in reversed(self.children):
            # Also reaps what the leader left behind in its group (e.g. a flow-run process).
            child.signal_group(signal.SIGKILL)
            child.process.wait()


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into ``stop`` (restoring the previous handlers afterwards)."""

    def handler(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
