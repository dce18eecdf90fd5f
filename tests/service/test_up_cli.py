"""``nightshift up``: every service answers, and Ctrl-C leaves no child process behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from service.cli import app
from service.cli.stack import http_answers

NIGHTSHIFT = str(Path(sys.executable).with_name("nightshift"))
#: A loaded 2-core machine needs most of this for a fresh Prefect server (its migrations).
READY_TIMEOUT_S = 240


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def simulator_config(home: Path, port: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "nightshift.toml").write_text(
        f"""
[routes.default]
base_url = "http://127.0.0.1:{port}/v1"
api_key = "nightshift-simulator"
model = "simulator"
region = "KZ"
simulator = true
"""
    )


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def workers(api_url: str, pool: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{api_url}/work_pools/{pool}/workers/filter",
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        found: list[dict[str, Any]] = json.load(response)
    return found


@pytest.fixture
def up_process(
    home: Path, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], dict[str, int]]]:
    ports = {"prefect": free_port(), "api": free_port(), "simulator": free_port()}
    simulator_config(home, ports["simulator"])
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-client"),
        "PREFECT_PROFILES_PATH": str(tmp_path / "profiles.toml"),
    }
    env.pop("PREFECT_API_URL", None)
    argv = [
        NIGHTSHIFT, "up", "--prefect-port", str(ports["prefect"]), "--api-port", str(ports["api"]),
        "--startup-timeout", str(READY_TIMEOUT_S),
    ]  # fmt: skip
    with (tmp_path / "up.out").open("wb") as out, (tmp_path / "up.err").open("wb") as err:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err, start_new_session=True)
    try:
        yield process, ports
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for_state(
    process: subprocess.Popen[bytes], state_file: Path, tmp_path: Path
) -> dict[str, Any]:
    deadline = time.monotonic() + READY_TIMEOUT_S + 30
    while not state_file.exists():
        assert process.poll() is None, (tmp_path / "up.err").read_text()
        assert time.monotonic() < deadline, (tmp_path / "up.err").read_text()
        time.sleep(0.5)
    state: dict[str, Any] = json.loads(state_file.read_text())
    return state


@pytest.mark.slow
def test_up_serves_the_ui_and_api_and_ctrl_c_stops_every_child(
    up_process: tuple[subprocess.Popen[bytes], dict[str, int]], home: Path, tmp_path: Path
) -> None:
    process, ports = up_process
    state = wait_for_state(process, home / "up.json", tmp_path)
    children = state["children"]
    try:
        urls = state["urls"]
        assert urls["prefect_ui"] == f"http://127.0.0.1:{ports['prefect']}"
        assert http_answers(f"{urls['prefect_api']}/health")
        assert http_answers(urls["prefect_ui"])  # the UI itself
        assert http_answers(f"{urls['simulator']}/simulator/config")
        assert [w["status"] for w in workers(urls["prefect_api"], "nightshift")] == ["ONLINE"]
        expected = {"prefect-server", "simulator", "worker"}
        if "serve" in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
            expected.add("api")
            assert urls["api"] == f"http://127.0.0.1:{ports['api']}"
            assert http_answers(f"{urls['api']}/healthz")
            assert http_answers(f"{urls['api']}/readyz")
        assert set(children) == expected
        for info in children.values():
            assert Path(info["log"]).parent == home / "logs"
            assert Path(info["log"]).stat().st_size > 0
        printed = (tmp_path / "up.out").read_text()
        assert f"Prefect UI      http://127.0.0.1:{ports['prefect']}" in printed
        assert f"Prefect API     http://127.0.0.1:{ports['prefect']}/api" in printed
        assert str(home / "logs" / "worker.log") in printed
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0, (tmp_path / "up.err").read_text()
    assert [name for name, info in children.items() if group_alive(info["pid"])] == []
    assert not (home / "up.json").exists()
    assert "stopped every child" in (tmp_path / "up.err").read_text()


def test_up_refuses_a_port_in_use(home: Path) -> None:
    simulator_config(home, free_port())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["up", "--prefect-port", str(port)])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"port {port} on 127.0.0.1 is in use" in message
    assert "--prefect-port" in message
    assert not (home / "logs").exists()


def test_up_refuses_a_simulator_port_the_routes_do_not_call(home: Path) -> None:
    routes_port = free_port()
    simulator_config(home, routes_port)
    result = CliRunner().invoke(app, ["up", "--simulator-port", str(routes_port + 1)])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert f"differs from the port the simulator routes call ({routes_port})" in message


def test_up_refuses_a_second_stack_on_the_same_home(home: Path) -> None:
    simulator_config(home, free_port())
    (home / "up.json").write_text(json.dumps({"pid": os.getpid(), "children": {}}))
    result = CliRunner().invoke(app, ["up"])
    assert result.exit_code == 2
    assert f"already running for this home (pid {os.getpid()})" in " ".join(result.stderr.split())
