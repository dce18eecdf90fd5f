"""The OpenAI-compatible provider SIMULATOR: not a real model.

It serves the demo, the tests and the benchmarks: real rate-limit headers per API key, latency,
seeded faults (server errors, hangs, malformed and empty answers), JSON following a requested
schema (or one written in the prompt) with values grounded in the e-mail, answers in Russian,
Kazakh or English, and the Files and Batch APIs, with a request log to compare against. It
imports nothing from ``storage``, ``compliance`` or ``flows``.

    from service.simulator import SimulatorConfig, create_app, run_simulator_in_thread

    with run_simulator_in_thread(SimulatorConfig(rpm=60, seed=7)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="route-a")
"""

from service.simulator.app import SimulatorState, create_app
from service.simulator.cli import simulator_command
from service.simulator.config import SimulatorConfig
from service.simulator.engine import CompletionEngine, SimResponse
from service.simulator.limits import format_duration
from service.simulator.requestlog import LogEntry, Outcome, RequestLog
from service.simulator.server import run_simulator_in_thread
from service.simulator.tokens import prompt_tokens, text_tokens

__all__ = [
    "CompletionEngine",
    "LogEntry",
    "Outcome",
    "RequestLog",
    "SimResponse",
    "SimulatorConfig",
    "SimulatorState",
    "create_app",
    "format_duration",
    "prompt_tokens",
    "run_simulator_in_thread",
    "simulator_command",
    "text_tokens",
]
