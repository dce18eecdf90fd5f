"""Prefect settings nightshift relies on, applied at process start unless the operator set them.

DESIGN 1 measured a default SQLite Prefect server recording only ~35 task runs/s, and a burst
leaving task runs RUNNING forever when its event queue overflowed; raising the recorder and
persister batch sizes to 200 fixed it. Analytics are off: the machines are offline by policy.
The ephemeral server (the demo, `nightshift run` without PREFECT_API_URL) may take 120 s to start
instead of Prefect's 20: measured 7–19 s here on a quiet 2-core machine, and a start-up timed out
at 20 s while the machine was busy.
"""

from __future__ import annotations

from collections.abc import MutableMapping

PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "200",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "200",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_BATCH_SIZE": "200",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_READ_BATCH_SIZE": "200",
}
#: For this process only, when it starts an ephemeral server (not a setting of a real server).
EPHEMERAL_DEFAULTS = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}


def apply_prefect_defaults(environ: MutableMapping[str, str]) -> None:
    """Fill in the settings above where the environment does not set them already."""
    for name, value in (PREFECT_DEFAULTS | EPHEMERAL_DEFAULTS).items():
        environ.setdefault(name, value)
