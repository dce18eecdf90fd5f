"""`nightshift init` creates the home, migrates and creates the data key; again, it is a no-op."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from storage.migrate import head_revision

runner = CliRunner()


def test_init_creates_a_private_home_with_a_data_key(home: Path) -> None:
    result = runner.invoke(app, ["init", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["key_created"] is True
    assert report["migrated_to"] == head_revision()
    keys = list((home / "keys").glob("data-*.key"))
    assert len(keys) == 1
    assert stat.S_IMODE(keys[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_init_twice_keeps_the_key_and_the_data(home: Path) -> None:
    first = json.loads(runner.invoke(app, ["init", "--json"]).stdout)
    second = json.loads(runner.invoke(app, ["init", "--json"]).stdout)
    assert second["key_created"] is False
    assert second["key_id"] == first["key_id"]
    assert second["migrated_from"] == second["migrated_to"]
    assert second["created"] == []


def test_init_refuses_an_invalid_configuration_with_a_clear_message(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[storage]\nregion = "US"\n')
    monkeypatch.setenv("NIGHTSHIFT_CONFIG", str(config))
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert "the store is declared in region US but data must stay in KZ" in result.stderr
    assert not home.exists()
