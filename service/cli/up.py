"""``nightshift up``: the whole stack on embedded defaults, in one terminal.

1. ``nightshift init`` (idempotent): the home, the migrated database, the keys;
2. at once: a Prefect server on SQLite in ``$NIGHTSHIFT_HOME/prefect`` (with the batch sizes
   DESIGN 1 measured, ``flows/prefect_env.py``), the provider SIMULATOR when every configured
   route is the simulator (no real model), and the HTTP API (``nightshift serve``) when this
   build has that command — the API never waits on Prefect (DESIGN 9);
3. once the server's health endpoint answers: a process worker on the pool, and
   ``nightshift deploy`` against the server (pool, queues, deployments);
4. it waits until each child answers its probe, then prints the URLs and log files.

Ctrl-C (or SIGTERM) stops every child: see :mod:`service.cli.stack`. Each child writes to
``$NIGHTSHIFT_HOME/logs/<name>.log``; ``$NIGHTSHIFT_HOME/up.json`` lists the children while the
stack runs (pids, URLs, logs).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
import typer.main

from deployments import URGENT_QUEUE, register
from deployments.definitions import BULK_QUEUE
from flows.context import init_home
from flows.prefect_env import apply_prefect_defaults
from flows.settings import Settings
from service.cli.stack import (
    Child,
    ChildSpec,
    Interrupted,
    Probe,
    Stack,
    http_answers,
    stop_on_signals,
)
from service.cli.support import err_console, fail, out_console, reported_errors, settings
from storage.errors import NightshiftError

STATE_FILE = "up.json"
#: The worker's name in the pool; the readiness probe looks for it.
WORKER_NAME = "nightshift-up"


def _python(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _require_free(host: str, port: int, option: str) -> None:
    if not _port_free(host, port):
        fail(f"port {port} on {host} is in use; stop what listens there or pass {option} PORT")


def _worker_online(api_url: str, pool: str) -> bool:
    request = urllib.request.Request(  # noqa: S310 (our own Prefect server)
        f"{api_url}/work_pools/{pool}/workers/filter",
        data=b"{}",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
            workers = json.load(response)
    except (OSError, ValueError):
        return False
    return any(w.get("name") == WORKER_NAME and w.get("status") == "ONLINE" for w in workers)


def simulator_port(cfg: Settings, requested: int | None) -> int | None:
    """The port to serve the simulator on, or None when a route is a real model."""
    routes = list(cfg.routes.values())
    if not all(route.simulator for route in routes):
        return None
    ports = {urlsplit(route.base_url).port or 80 for route in routes}
    if len(ports) != 1:
        fail("the simulator routes point at different ports; start the simulator yourself")
    port = ports.pop()
    if requested is not None and requested != port:
        fail(
            f"--simulator-port {requested} differs from the port the simulator routes call "
            f"({port}); change routes.*.base_url in the configuration, or omit the option"
        )
    return port


def _has_serve_command() -> bool:
    """Whether this build's CLI has ``serve`` (the HTTP API arrives with another issue)."""
    from service.cli.main import app  # at run time: service.cli.main imports this module

    return "serve" in typer.main.get_command(app).commands  # type: ignore[attr-defined]


class Up:
    """Builds the child specs and starts them in order, recording what runs."""

    def __init__(self, cfg: Settings, host: str, stack: Stack) -> None:
        self.cfg = cfg
        self.host = host
        self.stack = stack
        self.logs = cfg.home / "logs"
        self.prefect_home = cfg.home / "prefect"
        self.state: dict[str, Any] = {"children": {}, "urls": {}}

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        apply_prefect_defaults(env)
        env.update(
            PREFECT_API_URL=self.state["urls"]["prefect_api"],
            PREFECT_HOME=str(self.prefect_home),
            NIGHTSHIFT_HOME=str(self.cfg.home),
        )
        return env

    def launch(self, name: str, argv: list[str], env: dict[str, str], probe: Probe) -> Child:
        child = self.stack.launch(
            ChildSpec(name=name, argv=argv, log=self.logs / f"{name}.log", env=env, ready=probe)
        )
        self.state["children"][name] = {"pid": child.pid, "log": str(child.spec.log)}
        _say(f"starting {name} (log {child.spec.log})")
        return child

    def prefect_server(self, port: int) -> Child:
        root = f"http://{self.host}:{port}"
        self.state["urls"].update(prefect_ui=root, prefect_api=f"{root}/api")
        env = self.child_env()
        self.prefect_home.mkdir(parents=True, exist_ok=True)
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = (
            f"sqlite+aiosqlite:///{self.prefect_home / 'prefect.db'}"
        )
        argv = _python("prefect", "server", "start", "--host", self.host, "--port", str(port))
        return self.launch("prefect-server", argv, env, lambda: http_answers(f"{root}/api/health"))

    def simulator(self, port: int) -> Child | None:
        root = f"http://{self.host}:{port}"
        self.state["urls"]["simulator"] = root
        if http_answers(f"{root}/simulator/config"):
            _say(f"using the provider simulator already running at {root}")
            return None
        _require_free(self.host, port, "--simulator-port")
        argv = _python("service.cli", "simulator", "--host", self.host, "--port", str(port))
        config_url = f"{root}/simulator/config"
        return self.launch("simulator", argv, self.child_env(), lambda: http_answers(config_url))

    def worker(self) -> Child:
        pool = self.cfg.deployments.work_pool
        api_url = self.state["urls"]["prefect_api"]
        self.state["work_pool"] = pool
        argv = _python(
            "prefect", "worker", "start", "--pool", pool, "--type", "process",
            "--name", WORKER_NAME, "--install-policy", "never",
        )  # fmt: skip
        return self.launch("worker", argv, self.child_env(), lambda: _worker_online(api_url, pool))

    def api(self, port: int) -> Child:
        root = f"http://{self.host}:{port}"
        self.state["urls"]["api"] = root
        argv = _python("service.cli", "serve", "--host", self.host, "--port", str(port))
        return self.launch("api", argv, self.child_env(), lambda: http_answers(f"{root}/readyz"))

    def run(self, prefect_port: int, api_port: int | None, sim_port: int | None) -> None:
        """Start everything; what does not depend on another starts at the same time."""
        server = self.prefect_server(prefect_port)
        # The API never waits on Prefect (DESIGN 9) and the simulator on nothing: overlap them.
        others = [self.simulator(sim_port) if sim_port is not None else None]
        others.append(self.api(api_port) if api_port is not None else None)
        self.stack.wait_ready(server)
        others.append(self.worker())  # it creates the pool if deploy has not yet
        _deploy(self.cfg, self.state["urls"]["prefect_api"], self.state)
        for child in others:
            if child is not None:
                self.stack.wait_ready(child)
                _say(f"{child.name} is ready")


def up_command(
    prefect_port: Annotated[int, typer.Option(help="Port of the Prefect server and UI.")] = 4200,
    api_port: Annotated[int, typer.Option(help="Port of the nightshift HTTP API.")] = 8000,
    simulator_port_option: Annotated[
        int | None,
        typer.Option(
            "--simulator-port",
            help="Port of the provider simulator (default: the simulator routes' port, 8300).",
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Address every service binds to.")] = "127.0.0.1",
    startup_timeout: Annotated[
        float, typer.Option(min=5, help="Seconds each service may take to become ready.")
    ] = 180.0,
) -> None:
    """Start Prefect (UI), a worker, the API and the simulator; Ctrl-C stops them all."""
    cfg = settings(check_secrets=True)
    state_file = cfg.home / STATE_FILE
    _refuse_a_second_stack(state_file)
    sim_port = simulator_port(cfg, simulator_port_option)
    serve = _has_serve_command()
    _require_free(host, prefect_port, "--prefect-port")
    if serve:
        _require_free(host, api_port, "--api-port")
    with reported_errors():
        init_home(cfg)
    stop = threading.Event()
    stack = Stack(stop, startup_timeout)
    up = Up(cfg, host, stack)
    code = 0
    with stop_on_signals(stop):
        try:
            up.run(prefect_port, api_port if serve else None, sim_port)
            _write_state(state_file, up.state)
            _print_ready(up.state, serve, sim_port is not None)
            exited = stack.watch()
            if exited is not None:
                code = 1
                err_console.print(
                    f"[bold red]error:[/] {exited.name} exited with code "
                    f"{exited.process.returncode}; see {exited.spec.log}. Stopping the rest.",
                    highlight=False,
                )
        except Interrupted:
            pass
        except NightshiftError as exc:
            code = 1
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        finally:
            _say("stopping every child")
            stack.stop()
            state_file.unlink(missing_ok=True)
    _say("stopped every child")
    raise typer.Exit(code)


def _deploy(cfg: Settings, api_url: str, state: dict[str, Any]) -> None:
    registration = asyncio.run(register(cfg, api_url))
    state["deployments"] = [d.name for d in registration.deployments]
    for info in registration.deployments:
        schedule = ", ".join(f"{s.get('cron')} {s.get('timezone')}" for s in info.schedules)
        _say(f"deployed {info.name} (queue {info.work_queue}{', ' + schedule if schedule else ''})")
    for note in registration.skipped:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)


def _say(text: str) -> None:
    err_console.print(f"[bold]==[/] {text}", highlight=False, soft_wrap=True)


def _refuse_a_second_stack(state_file: Path) -> None:
    """One ``nightshift up`` per home: a second would share its SQLite files and ports."""
    try:
        pid = int(json.loads(state_file.read_text())["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return  # no state file, or the stack that wrote it is gone
    fail(
        f"nightshift up is already running for this home (pid {pid}): stop it with Ctrl-C there, "
        f"or delete {state_file} if that pid is not nightshift"
    )


def _write_state(path: Path, state: dict[str, Any]) -> None:
    path.write_text(json.dumps({**state, "pid": os.getpid()}, indent=2) + "\n")


def _print_ready(state: dict[str, Any], serve: bool, simulator: bool) -> None:
    urls = state["urls"]
    lines = [
        "nightshift is up — Ctrl-C stops everything",
        f"  Prefect UI      {urls['prefect_ui']}",
        f"  Prefect API     {urls['prefect_api']}",
        f"  nightshift API  {urls['api']}"
        if serve
        else "  nightshift API  not started: this build has no `nightshift serve` command",
        f"  worker          pool {state['work_pool']}: queues {URGENT_QUEUE} (priority 1), "
        f"{BULK_QUEUE} (priority 10)",
    ]
    if simulator:
        lines.append(
            f"  simulator       {urls['simulator']} (provider SIMULATOR, not a real model)"
        )
    lines.append("logs:")
    lines += [f"  {name:<15} {info['log']}" for name, info in state["children"].items()]
    out_console.print("\n".join(lines), highlight=False, markup=False, soft_wrap=True)
