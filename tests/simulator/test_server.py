"""The simulator over real loopback HTTP, its CLI, and its import boundary."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jsonschema
import openai
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from simulator import SimulatorConfig, run_simulator_in_thread, simulator_command
from simulator.cli import print_banner

SCHEMA = {
    "type": "object",
    "properties": {
        "decision": {"enum": ["approve", "decline"]},
        "comment": {"type": ["string", "null"]},
    },
    "required": ["decision", "comment"],
    "additionalProperties": False,
}


def test_the_sdk_talks_to_the_simulator_over_loopback_http() -> None:
    with run_simulator_in_thread(SimulatorConfig(rpm=2, seed=4)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="loopback", max_retries=0)
        with client:
            completion = client.chat.completions.create(
                model="small-model",
                messages=[{"role": "user", "content": "decline please"}],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "decision", "schema": SCHEMA, "strict": True},
                },
            )
            client.chat.completions.create(
                model="small-model", messages=[{"role": "user", "content": "again"}]
            )
            with pytest.raises(openai.RateLimitError) as caught:
                client.chat.completions.create(
                    model="small-model", messages=[{"role": "user", "content": "third"}]
                )
        log = httpx.get(f"{url}/simulator/requests").json()
    answer = json.loads(completion.choices[0].message.content or "")
    jsonschema.validate(answer, SCHEMA)
    assert answer["decision"] == "decline"
    assert caught.value.response.headers["x-nightshift-simulator"] == "1"
    assert int(caught.value.response.headers["retry-after"]) >= 59
    assert log["counts"]["ok"] == 2
    assert log["counts"]["rate_limited"] == 1


HANG_S = 6.0


def test_a_hanging_request_times_out_the_client_while_others_are_answered() -> None:
    config = SimulatorConfig(hang_rate=1.0, hang_seconds=HANG_S)
    with run_simulator_in_thread(config) as url, httpx.Client(base_url=url) as http:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0, timeout=0.2)
        with client, pytest.raises(openai.APITimeoutError):
            client.chat.completions.create(
                model="small-model", messages=[{"role": "user", "content": "hi"}]
            )
        started = time.monotonic()
        health = http.get("/health")
        answered_in = time.monotonic() - started
        log = http.get("/simulator/requests").json()
    assert health.status_code == 200
    # Answered while the hung request still hangs: not queued behind it (no tighter bound: a
    # busy machine once took 2 s to answer, which says nothing about the simulator).
    assert answered_in < HANG_S - 1.0
    assert log["counts"]["hang"] == 1


def test_the_thread_server_stops_cleanly_and_frees_its_port() -> None:
    with run_simulator_in_thread(SimulatorConfig()) as url:
        assert httpx.get(f"{url}/v1/models").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/v1/models")


def cli() -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command("simulator")(simulator_command)
    return app


def test_the_cli_refuses_a_fault_rate_above_one() -> None:
    result = CliRunner().invoke(cli(), ["--fail-rate", "1.5"])
    assert result.exit_code == 2
    assert "--fail-rate" in result.output


def test_the_cli_refuses_fault_rates_that_sum_above_one() -> None:
    result = CliRunner().invoke(cli(), ["--fail-rate", "0.6", "--empty-rate", "0.6"])
    assert result.exit_code == 2
    assert "must not exceed 1" in " ".join(result.output.replace("│", " ").split())


def test_the_banner_says_it_is_a_simulator_and_shows_the_settings() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120)
    print_banner(SimulatorConfig(rpm=60, fail_rate=0.1), "http://127.0.0.1:8300", console)
    text = buffer.getvalue()
    assert "nightshift provider SIMULATOR — not a real model" in text
    assert "http://127.0.0.1:8300/v1" in text
    assert "fail_rate" in text and "0.1" in text


def test_the_simulator_imports_no_product_package_or_openai() -> None:
    code = (
        "import sys, simulator; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'storage', 'compliance', 'flows', 'service', 'deployments', 'openai'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_every_setting_and_cli_option_is_in_the_simulator_doc() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text()
    fields = [field.name for field in dataclasses.fields(SimulatorConfig)]
    options = [
        option
        for param in typer.main.get_command(cli()).params
        for option in param.opts
        if option != "--help"
    ]
    missing = [name for name in [*fields, *options] if f"`{name}`" not in doc]
    assert missing == []
