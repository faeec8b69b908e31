"""Whole drills, phase after phase, for the command line, the tests and the benchmark.

The feature files run the same phases one step at a time (steps/backup_steps.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from golive.config import DrillTargets
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.logical import BackupBroken
from golive.drills.restore.report import DrillReport
from golive.drills.restore.seed import SeedAccount
from golive.errors import ConfigError
from golive.postgres import Provider

Log = Callable[[str], None]


def run_logical_drill(
    provider: Provider,
    workdir: Path,
    *,
    accounts: Sequence[SeedAccount],
    transfers: int,
    targets: DrillTargets | None = None,
    options: DrillOptions | None = None,
    log: Log | None = None,
    seed: int = 0,
    damage: Callable[[RestoreDrill], object] | None = None,
) -> DrillReport:
    """Seed, pg_dump, destroy the primary, pg_restore into a fresh instance, verify."""
    with RestoreDrill(
        provider, kind="logical", workdir=workdir, targets=targets, options=options, log=log
    ) as drill:
        drill.start_primary()
        drill.start_platform()
        drill.seed(accounts, transfers=transfers, seed=seed)
        drill.logical_backup()
        if damage is not None:
            damage(drill)
        drill.disaster()
        drill.restore_logical()
        drill.verify()
        drill.run_canary()
        return drill.finish()


def run_pitr_drill(
    provider: Provider,
    workdir: Path,
    *,
    accounts: Sequence[SeedAccount],
    transfers: int,
    traffic_before: int = 40,
    traffic_after: int = 20,
    targets: DrillTargets | None = None,
    options: DrillOptions | None = None,
    log: Log | None = None,
    seed: int = 0,
    damage: Callable[[RestoreDrill], object] | None = None,
) -> DrillReport:
    """Seed, base backup, traffic, recovery point, more traffic, disaster, recover, verify."""
    with RestoreDrill(
        provider, kind="pitr", workdir=workdir, targets=targets, options=options, log=log
    ) as drill:
        drill.start_primary()
        drill.start_platform()
        drill.seed(accounts, transfers=transfers, seed=seed)
        drill.base_backup()
        drill.start_traffic(max_ops=traffic_before + traffic_after + 500)
        drill.let_traffic_run(traffic_before)
        drill.mark_recovery_point()
        drill.let_traffic_run(traffic_after)
        if damage is not None:
            damage(drill)
        drill.disaster()
        drill.restore_pitr()
        drill.verify()
        drill.run_canary()
        return drill.finish()


def check_inputs(dump: Path | None, basebackup: Path | None, wal_archive: Path | None) -> None:
    """Refuse a wrong call with the reason and the fix (ConfigError: exit 2)."""
    if (dump is None) == (basebackup is None):
        raise ConfigError(
            "name exactly one backup: --dump FILE (a pg_dump -Fc archive) or --basebackup DIR "
            "(a plain-format pg_basebackup folder)"
        )
    if dump is not None and not dump.is_file():
        raise ConfigError(f"--dump {str(dump)!r} is not a file; give a pg_dump -Fc archive")
    if basebackup is not None and not (basebackup / "PG_VERSION").is_file():
        raise ConfigError(
            f"--basebackup {str(basebackup)!r} is not a base backup folder (it has no "
            "PG_VERSION); give the plain-format folder pg_basebackup wrote"
        )
    if wal_archive is not None:
        if basebackup is None:
            raise ConfigError("--wal-archive goes with --basebackup (a dump needs no WAL)")
        if not wal_archive.is_dir():
            raise ConfigError(f"--wal-archive {str(wal_archive)!r} is not a folder of WAL files")


def restore_existing(
    provider: Provider,
    workdir: Path,
    *,
    dump: Path | None = None,
    basebackup: Path | None = None,
    wal_archive: Path | None = None,
    targets: DrillTargets | None = None,
    options: DrillOptions | None = None,
    log: Log | None = None,
) -> DrillReport:
    """Restore an operator's backup into a throwaway instance and check it (no source to
    compare with: integrity, invariants and the canary are the checks)."""
    check_inputs(dump, basebackup, wal_archive)
    kind = "dump" if dump is not None else "basebackup"
    with RestoreDrill(
        provider, kind=kind, workdir=workdir, targets=targets, options=options, log=log
    ) as drill:
        if dump is not None:
            drill.use_dump(dump)
            drill.restore_logical()
        else:
            assert basebackup is not None
            try:
                drill.use_base_backup(basebackup, wal_archive)
            except BackupBroken as exc:
                drill.fail("backup usable", str(basebackup), str(exc))
            drill.restore_pitr()
        drill.verify()
        drill.run_canary()
        return drill.finish()
