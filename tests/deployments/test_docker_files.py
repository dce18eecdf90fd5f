"""docker/: what can be checked without Docker.

The compose file parses and wires every service, health check and volume; the Dockerfile is
pinned, non-root and checks its health; each container's command is one this build accepts
(parsed by the real CLI, or its ``--help`` read for Prefect's); the health-check script works.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from flows.settings import Settings
from service.cli import app
from tests.simulated import SimulatorFactory

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
PREFECT = str(Path(sys.executable).with_name("prefect"))
LONG_RUNNING = {"postgres", "prefect-server", "api", "worker", "simulator"}
ONE_SHOT = {"prestart", "deploy"}
NIGHTSHIFT_SERVICES = {"prefect-server", "prestart", "deploy", "api", "worker", "simulator"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return data


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (DOCKER / "Dockerfile").read_text()


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DOCKER / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def argv_of(service: dict[str, Any]) -> list[str]:
    """The container's argv: entrypoint (the image's: nightshift) + command, interpolated."""
    entrypoint = service.get("entrypoint", ["nightshift"])
    defaults = env_example()

    def interpolate(arg: str) -> str:
        return re.sub(
            r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: defaults.get(m[1], m[2] or ""), str(arg)
        )

    return [interpolate(a) for a in [*entrypoint, *service["command"]]]


# -- compose.yaml -----------------------------------------------------------------------------


def test_compose_names_every_service(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == LONG_RUNNING | ONE_SHOT


def test_every_long_running_service_has_a_health_check_and_restarts(
    compose: dict[str, Any],
) -> None:
    for name in LONG_RUNNING:
        service = compose["services"][name]
        assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert service["restart"] == "unless-stopped", name
    for name in ONE_SHOT:
        service = compose["services"][name]
        assert service["healthcheck"] == {"disable": True}, name
        assert service["restart"] == "no", name


def test_the_order_of_start_is_migrations_then_deploy_then_worker(
    compose: dict[str, Any],
) -> None:
    conditions = {
        name: {dep: spec["condition"] for dep, spec in service.get("depends_on", {}).items()}
        for name, service in compose["services"].items()
    }
    assert conditions["prefect-server"] == {"postgres": "service_healthy"}
    assert conditions["prestart"] == {"postgres": "service_healthy"}
    assert conditions["deploy"] == {
        "prestart": "service_completed_successfully",
        "prefect-server": "service_healthy",
    }
    assert conditions["api"] == {"prestart": "service_completed_successfully"}
    assert conditions["worker"] == {"deploy": "service_completed_successfully"}


def test_data_and_keys_live_on_named_volumes(compose: dict[str, Any]) -> None:
    assert set(compose["volumes"]) == {"postgres-data", "nightshift-data", "nightshift-keys"}
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    for name in ("prestart", "deploy", "api", "worker"):
        volumes = compose["services"][name]["volumes"]
        assert "nightshift-data:/var/lib/nightshift" in volumes, name
        assert "nightshift-keys:/var/lib/nightshift/keys" in volumes, name
        assert compose["services"][name]["environment"]["NIGHTSHIFT_HOME"] == "/var/lib/nightshift"


def test_the_prefect_server_and_nightshift_both_use_postgres(compose: dict[str, Any]) -> None:
    services = compose["services"]
    prefect_db = services["prefect-server"]["environment"]["PREFECT_SERVER_DATABASE_CONNECTION_URL"]
    assert prefect_db.startswith("postgresql+asyncpg://") and prefect_db.endswith(
        "@postgres:5432/prefect"
    )
    nightshift_db = services["api"]["environment"]["NIGHTSHIFT_DATABASE_URL"]
    assert nightshift_db.startswith("postgresql://") and "@postgres:5432/" in nightshift_db
    for name in ("prestart", "deploy", "api", "worker"):
        assert services[name]["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    init_script = DOCKER / "initdb" / "10-prefect-database.sh"
    assert "CREATE DATABASE prefect" in init_script.read_text()
    assert subprocess.run(["bash", "-n", str(init_script)], check=False).returncode == 0


def test_the_prefect_server_gets_the_batch_sizes_of_design_1(compose: dict[str, Any]) -> None:
    from flows.prefect_env import PREFECT_DEFAULTS

    environment = compose["services"]["prefect-server"]["environment"]
    assert {k: environment.get(k) for k in PREFECT_DEFAULTS} == PREFECT_DEFAULTS


def test_every_variable_the_compose_file_requires_is_in_the_example_env(
    compose: dict[str, Any],
) -> None:
    text = (DOCKER / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{(\w+)", text))
    required = set(re.findall(r"\$\{(\w+):\?", text))
    example = env_example()
    assert required <= set(example)
    assert set(example) <= used, set(example) - used


def test_the_example_configuration_is_valid_and_names_the_same_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIGHTSHIFT_HOME", str(tmp_path))
    data = tomllib.loads((DOCKER / "nightshift.example.toml").read_text())
    settings = Settings(**data)
    assert settings.deployments.work_pool == env_example()["NIGHTSHIFT_WORK_POOL"]


# -- the commands each container runs, checked outside Docker ---------------------------------


def _nightshift_command(args: list[str]) -> None:
    """Parse ``nightshift <args>`` with the real CLI (unknown commands/options raise)."""
    commands: dict[str, Any] = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    name, *rest = args
    if name not in commands:
        if name == "serve":
            pytest.skip("this build has no `nightshift serve` yet (the HTTP API's issue)")
        pytest.fail(f"`nightshift {name}` does not exist")
    commands[name].make_context(name, list(rest))


def _prefect_command(args: list[str]) -> None:
    """``prefect <subcommand> --help`` runs and lists every option the container passes."""
    words = [a for a in args if not a.startswith("-")]
    subcommand = words[:2]
    result = subprocess.run(
        [PREFECT, *subcommand, "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    for option in (a for a in args if a.startswith("--")):
        assert option in result.stdout, f"prefect {' '.join(subcommand)} has no {option}"


@pytest.mark.parametrize("service", sorted(NIGHTSHIFT_SERVICES))
def test_the_service_command_is_accepted_by_this_build(
    compose: dict[str, Any], service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIGHTSHIFT_HOME", str(tmp_path))
    argv = argv_of(compose["services"][service])
    program, *args = argv
    assert program in {"nightshift", "prefect"}
    if program == "nightshift":
        _nightshift_command(args)
    else:
        _prefect_command(args)


def test_the_image_default_command_is_accepted(dockerfile: str) -> None:
    entrypoint = re.search(r'^ENTRYPOINT \["([^"]+)"\]', dockerfile, re.M)
    command = re.search(r"^CMD \[(.+)\]$", dockerfile, re.M)
    assert entrypoint and command
    assert entrypoint[1] == "nightshift"
    _nightshift_command(re.findall(r'"([^"]+)"', command[1]))


# -- Dockerfile -------------------------------------------------------------------------------


def test_the_base_image_is_slim_and_pinned_by_digest(dockerfile: str) -> None:
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M)
    assert base, "the base image is an ARG"
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", base[1])
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert stages == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]


def test_the_image_runs_as_a_non_root_user_with_a_health_check(dockerfile: str) -> None:
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert "useradd --system --uid 10001" in dockerfile
    assert re.search(r"^HEALTHCHECK .*\\\n\s+CMD \[\"nightshift-healthcheck\"", dockerfile, re.M)


def test_no_build_tools_reach_the_final_stage(dockerfile: str) -> None:
    final = dockerfile.split("AS runtime", 1)[1]
    assert "COPY --from=build /opt/nightshift /opt/nightshift" in final
    assert not re.search(r"apt-get install|build-essential|gcc|pip install", final)


def test_the_image_holds_every_package_of_the_project(dockerfile: str) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    ignore = (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
    for package in packages:
        assert f"COPY {package} ./{package}" in dockerfile, package
        assert f"!{package}/" in ignore, package
    for source in re.findall(r"^COPY (?!--from)(\S+) ", dockerfile, re.M):
        assert (ROOT / source).exists(), source


# -- the health-check script ------------------------------------------------------------------


def healthcheck(*args: str) -> int:
    script = DOCKER / "healthcheck.py"
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, check=False
    ).returncode


def test_the_health_check_passes_when_the_service_answers(simulator: SimulatorFactory) -> None:
    running = simulator()
    assert healthcheck(f"{running.url}/simulator/config") == 0
    assert healthcheck(f"{running.url}/no-such-page") == 1
    assert healthcheck(f"{running.url}/no-such-page", "--any-status") == 0


def test_the_health_check_fails_when_nothing_listens() -> None:
    assert healthcheck("http://127.0.0.1:9/health") == 1
    assert healthcheck("http://127.0.0.1:9/health", "--any-status") == 1
    assert healthcheck() == 2
