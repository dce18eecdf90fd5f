"""The operator CLI ``nightshift``.

Every command that reports has ``--json``; progress goes to stderr so stdout stays parseable.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from flows.context import init_home
from flows.prefect_env import apply_prefect_defaults
from sampledata.cli import sample_data_command
from service.cli.audit import audit_app
from service.cli.demo import demo_command
from service.cli.deploy import deploy_command
from service.cli.doctor import doctor_command
from service.cli.ingest import ingest_command
from service.cli.keys import keys_app
from service.cli.mask import mask_command
from service.cli.plan import plan_command
from service.cli.report import report_command
from service.cli.run import process_command, run_app
from service.cli.serve import serve_command
from service.cli.support import out_console, print_json, reported_errors, settings
from service.cli.up import up_command
from simulator.cli import simulator_command

app = typer.Typer(
    name="nightshift",
    no_args_is_help=True,
    add_completion=False,
    help="nightshift: LLM document work for regulated teams, behind one compliance gateway.",
)


@app.callback()
def main() -> None:
    """nightshift: LLM document work for regulated teams, behind one compliance gateway."""
    apply_prefect_defaults(os.environ)


JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


@app.command("init")
def init_command(json_output: JsonFlag = False) -> None:
    """Create NIGHTSHIFT_HOME, migrate the database and create the data key (idempotent)."""
    cfg = settings()
    with reported_errors():
        report = init_home(cfg)
    if json_output:
        print_json(report.as_dict())
        return
    moved = (
        f"migrated {report.migrated_from or 'empty'} -> {report.migrated_to}"
        if report.migrated_from != report.migrated_to
        else f"already at {report.migrated_to}"
    )
    out_console.print(f"home      {report.home}")
    out_console.print(f"database  {report.database} ({moved})")
    key = "created" if report.key_created else "present"
    out_console.print(f"data key  {report.key_id} ({key})")


app.command("demo")(demo_command)
app.command("ingest")(ingest_command)
app.command("mask")(mask_command)
app.command("sample-data")(sample_data_command)
app.command("simulator")(simulator_command)
app.command("process")(process_command)
app.command("deploy")(deploy_command)
app.command("up")(up_command)
app.command("doctor")(doctor_command)
app.command("serve")(serve_command)
app.command("report")(report_command)
app.command("plan")(plan_command)
app.add_typer(run_app, name="run")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")


if __name__ == "__main__":
    app()
