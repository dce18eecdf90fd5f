"""``nightshift serve`` checks the home before it starts a server."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_serve_refuses_a_home_that_was_never_initialised(home: Path) -> None:
    result = runner.invoke(app, ["serve", "--port", "1"])

    assert result.exit_code == 2
    assert "nightshift init" in result.stderr
    assert "Traceback" not in result.output
