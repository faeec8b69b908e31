"""`golive drill rollback`: the rollback drills (features/rollback) with evidence and a verdict.

Every input is checked before anything runs (exit 2, nothing touched): the releases must
exist, the release rolled back to must run on the schema asked for, and a database given
with --database must be marked disposable. Then it is `golive run --suite rollback` with
the plan handed to the drills as typed pytest options (golive.drills.rollback.options).
"""

from __future__ import annotations

from pathlib import Path

import typer

from golive.drills.rollback.options import RollbackOptions
from golive.drills.rollback.plan import ensure_disposable, plan_release
from golive.options import path_value
from golive.stack import PLATFORM_DATABASE

drill_app = typer.Typer(
    name="drill",
    help="Drills that change the platform and prove it comes back: rollback (and restore).",
    no_args_is_help=True,
)


@drill_app.command("rollback")
def rollback(
    new: str = typer.Option("2", "--from", help="The release deployed, then rolled back."),
    previous: str = typer.Option("1", "--to", help="The release rolled back to."),
    schema: str = typer.Option(
        None, "--schema", help="Schema to downgrade to (default: the --to release's own)."
    ),
    database: str = typer.Option(
        None,
        "--database",
        envvar="GOLIVE_DRILL_DATABASE",
        help="Run the embedded platform on this database instead of one golive creates. It "
        "must carry the comment golive:disposable (COMMENT ON DATABASE … IS 'golive:disposable').",
    ),
    postgres: str = typer.Option(
        None, "--postgres", envvar="GOLIVE_POSTGRES", help="Postgres provider or DSN."
    ),
    out: Path = typer.Option(
        Path("reports"), "--out", parser=path_value, help="Folder for run folders."
    ),
    key: Path = typer.Option(
        None, "--key", envvar="GOLIVE_SIGNING_KEY", help="Ed25519 key (PEM) for the evidence."
    ),
    keyword: str = typer.Option(None, "-k", help="Only drills matching this -k expression."),
    suite_dir: Path = typer.Option(
        None, "--suite-root", parser=path_value, help="Folder with features/."
    ),
) -> None:
    """Deploy --from over --to and roll it back in five drills; exit with the verdict.

    The drills: release and roll back with money in flight, a failed upgrade, webhooks
    during the switch, PSP failover and the withdrawal kill switch (docs/rollback-drills.md).
    Exit codes: 0 GO, 1 NO-GO, 2 bad input (nothing touched), 3 INCONCLUSIVE.
    """
    plan = plan_release(previous, new, rollback_schema=schema)
    if database:
        ensure_disposable(database, "given")
    options = RollbackOptions(plan)
    database_args = [PLATFORM_DATABASE, database] if database else []
    from golive.run.command import run

    run(
        suite="rollback",
        target="embedded",
        config=None,  # type: ignore[arg-type]  # ./golive.toml, as run() reads it
        postgres=postgres,
        out=out,
        key=key,
        seed=None,  # type: ignore[arg-type]  # run() declares `int` with a None default
        keyword=keyword,
        platform_version=plan.new.version,
        suite_dir=suite_dir,
        drill_args=[*options.pytest_args(), *database_args],
    )
