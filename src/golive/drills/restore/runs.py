"""Whole drills, phase after phase, for the command line, the tests and the benchmark.

The feature files run the same phases one step at a time (steps/restore_steps.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from golive.config import DrillTargets
from golive.drills.restore.checks import Check
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.logical import BackupBroken
from golive.drills.restore.refbank_target import refbank_target
from golive.drills.restore.report import DrillReport
from golive.drills.restore.safety import require_disposable_provider
from golive.drills.restore.scenario import seed_books
from golive.drills.restore.seed import SeedAccount
from golive.drills.restore.source import SOURCE_SETTINGS
from golive.drills.restore.target import DrillTarget
from golive.errors import ConfigError
from golive.postgres import InstanceSpec, Provider

Log = Callable[[str], None]


@contextlib.contextmanager
def reference_platform(
    provider: Provider, workdir: Path, app_version: str
) -> Iterator[DrillTarget]:
    """The reference platform run by golive as the drill's target, its database on a server of
    ``provider`` (which must be disposable)."""
    require_disposable_provider(provider, "run the reference platform for a restore drill")
    same = provider.kind == "dsn"
    inst = provider.start_instance(None if same else InstanceSpec(settings=SOURCE_SETTINGS))
    try:
        with refbank_target(inst, workdir / "platform", app_version=app_version) as target:
            yield target
    finally:
        if not same:
            inst.destroy()


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
    target: DrillTarget | None = None,
) -> DrillReport:
    """Seed the target, its backup, kill it, its restore_into a fresh instance, verify, canary
    (``target``: the reference platform run by golive when None)."""
    options = options or DrillOptions()
    with contextlib.ExitStack() as es:
        if target is None:
            target = es.enter_context(reference_platform(provider, workdir, options.app_version))
        drill = es.enter_context(RestoreDrill(
            provider, kind="logical", workdir=workdir, targets=targets, options=options, log=log,
            target=target,
        ))  # fmt: skip
        drill.require_target()
        drill.use_books(seed_books(target, accounts, transfers=transfers, seed=seed))
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
    target: DrillTarget | None = None,
) -> DrillReport:
    """Seed the target, move it onto a primary loaded from its backup, base backup, traffic,
    recovery point, more traffic, disaster, recover, verify, canary."""
    options = options or DrillOptions()
    with contextlib.ExitStack() as es:
        if target is None:
            target = es.enter_context(reference_platform(provider, workdir, options.app_version))
        drill = es.enter_context(RestoreDrill(
            provider, kind="pitr", workdir=workdir, targets=targets, options=options, log=log,
            target=target,
        ))  # fmt: skip
        drill.require_target()
        drill.use_books(seed_books(target, accounts, transfers=transfers, seed=seed))
        drill.start_primary()
        drill.base_backup()
        drill.start_traffic(max_ops=traffic_before + traffic_after + 500)
        drill.let_traffic_run(traffic_before // 2)
        drill.incremental_backup()  # pgbackrest engine only
        drill.let_traffic_run(traffic_before - traffic_before // 2)
        drill.mark_recovery_point()
        drill.let_traffic_run(traffic_after)
        if damage is not None:
            damage(drill)
        drill.disaster()
        drill.restore_pitr()
        drill.verify()
        drill.run_canary()
        return drill.finish()


def check_inputs(
    dump: Path | None,
    basebackup: Path | None,
    wal_archive: Path | None,
    pgbackrest_config: Path | None = None,
) -> None:
    """Refuse a wrong call with the reason and the fix (ConfigError: exit 2)."""
    if sum(x is not None for x in (dump, basebackup, pgbackrest_config)) != 1:
        raise ConfigError(
            "name exactly one backup: --dump FILE (a pg_dump -Fc archive), --basebackup DIR "
            "(a plain-format pg_basebackup folder) or --pgbackrest-config FILE --stanza NAME "
            "(a pgBackRest repository)"
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
    target: DrillTarget | None = None,
) -> DrillReport:
    """Restore an operator's backup into a throwaway instance and check it (no source to
    compare with: integrity, invariants and the canary are the checks). The canary runs
    through ``target`` moved onto the restored database (the reference platform run by golive
    when None)."""
    check_inputs(dump, basebackup, wal_archive)
    kind = "dump" if dump is not None else "basebackup"
    options = options or DrillOptions()
    with contextlib.ExitStack() as es:
        if target is None and options.canary:
            target = es.enter_context(reference_platform(provider, workdir, options.app_version))
        drill = es.enter_context(RestoreDrill(
            provider, kind=kind, workdir=workdir, targets=targets, options=options, log=log,
            target=target,
        ))  # fmt: skip
        if dump is not None:
            drill.use_dump(dump)
            drill.restore_logical()
        else:
            assert basebackup is not None
            try:
                drill.use_base_backup(basebackup, wal_archive)
            except BackupBroken as exc:
                drill.fail(Check.BACKUP_USABLE, str(basebackup), str(exc))
            drill.restore_pitr()
        drill.verify()
        drill.run_canary()
        return drill.finish()
