"""The `golive` command line. Each area lives in its own module; this file only wires them."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType

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
    # Once per process: main() in-process (the tests) would add every command again.
    if app.registered_commands:
        return
    from golive.postgres.cli import doctor, postgres_app
    from golive.run.command import run

    app.command("run")(run)
    from golive.run.catalog import steps_command

    app.command("steps")(steps_command)
    from golive.init import init_command

    app.command("init")(init_command)
    from golive.promises.cli import promises_command

    app.command("promises")(promises_command)
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


def _usage_errors() -> tuple[type[Exception], ...]:
    """Usage-error classes of the click typer runs on: its vendored copy (typer >= 0.23 raises
    ``typer._click`` exceptions, subclasses of ``typer.TyperException``) and click itself."""
    kinds: list[type[Exception]] = [getattr(typer, "TyperException", typer.BadParameter)]
    try:
        import click

        kinds.append(click.ClickException)
    except ImportError:  # pragma: no cover - typer without click installed
        pass
    return tuple(kinds)


def _usage_line(exc: Exception) -> str:
    """One line: the message, and the help command of the (sub)command that was misused."""
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    message = " ".join(str(message).split())
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None)
    return f"{message} (see `{path} --help`)" if path else message


INTERRUPTED = 130  # the shell's code for SIGINT; golive reports it as INCONCLUSIVE (3)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _exit_code(code: object) -> int:
    """Only the four documented codes leave golive; anything else is INCONCLUSIVE."""
    if code is None:
        return int(ExitCode.GO)
    if isinstance(code, int) and code in set(ExitCode):
        return code
    return int(ExitCode.INCONCLUSIVE)


def main() -> None:
    """Entry point: exit 0 GO, 1 NO-GO, 2 usage or configuration error, 3 INCONCLUSIVE.

    A usage error is one line on stderr. An interrupt (Ctrl-C, SIGTERM) before a verdict is
    INCONCLUSIVE (3); a run already under way records its own ABORTED evidence first. An
    unexpected crash is one line and exit 3; GOLIVE_DEBUG=1 prints its traceback.
    """
    _register()
    with contextlib.suppress(ValueError):  # not the main thread: leave SIGTERM alone
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        rc = app(standalone_mode=False)  # returns the code of a typer.Exit
        if rc == INTERRUPTED:  # typer turns KeyboardInterrupt (and our SIGTERM) into 130
            err.print("interrupted before a verdict: INCONCLUSIVE")
        code = _exit_code(rc if isinstance(rc, int) else 0)
    except GoLiveError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        for note in getattr(exc, "__notes__", []):
            err.print(f"  {escape(str(note))}")
        code = int(exc.exit_code)
    except typer.Exit as exc:
        code = _exit_code(exc.exit_code)
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except (typer.Abort, KeyboardInterrupt) as exc:
        why = str(exc) or "interrupt"
        err.print(f"interrupted ({escape(why)}) before a verdict: INCONCLUSIVE")
        code = int(ExitCode.INCONCLUSIVE)
    except _usage_errors() as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and hasattr(exc, "show"):
            exc.show()  # `golive` or a group with no sub-command: its help
        else:
            err.print(f"[bold red]error:[/] {escape(_usage_line(exc))}")
        code = int(ExitCode.USAGE)
    except Exception as exc:
        if os.environ.get("GOLIVE_DEBUG") == "1":
            err.print_exception()
        err.print(
            f"[bold red]golive crashed:[/] {escape(type(exc).__name__)}: "
            f"{escape(' '.join(str(exc).split())[:300])} (INCONCLUSIVE; set GOLIVE_DEBUG=1 "
            "for the traceback and report it)"
        )
        code = int(ExitCode.INCONCLUSIVE)
    sys.exit(code)
