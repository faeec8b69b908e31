"""`golive drill restore`: restore an existing backup into a throwaway server and check it.

Every input is checked before anything runs (exit 2, nothing touched): exactly one backup,
paths that exist, and a Postgres target golive may use (a DSN must be marked disposable).
Then it is `golive run --suite restore` with the backup handed to the operator scenario
(features/restore/operator.feature), so the evidence is the same as for the drills.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from golive.drills.restore.runs import check_inputs
from golive.drills.restore.safety import require_disposable_provider
from golive.drills.restore.scenario import (
    ENV_APP_VERSION,
    ENV_BASEBACKUP,
    ENV_DUMP,
    ENV_NO_CANARY,
    ENV_PGBACKREST_CONFIG,
    ENV_STANZA,
    ENV_TARGET_TIME,
    ENV_WAL_ARCHIVE,
)
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
    config: Path | None, stanza: str | None, target_time: str | None, postgres: str | None
) -> float | None:
    """--pgbackrest-config, --stanza and --target-time together, the repository readable, the
    stanza there, the time within its backups, servers on this machine (exit 2 otherwise)."""
    from golive.errors import ConfigError

    if config is None:
        for flag, value in (("--stanza", stanza), ("--target-time", target_time)):
            if value is not None:
                raise ConfigError(f"{flag} goes with --pgbackrest-config FILE")
        return None
    if not stanza:
        raise ConfigError("--pgbackrest-config needs --stanza NAME (see `pgbackrest info`)")
    from golive.drills.restore.pgbackrest import check_engine
    from golive.drills.restore.pgbackrest_existing import check_repository

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
    continuity (the repository is only read); pg_amcheck; the ledger invariants
    (\\[invariants]); a canary money loop on the restored database; the restore time against
    \\[drills] rto_seconds.
    Exit codes: 0 GO, 1 NO-GO, 2 bad input (nothing touched), 3 INCONCLUSIVE.
    """
    from golive.run.preflight import check_platform_version

    check_inputs(dump, basebackup, wal_archive, pgbackrest_config)
    check_platform_version(app_version, "embedded", "--app-version")
    check_target(postgres)
    for var in (ENV_DUMP, ENV_BASEBACKUP, ENV_WAL_ARCHIVE, ENV_NO_CANARY, ENV_PGBACKREST_CONFIG,
                ENV_STANZA, ENV_TARGET_TIME):  # fmt: skip
        os.environ.pop(var, None)
    target = check_pgbackrest(pgbackrest_config, stanza, target_time, postgres)
    if pgbackrest_config is not None:
        os.environ[ENV_PGBACKREST_CONFIG] = str(pgbackrest_config.resolve())
        os.environ[ENV_STANZA] = stanza
        if target is not None:
            os.environ[ENV_TARGET_TIME] = repr(target)
    if dump is not None:
        os.environ[ENV_DUMP] = str(dump.resolve())
    if basebackup is not None:
        os.environ[ENV_BASEBACKUP] = str(basebackup.resolve())
    if wal_archive is not None:
        os.environ[ENV_WAL_ARCHIVE] = str(wal_archive.resolve())
    if no_canary:
        os.environ[ENV_NO_CANARY] = "1"
    os.environ[ENV_APP_VERSION] = app_version
    from golive.run.command import run

    settings: dict[str, Any] = {
        "suite": "restore", "target": "embedded", "postgres": postgres, "out": out.resolve(),
        "key": key.resolve() if key else None, "seed": None, "keyword": None,
        "platform_version": app_version, "suite_dir": suite_dir, "config": None,
        "verbose": False,
    }  # fmt: skip
    run(**settings)
