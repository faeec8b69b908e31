"""`golive platform serve`: run the reference platform (refbank) in the foreground.

golive never imports the reference platform: this starts ``python -m refbank serve`` as a
subprocess with every argument forwarded and the environment passed through unchanged (the
platform reads its own settings and fault switches from it; golive does not).
"""

from __future__ import annotations

import signal
import subprocess
import sys

import typer

from golive.errors import ExitCode

platform_app = typer.Typer(
    help="The embedded reference platform (refbank): a double-entry money platform on Postgres "
    "behind the platform contract (docs/platform.md).",
    no_args_is_help=True,
)


@platform_app.command(
    "serve",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def serve(ctx: typer.Context) -> None:
    """Serve the reference platform; every argument goes to `python -m refbank serve`.

    Example: golive platform serve --dsn postgresql://... --port 8000 --app-version 2
    (`golive platform serve --help` shows the platform's own options).
    """
    argv = [sys.executable, "-m", "refbank", "serve", *ctx.args]
    proc = subprocess.Popen(argv)  # inherits this process's environment unchanged
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # the terminal sent SIGINT to both; let the platform finish
        code = proc.wait()
        if code in (-signal.SIGINT, 128 + signal.SIGINT):
            code = 0  # stopped by the operator: a normal end of a foreground server
    if code:
        # refbank's own usage errors are 2; any other failure of the server is not a verdict
        raise typer.Exit(int(ExitCode.USAGE if code == 2 else ExitCode.INCONCLUSIVE))
