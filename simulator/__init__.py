"""The OpenAI-compatible provider SIMULATOR: not a real model.

It serves the demo, the tests and the benchmarks: real rate-limit headers per API key, latency,
seeded faults (server errors, hangs, malformed and empty answers), JSON following a requested
schema (or one written in the prompt) with values grounded in the e-mail, answers in Russian,
Kazakh or English, and the Files and Batch APIs, with a request log to compare against. It
stands apart from the product: it imports nothing from ``storage``, ``compliance``, ``flows`` or
``service``, and only ``nightshift simulator`` and ``nightshift demo`` import it (import-linter).

    from simulator import SimulatorConfig, create_app, run_simulator_in_thread

    with run_simulator_in_thread(SimulatorConfig(rpm=60, seed=7)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="route-a")
"""

from simulator.app import SimulatorState, create_app
from simulator.cli import simulator_command
from simulator.config import SimulatorConfig
from simulator.engine import CompletionEngine, SimResponse
from simulator.limits import format_duration
from simulator.requestlog import LogEntry, Outcome, RequestLog
from simulator.server import run_simulator_in_thread
from simulator.tokens import prompt_tokens, text_tokens

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
