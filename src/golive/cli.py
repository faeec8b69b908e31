"""The `golive` command line. Each area lives in its own module; this file only wires them."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from golive import __version__
from golive.errors import ExitCode, GoLiveError

err = Console(stderr=True, soft_wrap=True)  # messages stay whole (paths, file:line)

app = typer.Typer(
    name="golive",
    help=(
        "Go-live readiness harness for money platforms.\n\n"
        "Proves, with signed evidence, that the canary money loop works end to end, that a "
        "rollback loses no money, that the database restores within its RTO/RPO, that ledger "
        "invariants hold, and that the environment and hypercare probes are ready.\n\n"
        "Start with `golive doctor` (what this machine can run), then `golive run` "
        "(a full readiness run against the embedded reference platform). "
        "Exit codes: 0 GO, 1 NO-GO, 2 usage or configuration error, 3 INCONCLUSIVE."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"golive {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """Go-live readiness harness for money platforms."""


def _register() -> None:
    # Sub-commands, one module per area. Imported here so `golive --help` lists them all.
    from golive.postgres.cli import doctor, postgres_app
    from golive.run.command import run

    app.command("run")(run)
    from golive.run.catalog import steps_command

    app.command("steps")(steps_command)
    app.command("doctor")(doctor)
    app.add_typer(postgres_app, name="postgres")
    from golive.envcheck.cli import env_app

    app.add_typer(env_app, name="env")
    from golive.ops.cli import ops_app

    app.add_typer(ops_app, name="ops")
    from golive.psp.cli import psp_app

    app.add_typer(psp_app, name="psp")
    from golive.evidence.cli import keys_app, report, verify

    app.command("verify")(verify)
    from golive.closeout.cli import closeout

    app.command("closeout")(closeout)
    from golive.runbook.cli import runbook_app

    app.add_typer(runbook_app, name="runbook")
    app.command("report")(report)
    app.add_typer(keys_app, name="keys")
    from golive.drills.restore.cli import restore as drill_restore
    from golive.drills.rollback.cli import drill_app  # the `drill` group: rollback (restore)

    drill_app.command("restore")(drill_restore)
    app.add_typer(drill_app, name="drill")
    from golive.monitoring.cli import slo_app

    app.add_typer(slo_app, name="slo")
    from golive.platform_cli import platform_app

    app.add_typer(platform_app, name="platform")


def main() -> None:
    _register()
    try:
        rc = app(standalone_mode=False)  # returns the code of a typer.Exit
        sys.exit(rc if isinstance(rc, int) else 0)
    except GoLiveError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        for note in getattr(exc, "__notes__", []):
            err.print(f"  {escape(str(note))}")
        sys.exit(int(exc.exit_code))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(int(ExitCode.INCONCLUSIVE))
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(int(ExitCode.USAGE))
        raise
