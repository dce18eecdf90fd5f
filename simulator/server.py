"""Serving the simulator over real HTTP from a background thread (tests, benches, demo)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from simulator.app import create_app
from simulator.config import SimulatorConfig

STARTUP_TIMEOUT_S = 10.0


@contextmanager
def run_simulator_in_thread(
    config: SimulatorConfig, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Run the simulator with uvicorn in a daemon thread; yield its root URL.

    The yielded URL has no path (``http://127.0.0.1:54321``): give ``f"{url}/v1"`` to the
    ``openai`` SDK as ``base_url``. Port 0 picks a free port. On exit the server stops
    accepting, waits up to 1 s for open requests (a simulated hang is cancelled) and the
    thread is joined.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    bound_port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="h11",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="nightshift-simulator", daemon=True
    )
    thread.start()
    try:
        _wait_started(server, thread)
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_S)
        listener.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the nightshift simulator did not start; see the log above")
        time.sleep(0.01)
