"""`golive drill restore`: restore an existing backup into a throwaway server and check it.

Every input is checked before anything runs (exit 2, nothing touched): exactly one backup,
paths that exist, and a Postgres target golive may use (a DSN must be marked disposable).
Then it is `golive run --suite restore` with the backup handed to the operator scenario
(features/restore/operator.feature) as typed pytest options (golive.drills.restore.options),
so the evidence is the same as for the drills.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from golive.drills.restore.options import RestoreOptions
from golive.drills.restore.runs import check_inputs
from golive.drills.restore.safety import require_disposable_provider
from golive.options import path_value


def check_target(postgres: str | None) -> None:
    """A DSN target must be marked disposable (GOLIVE_PG_DISPOSABLE=1): checked up front."""
    from golive.postgres import open_provider
    from golive.postgres.base import Provider

    spec = postgres or os.environ.get("GOLIVE_POSTGRES") or "auto"
    if not (spec.startswith(("postgresql://", "postgres://")) or "host=" in spec
            or (spec == "auto" and os.environ.get("GOLIVE_PG_DSN"))):  # fmt: skip
        return
    from golive.options import check_dsn

    check_dsn(os.environ["GOLIVE_PG_DSN"] if spec == "auto" else spec, "--postgres")
    provider: Provider = open_provider(spec)
    try:
        require_disposable_provider(provider, "restore a backup into it")
    finally:
        provider.close()


def check_pgbackrest(
    config: Path | None,
    stanza: str | None,
    target_time: str | None,
    postgres: str | None,
    target_name: str | None = None,
) -> float | None:
    """--pgbackrest-config, --stanza and one of --target-time or --target-name together, the
    repository readable, the stanza there, the time within its backups, the name one a
    restore point can have, servers on this machine (exit 2 otherwise)."""
    from golive.errors import ConfigError

    given = (("--stanza", stanza), ("--target-time", target_time), ("--target-name", target_name))
    if config is None:
        for flag, value in given:
            if value is not None:
                raise ConfigError(f"{flag} goes with --pgbackrest-config FILE")
        return None
    if not stanza:
        raise ConfigError("--pgbackrest-config needs --stanza NAME (see `pgbackrest info`)")
    if target_time is not None and target_name is not None:
        raise ConfigError(
            "--target-time and --target-name both name where recovery stops; give one of them"
        )
    from golive.drills.restore.pgbackrest import check_engine
    from golive.drills.restore.pgbackrest_existing import check_repository, check_target_name

    if target_name is not None:
        check_target_name(target_name)
    target = check_repository(config, stanza, target_time)
    check_engine("pgbackrest", postgres, "restore", who="--pgbackrest-config")
    return target


def restore(
    dump: Path = typer.Option(None, "--dump", help="A pg_dump -Fc archive to restore."),
    basebackup: Path = typer.Option(
        None, "--basebackup", help="A plain-format base backup folder (pg_basebackup -Fp)."
    ),
    wal_archive: Path = typer.Option(
        None, "--wal-archive", help="WAL archive to replay after --basebackup (to its end)."
    ),
    pgbackrest_config: Path = typer.Option(
        None,
        "--pgbackrest-config",
        help="The pgbackrest.conf of an existing pgBackRest repository to restore from "
        "(read-only: golive runs only info, verify and restore there). Needs --stanza.",
    ),
    stanza: str = typer.Option(None, "--stanza", help="The stanza of --pgbackrest-config."),
    target_time: str = typer.Option(
        None,
        "--target-time",
        help="With --pgbackrest-config: restore to this time (ISO 8601, UTC when no zone) "
        "instead of the end of the archive.",
    ),
    target_name: str = typer.Option(
        None,
        "--target-name",
        help="With --pgbackrest-config: restore to this restore point "
        "(pg_create_restore_point) instead of the end of the archive; not with --target-time.",
    ),
    postgres: str = typer.Option(
        None,
        "--postgres",
        envvar="GOLIVE_POSTGRES",
        help="Where the throwaway server runs: auto, docker, local, or a DSN marked "
        "disposable (GOLIVE_PG_DISPOSABLE=1).",
    ),
    app_version: str = typer.Option(
        "2", "--app-version", help="Reference platform version the canary runs on the backup."
    ),
    no_canary: bool = typer.Option(
        False,
        "--no-canary",
        help="Skip the canary money loop (for databases of a platform other than the "
        "reference one); the RTO gate then has no data.",
    ),
    out: Path = typer.Option(
        Path("reports"), "--out", parser=path_value, help="Folder for run folders."
    ),
    key: Path = typer.Option(
        None, "--key", envvar="GOLIVE_SIGNING_KEY", help="Ed25519 key (PEM) for the evidence."
    ),
    suite_dir: Path = typer.Option(
        None, "--suite-root", parser=path_value, help="Folder with features/."
    ),
) -> None:
    """Restore an existing backup into a throwaway server, check it, exit with the verdict.

    Checks: the dump's recorded checksum and table of contents, or pg_verifybackup and the
    WAL archive's continuity, or pgbackrest info and verify and the repository archive's
    continuity (the repository is only read; restored to its end, --target-time or
    --target-name); pg_amcheck; the ledger invariants
    (\\[invariants]); a canary money loop on the restored database; the restore time against
    \\[drills] rto_seconds.
    Exit codes: 0 GO, 1 NO-GO, 2 bad input (nothing touched), 3 INCONCLUSIVE.
    """
    from golive.run.preflight import check_platform_version

    check_inputs(dump, basebackup, wal_archive, pgbackrest_config)
    check_platform_version(app_version, "embedded", "--app-version")
    check_target(postgres)
    target = check_pgbackrest(pgbackrest_config, stanza, target_time, postgres, target_name)
    options = RestoreOptions(
        dump=dump.resolve() if dump else None,
        basebackup=basebackup.resolve() if basebackup else None,
        wal_archive=wal_archive.resolve() if wal_archive else None,
        pgbackrest_config=pgbackrest_config.resolve() if pgbackrest_config else None,
        stanza=stanza if pgbackrest_config else None,
        target_time=target,
        target_name=target_name if pgbackrest_config else None,
        canary=not no_canary,
        app_version=app_version,
    )
    from golive.run.command import run

    settings: dict[str, Any] = {
        "suite": "restore", "target": "embedded", "postgres": postgres, "out": out.resolve(),
        "key": key.resolve() if key else None, "seed": None, "keyword": None,
        "platform_version": app_version, "suite_dir": suite_dir, "config": None,
        "verbose": False, "drill_args": options.pytest_args(),
    }  # fmt: skip
    run(**settings)
