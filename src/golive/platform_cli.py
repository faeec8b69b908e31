"""`golive platform`: the reference platform (refbank) — serve it, or run it as a service.

golive never imports the reference platform: `serve` starts ``python -m refbank serve`` as a
subprocess with every argument forwarded and the environment passed through unchanged (the
platform reads its own settings and fault switches from it; golive does not). `start`,
`stop`, `deploy`, `migrate`, `set-webhook-secrets`, `backup`, `restore-into` and
`seed-balance` are golive's operations for refbank (docs/operations-hooks.md); they keep its
environment, pid and log in a state folder.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import typer

from golive.errors import ConfigError, ExitCode
from golive.operations import refbank

platform_app = typer.Typer(
    help="The embedded reference platform (refbank): a double-entry money platform on Postgres "
    "behind the platform contract (docs/platform.md).",
    no_args_is_help=True,
)

STATE = typer.Option(
    None,
    "--state",
    envvar=refbank.STATE_ENV,
    help="the platform's state folder: its environment, pid and log [default: .golive-platform]",
)
TIMEOUT = typer.Option(60.0, "--timeout", min=0.1, help="seconds to wait for /health")


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


def _checked(
    *, dsn: str | None = None, host: str | None = None, release: str | None = None,
    schema: str | None = None,
) -> None:  # fmt: skip
    """Refuse a wrong value before anything is started or changed (exit 2)."""
    from golive.drills.rollback.plan import EMBEDDED_RELEASES
    from golive.options import check_dsn

    if dsn is not None:
        check_dsn(dsn, "--dsn", connect=False)
    if host is not None and not re.fullmatch(r"[\w.:-]+", host):
        raise ConfigError(f"--host {host!r} is not an address; e.g. --host 127.0.0.1")
    for flag, value in (("--release", release), ("--schema", schema)):
        if value is not None and value not in EMBEDDED_RELEASES:
            raise ConfigError(
                f"{flag} {value!r} is not one of refbank's: {', '.join(EMBEDDED_RELEASES)}"
            )


@platform_app.command("start")
def start(
    state: Path | None = STATE,
    dsn: str | None = typer.Option(None, help="its database (recorded; else REFBANK_DSN)"),
    host: str | None = typer.Option(None, help="listen address [default: 127.0.0.1]"),
    port: int | None = typer.Option(None, min=1, max=65535, help="listen port [default: 8000]"),
    release: str | None = typer.Option(None, help="the release to run [default: 1]"),
    timeout: float = TIMEOUT,
) -> None:
    """Start refbank in the background and wait for /health; restart it when it runs with
    other settings. The first start records the platform's environment (REFBANK_*,
    GOLIVE_PLATFORM_FAULTS) in the state folder; later operations reuse it."""
    _checked(dsn=dsn, host=host, release=release)
    changes = {
        "REFBANK_DSN": dsn, "REFBANK_HOST": host,
        "REFBANK_PORT": None if port is None else str(port), "REFBANK_APP_VERSION": release,
    }  # fmt: skip
    given = {k: v for k, v in changes.items() if v is not None}
    typer.echo(refbank.start(refbank.PlatformState.at(state), given, timeout_s=timeout))


@platform_app.command("stop")
def stop(
    state: Path | None = STATE,
    now: bool = typer.Option(False, "--now", help="kill it at once, as a crash would"),
) -> None:
    """Stop refbank (SIGTERM, then SIGKILL if it does not stop); nothing if it is not running."""
    typer.echo(refbank.stop(refbank.PlatformState.at(state), now=now))


@platform_app.command("deploy")
def deploy(
    release: str = typer.Option(..., help="the release to switch the app to"),
    state: Path | None = STATE,
    timeout: float = TIMEOUT,
) -> None:
    """Switch refbank's app to RELEASE (stop, start the release, wait for /health)."""
    _checked(release=release)
    typer.echo(refbank.deploy(refbank.PlatformState.at(state), release, timeout_s=timeout))


@platform_app.command("migrate")
def migrate(
    schema: str = typer.Option(..., help="the schema version to move to, up or down"),
    state: Path | None = STATE,
    dsn: str | None = typer.Option(None, help="its database, if the platform never started"),
    lock_timeout_ms: int | None = typer.Option(
        None, min=1, help="fail a migration that waits longer than this for a lock"
    ),
) -> None:
    """Move refbank's schema to SCHEMA with its own migration command."""
    _checked(dsn=dsn, schema=schema)
    at = refbank.PlatformState.at(state)
    typer.echo(refbank.migrate(at, schema, dsn=dsn, lock_timeout_ms=lock_timeout_ms))


@platform_app.command("set-webhook-secrets")
def set_webhook_secrets(
    file: Path = typer.Option(..., "--file", help="the secrets file (docs/operations-hooks.md)"),
    state: Path | None = STATE,
) -> None:
    """Make refbank accept webhooks signed with the secrets in FILE (restarts it if it runs)."""
    typer.echo(refbank.set_webhook_secrets(refbank.PlatformState.at(state), file))


@platform_app.command("backup")
def backup(
    to: Path = typer.Option(..., "--to", help="the backup file to write (pg_dump custom format)"),
    state: Path | None = STATE,
) -> None:
    """Back up refbank's database to a file with pg_dump."""
    from golive.options import check_out_dir

    check_out_dir(to.parent, "--to")
    if refbank.backup(refbank.PlatformState.at(state), to):
        raise typer.Exit(int(ExitCode.NO_GO))  # the platform's own operation failed
    typer.echo(f"backed up to {to}")


@platform_app.command("restore-into")
def restore_into(
    dsn: str = typer.Option(..., help="the empty database to restore into"),
    source: Path = typer.Option(..., "--from", help="the file backup wrote"),
) -> None:
    """Restore a backup into an empty database with pg_restore (all or nothing)."""
    _checked(dsn=dsn)
    if not source.is_file():
        raise ConfigError(
            f"--from {str(source)!r} is not a backup file; give the file backup wrote"
        )
    if refbank.restore_into(dsn, source):
        raise typer.Exit(int(ExitCode.NO_GO))
    typer.echo(f"restored {source}")


@platform_app.command("seed-balance")
def seed_balance(
    account: str = typer.Option(..., help="the customer account id to book onto"),
    amount: int = typer.Option(..., min=1, max=2**63 - 1, help="minor units to book"),
    currency: str = typer.Option(..., help="the account's currency, e.g. EUR"),
    state: Path | None = STATE,
) -> None:
    """Book AMOUNT minor units onto ACCOUNT in refbank's database directly: a test fixture
    (a balance near 2^63-1 that no PSP would take it to), kept balanced on a clearing
    account of the account's own. Exit 1 when refbank refuses it."""
    if not re.fullmatch(r"[0-9a-fA-F-]{36}", account):
        raise ConfigError(f"--account {account!r} is not an account id (a UUID)")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ConfigError(f"--currency {currency!r} is not a currency code; e.g. --currency EUR")
    at = refbank.PlatformState.at(state)
    typer.echo(refbank.seed_balance(at, account, amount, currency))
