"""Prefect deployments of nightshift: the work pool, its queues, the schedules (issue 7).

``definitions`` builds the deployments from the settings; ``register`` applies them to a
Prefect API, idempotently, and reads them back. Nothing here imports ``service``.
"""

from deployments.definitions import (
    BULK_QUEUE,
    NIGHTLY_DEPLOYMENT,
    REPORT_DEPLOYMENT,
    RERUN_DEPLOYMENT,
    URGENT_QUEUE,
    nightly_deployment,
    queue_specs,
    report_deployment,
    report_flow,
    rerun_deployment,
)
from deployments.register import (
    DeploymentError,
    DeploymentInfo,
    Registration,
    configured_api_url,
    register,
)

__all__ = [
    "BULK_QUEUE",
    "NIGHTLY_DEPLOYMENT",
    "REPORT_DEPLOYMENT",
    "RERUN_DEPLOYMENT",
    "URGENT_QUEUE",
    "DeploymentError",
    "DeploymentInfo",
    "Registration",
    "configured_api_url",
    "nightly_deployment",
    "queue_specs",
    "register",
    "report_deployment",
    "report_flow",
    "rerun_deployment",
]
