"""Settings load from env and TOML, and refuse to start with a message a person can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.residency import RouteResidency
from flows.config import PrivacyConfig
from flows.settings import ConfigError, load_settings

ISSUE_SHAPE = """
[residency]
country = "KZ"
allow_masked_export = false
[billing]
currency = "KZT"
[routes.fast]
base_url = "http://127.0.0.1:8300/v1"
api_key_env = "FAST_KEY"
model = "small-model"
region = "KZ"
rpm = 500
tpm = 200000
price_input_per_1m = 75.0
price_output_per_1m = 300.0
timeout_s = 30
structured_output = "json_schema"
[routes.strong]
base_url = "http://127.0.0.1:8300/v1"
api_key = "strong-secret"
model = "strong-model"
region = "KZ"
structured_output = "json_object"
[steps]
extract = { route = "fast", escalate_to = "strong" }
categorize = { route = "fast", escalate_to = "strong" }
draft = { route = "strong" }
[nightly]
schedule = "0 1 * * *"
timezone = "Asia/Almaty"
window_end = "05:00"
chunk_size = 100
concurrency = 32
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("NIGHTSHIFT_DATABASE_URL", "NIGHTSHIFT_CONFIG", "FAST_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NIGHTSHIFT_HOME", str(tmp_path / "home"))
    return tmp_path


def write_config(env: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = env / "nightshift.toml"
    path.write_text(text)
    monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(path))
    return path


def test_without_a_config_file_one_route_points_at_the_simulator(env: Path) -> None:
    settings = load_settings()
    assert list(settings.routes) == ["default"]
    route = settings.routes["default"]
    assert route.base_url == "http://127.0.0.1:8300/v1"
    assert route.simulator
    assert settings.step_routes.draft.route == "default"
    assert settings.database_url == f"sqlite:///{env / 'home' / 'nightshift.db'}"


def test_the_database_url_variable_overrides_the_sqlite_default(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIGHTSHIFT_DATABASE_URL", "postgresql://postgres@db/nightshift")
    assert load_settings().database_url == "postgresql://postgres@db/nightshift"


def test_the_documented_toml_shape_loads(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(env, monkeypatch, ISSUE_SHAPE)
    monkeypatch.setenv("FAST_KEY", "fast-secret")
    settings = load_settings()
    assert settings.routes["fast"].rpm == 500
    assert settings.routes["strong"].structured_output == "json_object"
    assert settings.step_routes.extract.escalate_to == "strong"
    assert settings.nightly.timezone == "Asia/Almaty"
    assert settings.api_key("fast") == "fast-secret"
    assert settings.billing.currency == "KZT"


def test_the_config_file_defaults_to_the_one_in_the_home(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (env / "home").mkdir()
    (env / "home" / "nightshift.toml").write_text("[nightly]\nconcurrency = 7\n")
    assert load_settings().nightly.concurrency == 7


def test_environment_variables_override_the_file(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(env, monkeypatch, "[nightly]\nconcurrency = 7\n")
    monkeypatch.setenv("NIGHTSHIFT_NIGHTLY__CONCURRENCY", "9")
    assert load_settings().nightly.concurrency == 9


def test_a_missing_api_key_variable_refuses_to_start_and_names_it(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(env, monkeypatch, ISSUE_SHAPE)
    with pytest.raises(ConfigError, match=r"FAST_KEY, which is not set; export FAST_KEY"):
        load_settings()


def test_a_step_naming_an_unknown_route_refuses_to_start(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        env,
        monkeypatch,
        ISSUE_SHAPE.replace('escalate_to = "strong" }\ncat', 'escalate_to = "strongest" }\ncat'),
    )
    with pytest.raises(ConfigError, match=r"steps.extract.escalate_to names route 'strongest'"):
        load_settings(check_secrets=False)


def test_a_route_outside_the_home_country_loads_and_its_calls_are_refused(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        env,
        monkeypatch,
        ISSUE_SHAPE.replace('region = "KZ"\nstructured', 'region = "DE"\nstructured'),
    )
    settings = load_settings(check_secrets=False)
    assert settings.routes["strong"].region == "DE"
    assert settings.residency.route_status("DE") is RouteResidency.REFUSED
    assert settings.residency.route_status("KZ") is RouteResidency.IN_COUNTRY
    problem = settings.residency.route_problem("strong", "DE") or ""
    assert problem.startswith("route 'strong' is in region DE but data must stay in KZ")


def test_masked_export_policy_lets_a_foreign_route_take_masked_text_only(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ISSUE_SHAPE.replace('region = "KZ"\nstructured', 'region = "DE"\nstructured')
    write_config(
        env, monkeypatch, text.replace("allow_masked_export = false", "allow_masked_export = true")
    )
    settings = load_settings(check_secrets=False)
    assert settings.routes["strong"].region == "DE"
    assert settings.residency.route_status("DE") is RouteResidency.MASKED_EXPORT
    assert settings.residency.route_problem("strong", "DE") is None


def test_a_store_outside_the_home_country_refuses_to_start_even_with_masked_export(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ISSUE_SHAPE.replace("allow_masked_export = false", "allow_masked_export = true")
    write_config(env, monkeypatch, text + '[storage]\nregion = "NL"\n')
    with pytest.raises(ConfigError, match=r"store is declared in region NL"):
        load_settings(check_secrets=False)


def test_every_problem_is_listed_at_once(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(
        env,
        monkeypatch,
        '[nightly]\nwindow_end = "5am"\ntimezone = "Mars/Olympus"\nchunk_size = 0\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "nightly.window_end: window_end must be HH:MM" in message
    assert "nightly.timezone: unknown time zone 'Mars/Olympus'" in message
    assert "nightly.chunk_size" in message


def test_a_misspelled_key_is_refused_rather_than_ignored(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(env, monkeypatch, "[nightly]\nconcurency = 4\n")
    with pytest.raises(ConfigError, match=r"nightly.concurency: Extra inputs are not permitted"):
        load_settings()


def test_a_lease_timeout_shorter_than_two_heartbeats_refuses_to_start(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(env, monkeypatch, "[nightly]\nheartbeat_s = 10\nlease_timeout_s = 15\n")
    with pytest.raises(ConfigError, match=r"lease_timeout_s \(15\) must be at least twice"):
        load_settings()


def test_invalid_toml_says_where(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(env, monkeypatch, "[nightly\n")
    with pytest.raises(ConfigError, match=rf"{path} is not valid TOML"):
        load_settings()


def test_a_named_config_file_that_does_not_exist_is_an_error(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(env / "nope.toml"))
    with pytest.raises(ConfigError, match=r"nope.toml, which does not exist"):
        load_settings()


def test_several_routes_without_steps_ask_for_steps(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ISSUE_SHAPE.split("[steps]")[0]
    write_config(env, monkeypatch, text)
    with pytest.raises(ConfigError, match=r"\[steps\] is missing"):
        load_settings(check_secrets=False)


@pytest.mark.parametrize(
    ("workers", "documents", "cpus", "expected"),
    [
        (0, 499, 8, 1),  # auto, a small run: in-process (the processes would not pay back)
        (0, 500, 8, 2),  # auto, a large run: two masking processes
        (0, 10_000, 1, 1),  # auto on one core: in-process
        (0, 10_000, None, 1),  # core count unknown: in-process
        (1, 10_000, 8, 1),  # explicit: in-process
        (4, 3, 8, 4),  # explicit: always that many
    ],
)
def test_masking_processes_follow_the_run_size_when_automatic(
    workers: int, documents: int, cpus: int | None, expected: int
) -> None:
    config = PrivacyConfig(mask_workers=workers)
    assert config.mask_processes(documents, cpus) == expected


BATCH_SHAPE = ISSUE_SHAPE.replace(
    'structured_output = "json_schema"\n',
    'structured_output = "json_schema"\nmode = "batch"\nbatch_price_factor = 0.4\n'
    "batch_max_requests = 1000\nbatch_max_bytes = 1048576\noutput_expires_after = 7200\n",
).replace('draft = { route = "strong" }', 'draft = { route = "strong", mode = "flex" }')


def test_a_step_runs_in_its_own_mode_else_its_routes(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        env,
        monkeypatch,
        BATCH_SHAPE.replace(
            'categorize = { route = "fast", escalate_to = "strong" }',
            'categorize = { route = "fast", escalate_to = "strong", mode = "online" }',
        ),
    )
    settings = load_settings(check_secrets=False)
    fast, strong = settings.routes["fast"], settings.routes["strong"]
    assert (fast.mode, strong.mode) == ("batch", "online")
    assert [settings.step_mode(step) for step in ("extract", "categorize", "draft")] == [
        "batch",  # the route's
        "online",  # the step's own, over the route's batch
        "flex",  # the step's own, over the route's online
    ]
    assert (fast.batch_max_requests, fast.batch_max_bytes) == (1000, 1048576)
    assert (str(fast.batch_price_factor), fast.output_expires_after) == ("0.4", 7200)
    assert (fast.batch_completion_window, fast.completion_window_s) == ("24h", 86400)


def test_batch_settings_default_to_half_price_and_one_hour_at_the_provider(
    env: Path,
) -> None:
    route = load_settings().routes["default"]
    assert route.mode == "online"
    assert str(route.batch_price_factor) == "0.5"
    assert route.output_expires_after == 3600
    assert (route.batch_max_requests, route.batch_max_bytes) == (50_000, 200 * 1024 * 1024)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('mode = "bulk"', r"routes.fast.mode"),
        ("batch_price_factor = 0", r"routes.fast.batch_price_factor"),
        ("batch_price_factor = 1.5", r"routes.fast.batch_price_factor"),
        ('batch_completion_window = "1d"', r"batch_completion_window must be hours"),
        ("batch_max_requests = 50001", r"routes.fast.batch_max_requests"),
        ("batch_max_bytes = 300000000", r"routes.fast.batch_max_bytes"),
        ("output_expires_after = 60", r"routes.fast.output_expires_after"),
        ("output_expires_after = 2592001", r"routes.fast.output_expires_after"),
    ],
)
def test_batch_settings_out_of_range_refuse_to_start(
    env: Path, monkeypatch: pytest.MonkeyPatch, line: str, problem: str
) -> None:
    write_config(
        env, monkeypatch, ISSUE_SHAPE.replace("timeout_s = 30\n", f"timeout_s = 30\n{line}\n", 1)
    )
    with pytest.raises(ConfigError, match=problem):
        load_settings(check_secrets=False)


def test_a_step_mode_outside_the_three_refuses_to_start(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        env,
        monkeypatch,
        ISSUE_SHAPE.replace(
            'draft = { route = "strong" }', 'draft = { route = "strong", mode = "x" }'
        ),
    )
    with pytest.raises(ConfigError, match=r"steps.draft.mode"):
        load_settings(check_secrets=False)
