"""One restore drill, phase by phase: a primary, its backup, the disaster, the restore, the
verification, the canary, and the report. Steps call these phases one by one; ``runs.py``
chains them for the command line and the tests.

A drill touches only what it created (or a server explicitly marked disposable), stops at
the first broken backup — never restoring part of one — and never retries a failed check.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from golive.config import DrillTargets
from golive.drills.restore import physical as phys
from golive.drills.restore.canary import CanaryOutcome, canary_on
from golive.drills.restore.catalog import schema_diff, schema_of, unlogged_tables
from golive.drills.restore.checksums import compare_sums, quiet_sums
from golive.drills.restore.logical import (
    BackupBroken,
    Dump,
    check_dump,
    dump_database,
    relation_count,
    restore_dump,
    sha256_of,
    write_sidecar,
)
from golive.drills.restore.reference import Reference, last_commit_at, take_reference
from golive.drills.restore.report import DrillReport
from golive.drills.restore.safety import require_disposable, require_disposable_provider
from golive.drills.restore.seed import SeedAccount, SeedResult, seed_platform
from golive.drills.restore.timeline import Timeline
from golive.drills.restore.traffic import Traffic, TrafficResult
from golive.drills.restore.verify import amcheck, ledger_invariants
from golive.errors import ConfigError, GateFailed, ProviderUnavailable
from golive.invariants.ledger import Violation
from golive.invariants.sql import SqlCheck, select_checks
from golive.postgres import Instance, InstanceSpec, Provider, create_database, drop_database
from golive.postgres import unique_name as new_name
from golive.stack import Stack, embedded_stack, migrate

KINDS = ("logical", "pitr", "dump", "basebackup")
SOURCE_SETTINGS = {"track_commit_timestamp": "on", "archive_timeout": "10"}
RESTORE_SETTINGS = {"track_commit_timestamp": "on"}
ARCHIVE_WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class DrillOptions:
    dbname: str = "ledger"
    app_version: str = "2"  # the reference platform's app and schema version
    workers: int = 2  # parallel readers for checksums, jobs for pg_amcheck
    canary: bool = True
    invariants: tuple[SqlCheck, ...] | None = None  # None: the configured ([invariants]) ones
    invariant_timeout_ms: int = 30_000


class RestoreDrill:
    """State and phases of one drill; ``close()`` removes everything it created."""

    def __init__(
        self,
        provider: Provider,
        *,
        kind: str,
        workdir: Path,
        targets: DrillTargets | None = None,
        options: DrillOptions | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ConfigError(f"drill kind {kind!r} is not one of {', '.join(KINDS)}")
        require_disposable_provider(provider, f"run the {kind} restore drill")
        self.provider, self.kind, self.workdir = provider, kind, workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.targets = targets or DrillTargets()
        self.options = options or DrillOptions()
        self.timeline = Timeline(log=log)
        self.findings: list[Violation] = []
        self.notes: list[str] = []
        self.facts: dict[str, object] = {"provider": provider.describe()}
        self.same_server = provider.kind == "dsn"  # restore into a new database, same server
        if self.same_server and kind in ("pitr", "basebackup"):
            raise ProviderUnavailable(
                f"a {kind} restore needs WAL archiving and a fresh server started from a base "
                "backup, and a DSN server offers neither. Fix: run it with --postgres local or "
                "--postgres docker."
            )
        self.primary: Instance | None = None
        self.primary_db = ""
        self.restored: Instance | None = None
        self.restored_db = ""
        self.stack: Stack | None = None
        self._platform: contextlib.ExitStack | None = None
        self.traffic: Traffic | None = None
        self.seeded: SeedResult | None = None
        self.reference: Reference | None = None
        self.dump: Dump | None = None
        self.base: phys.BaseBackup | None = None
        self.archive: Path | None = None
        self.verify_path: Path | None = None  # the pristine base backup, when base is a copy
        self.segment_size = phys.DEFAULT_SEGMENT
        self.disaster_at: float | None = None
        self.restore_started: float | None = None
        self.source_last_commit: float | None = None
        self.restored_last_commit: float | None = None
        self.canary: CanaryOutcome | None = None
        self.unlogged: list[str] = []
        self.stopped = False  # a backup proved broken: no later phase runs
        self._created: list[Instance] = []
        self._dropped: list[tuple[Instance, str]] = []
        self._scratch: list[Path] = []  # folders outside the workdir, removed by close()

    # -- helpers -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _step(self, name: str) -> Iterator[None]:
        """A phase in which a broken backup becomes a finding that stops the drill."""
        with self.timeline.phase(name) as ph:
            stopped = self.stopped
            try:
                yield
            except BackupBroken as exc:
                self.fail("backup usable", name, str(exc))
            if self.stopped and not stopped:
                ph.outcome = "failed"

    def fail(self, check: str, subject: str, detail: str, *, stop: bool = True) -> None:
        self.findings.append(Violation(check, subject, detail))
        self.stopped = self.stopped or stop

    def _start(self, spec: InstanceSpec | None, role: str) -> Instance:
        if self.same_server:
            inst = self.primary or self.provider.start_instance(None)
        else:
            inst = self.provider.start_instance(spec, name=new_name(f"drill_{role}"))
            self._created.append(inst)
        require_disposable(inst, f"use it as the drill's {role}")
        return inst

    def _database(self, inst: Instance) -> str:
        name = new_name("golive_drill") if self.same_server else self.options.dbname
        create_database(inst, name)
        self._dropped.append((inst, name))
        return name

    # -- the primary and its traffic ---------------------------------------------------------
    def start_primary(self, *, seed_from: Path | None = None) -> Instance:
        """A fresh primary with the platform's schema (migrated, or loaded from ``seed_from``)."""
        with self.timeline.phase("primary"):
            spec = InstanceSpec(settings=SOURCE_SETTINGS, archive=self.kind == "pitr")
            self.primary = self._start(spec, "primary")
            self.primary_db = self._database(self.primary)
            dsn = self.primary.dsn(self.primary_db)
            if seed_from is None:
                migrate(dsn, self.options.app_version)
            else:
                run = restore_dump(self.primary, seed_from, self.primary_db)
                if not run.ok:
                    raise GateFailed(f"could not load the seed {seed_from}: {run.describe()}")
            if self.kind == "pitr":
                size = self.primary.execute(
                    "SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'"
                )
                self.segment_size = int(str(size[0][0]))
                self.archive = self.primary.archive_dir
        return self.primary

    def start_platform(self) -> Stack:
        """The stub PSP and the reference platform on the primary."""
        from golive.canary.psp_ops import PspOps

        assert self.primary is not None
        with self.timeline.phase("platform on the primary"):
            es = contextlib.ExitStack()
            self.stack = es.enter_context(
                embedded_stack(
                    self.primary.dsn(self.primary_db),
                    app_version=self.options.app_version,
                    log_dir=self.workdir,
                )
            )
            self._platform = es
            self.psp = PspOps(self.stack.psp_url)
            es.callback(self.psp.close)
            self.psp.clear_faults()
        return self.stack

    def seed(self, accounts: Sequence[SeedAccount], *, transfers: int, seed: int = 0) -> SeedResult:
        """Customers, opening deposits and transfers, all through the platform's API."""
        import random

        assert self.stack is not None
        with self.timeline.phase("seed through the API"):
            res = seed_platform(
                self.stack.platform_url,
                self.psp,
                accounts,
                transfers=transfers,
                rng=random.Random(seed),
                workers=4,
            )
            self.seeded = res
            self.facts["seed"] = res.to_dict()
            if not res.wallets:
                raise GateFailed(f"seeding funded no wallet: {res.failures[:3]}")
        return res

    def start_traffic(self, *, max_ops: int = 2_000, max_seconds: float = 300.0) -> Traffic:
        assert self.stack is not None
        assert self.seeded is not None
        self.traffic = Traffic(
            self.stack.platform_url, self.seeded.wallets, max_ops=max_ops, max_seconds=max_seconds
        ).start()
        self.timeline.mark("traffic starts")
        return self.traffic

    def let_traffic_run(self, transfers: int) -> None:
        """Wait (bounded) until ``transfers`` more transfers have been acknowledged."""
        if self.traffic is not None:
            self.traffic.wait_acknowledged(transfers)

    # -- backups --------------------------------------------------------------------------------
    def logical_backup(self) -> Dump | None:
        """pg_dump -Fc and the reference snapshot, both at one exact point of the source."""
        assert self.primary is not None
        with self._step("logical backup"):
            dest = self.workdir / f"{self.options.dbname}.dump"
            inst, db = self.primary, self.primary_db
            self.reference, self.dump = take_reference(
                inst,
                db,
                workers=self.options.workers,
                alongside=lambda snap: dump_database(inst, db, dest, snapshot=snap),
            )
            self.timeline.mark("recovery point", self.reference.taken_at)
            self.facts["dump"] = self.dump.to_dict() if self.dump else None
        return self.dump

    def base_backup(self) -> phys.BaseBackup | None:
        """pg_basebackup of the primary, checked with pg_verifybackup right away."""
        assert self.primary is not None
        with self._step("base backup"):
            self.base = phys.take_base_backup(self.primary, self.workdir / "base")
            self.facts["base_backup"] = self.base.to_dict()
            run = phys.verify_base_backup(self.primary, self.base.path)
            if not run.ok:
                self.fail(
                    "base backup verified (pg_verifybackup)", str(self.base.path), run.describe()
                )
        return self.base

    def mark_recovery_point(self) -> Reference | None:
        """A named restore point just before the disaster, its exact snapshot, and its WAL
        archived (what archive_timeout or a WAL streamer guarantees in production)."""
        assert self.primary is not None
        assert self.archive is not None
        with self._step("recovery point"):
            name = f"golive-drill-{secrets.token_hex(4)}"
            ref, _ = take_reference(
                self.primary, self.primary_db, restore_point=name, workers=self.options.workers
            )
            self.reference = ref
            self.timeline.mark("recovery point", ref.taken_at)
            assert ref.restore_point_lsn is not None
            tli = int(
                str(self.primary.execute("SELECT timeline_id FROM pg_control_checkpoint()")[0][0])
            )
            segment = phys.segment_name(tli, ref.restore_point_lsn - 1, self.segment_size)
            self.primary.execute("SELECT pg_switch_wal()")
            if not _wait_for(self.archive / segment, ARCHIVE_WAIT_SECONDS):
                self.fail(
                    "WAL archived",
                    segment,
                    f"not in the archive {ARCHIVE_WAIT_SECONDS:g} s "
                    "after the switch: continuous archiving is broken",
                )
        return self.reference

    # -- the disaster, and broken backups ------------------------------------------------------
    def disaster(self) -> float:
        """Disaster at T: the primary is killed and destroyed (its WAL archive survives)."""
        assert self.primary is not None
        with self.timeline.phase("disaster"):
            require_disposable(self.primary, "destroy the drill's primary")
            sampled = None
            with contextlib.suppress(Exception), self.primary.connect(self.primary_db) as c:
                sampled = last_commit_at(c)
            at = self.timeline.mark("disaster")
            if not self.same_server:
                self.primary.kill()
            self._lose_platform()
            result = self.traffic.stop() if self.traffic else TrafficResult()
            self.facts["traffic"] = result.to_dict()
            stamps = [t for t in (sampled, result.last_ack_at) if t is not None]
            self.source_last_commit = max(stamps) if stamps else None
            if self.same_server:
                drop_database(self.primary, self.primary_db)
            else:
                self.primary.destroy()
            self.disaster_at = at
        return at

    def _lose_platform(self) -> None:
        """The platform goes down with its database: killed, not shut down politely."""
        proc = getattr(self.stack.platform, "proc", None) if self.stack else None
        if proc is not None:
            with contextlib.suppress(OSError):
                proc.kill()
        if self._platform is not None:
            self._platform.close()
            self._platform = None

    def cut_dump_short(self, keep: float = 0.6) -> int:
        """Truncate the dump as a full backup disk would; the job still wrote its checksum."""
        assert self.dump is not None
        data = self.dump.path.read_bytes()
        kept = int(len(data) * keep)
        self.dump.path.write_bytes(data[:kept])
        write_sidecar(self.dump.path, sha256_of(self.dump.path))
        self.notes.append(f"the dump was cut to {kept} of {len(data)} bytes before the restore")
        return kept

    def lose_wal_segment(self) -> str:
        """Delete the first WAL segment written after the base backup from the archive."""
        assert self.base is not None
        assert self.archive is not None
        first = phys.segment_number(
            phys.segment_name(self.base.timeline, self.base.end_lsn, self.segment_size),
            self.segment_size,
        )
        for name in sorted(phys.archived_segments(self.archive)):
            if phys.segment_number(name, self.segment_size) > first:
                (self.archive / name).unlink()
                self.notes.append(f"WAL segment {name} was deleted from the archive")
                return name
        raise AssertionError("no WAL segment after the base backup to lose")

    # -- restores --------------------------------------------------------------------------------
    def use_dump(self, path: Path) -> None:
        """An operator's existing dump to restore (no source to compare with)."""
        self.dump = Dump(path, path.stat().st_size if path.is_file() else 0, "", 0.0)

    def use_base_backup(self, path: Path, archive: Path | None) -> None:
        """An operator's base backup: verified as it is, restored from a copy golive can log
        in to (see ``physical.prepare_foreign_backup``)."""
        phys.describe_backup(path)  # refuses a folder without a readable manifest
        copy = phys.prepare_foreign_backup(path, self.workdir / "basebackup")
        self.base = phys.describe_backup(copy)
        self.verify_path = path
        self.archive = archive
        if archive is not None:
            self.segment_size = phys.segment_size_of(archive)
            self.archive = phys.readable_copy(archive)
            self._scratch.append(self.archive)

    def restore_logical(self) -> bool:
        """pg_restore of the dump into a fresh instance, all or nothing."""
        if self.stopped or self.dump is None:
            return False
        with self._step("restore"):
            self.restore_started = time.time()
            inst = self._start(InstanceSpec(settings=RESTORE_SETTINGS), "restored")
            problems = check_dump(self.dump.path, inst)
            if problems:
                for p in problems:
                    self.fail("backup readable", self.dump.path.name, p)
                return False
            db = self._database(inst)
            run = restore_dump(inst, self.dump.path, db)
            if not run.ok:
                left = relation_count(inst, db)
                state = (
                    "the restore was one transaction, so nothing of it is left"
                    if left == 0
                    else f"yet {left} relations were left behind: a PARTIAL restore"
                )
                self.fail("backup restores", self.dump.path.name, f"{run.describe()}; {state}")
                self.facts["relations_after_failed_restore"] = left
                return False
            self.restored, self.restored_db = inst, db
            self.timeline.mark("recovered")
        return not self.stopped

    def restore_pitr(self) -> bool:
        """Recovery of the base backup plus archived WAL to the recovery point, then promote."""
        if self.stopped or self.base is None:
            return False
        with self._step("restore"):
            self.restore_started = time.time()
            target = self.reference.restore_point_lsn if self.reference else None
            if self.archive is not None:
                missing = phys.missing_segments(
                    self.archive, self.base, target, segment_size=self.segment_size
                )
                if missing:
                    self.fail(
                        "WAL archive complete",
                        ", ".join(missing[:5]),
                        (
                            f"{len(missing)} WAL segment(s) between the base backup and the "
                            "recovery target are missing from the archive. Replay would stop at "
                            "the gap and silently lose every later transaction, so nothing was "
                            "restored."
                        ),
                    )
                    return False
            inst = phys.recover(
                self.provider,
                self.base,
                archive=self.archive,
                settings=RESTORE_SETTINGS,
                target_name=self.reference.restore_point if self.reference else None,
                name=new_name("drill_restored"),
            )
            self._created.append(inst)
            require_disposable(inst, "use it as the drill's restored instance")
            self.restored = inst
            self.restored_db = self.primary_db or self.options.dbname
            with inst.connect(self.restored_db) as conn:
                self.restored_last_commit = last_commit_at(conn)
            if self.archive is not None and target is None:
                self._check_replayed_to_the_end(inst)
            self.timeline.mark("recovered")
            run = phys.verify_base_backup(inst, self.verify_path or self.base.path)
            if not run.ok:
                self.fail(
                    "base backup verified (pg_verifybackup)",
                    str(self.verify_path or self.base.path),
                    run.describe(),
                    stop=False,
                )
        return not self.stopped

    def _check_replayed_to_the_end(self, inst: Instance) -> None:
        """Without a target, replay must reach the newest archived segment: Postgres takes a
        segment it cannot read or use for the end of the archive, and promotes silently."""
        assert self.base is not None
        assert self.archive is not None
        ended = phys.replay_ended_at(inst)
        newest = phys.archive_reaches(self.archive, self.base.timeline, self.segment_size)
        self.facts["replay_ended_at"] = None if ended is None else phys.format_lsn(ended)
        if ended is not None and newest is not None and ended <= newest:
            name = phys.segment_name(self.base.timeline, newest, self.segment_size)
            self.fail("WAL archive replayed", phys.format_lsn(ended), (
                f"replay stopped at {phys.format_lsn(ended)}, but the archive holds WAL up to "
                f"segment {name}: a segment could not be restored (unreadable or damaged), and "
                "everything after it is missing from the restored database"))  # fmt: skip

    # -- verification and the canary --------------------------------------------------------
    def verify(self) -> list[Violation]:
        """Schema and rows against the reference, pg_amcheck, and the ledger invariants."""
        if self.stopped or self.restored is None:
            return []
        before = len(self.findings)
        inst, db = self.restored, self.restored_db
        with self.timeline.phase("verify"):
            with inst.connect(db) as conn:
                schema = schema_of(conn)
            connect = lambda: inst.connect(db)  # noqa: E731
            sums = quiet_sums(connect, workers=self.options.workers)
            self.facts["restored_tables"] = {t: s.rows for t, s in sums.items()}
            self.unlogged = self.reference.unlogged if self.reference else unlogged_tables(schema)
            if self.reference is not None:
                self.findings += schema_diff(self.reference.schema, schema)
                self.findings += compare_sums(self.reference.tables, sums, unlogged=self.unlogged)
            self.findings += amcheck(inst, db, jobs=self.options.workers)
            checks = self.options.invariants
            if checks is None:
                from golive.config import load_config

                checks = tuple(select_checks(load_config().invariants))
            timeout = self.options.invariant_timeout_ms
            found, results = ledger_invariants(inst.dsn(db), checks, timeout_ms=timeout)
            self.findings += found
            self.facts["invariants"] = [
                {"check": r.check.name, "passed": r.passed, "rows": r.rows, "error": r.error}
                for r in results
            ]
        return self.findings[before:]

    def run_canary(self) -> CanaryOutcome | None:
        if self.stopped or self.restored is None or not self.options.canary:
            return None
        with self.timeline.phase("canary on the restored database") as ph:
            dsn = self.restored.dsn(self.restored_db)
            outcome = canary_on(dsn, app_version=self.options.app_version, log_dir=self.workdir)
            self.canary = outcome
            if outcome.passed:
                self.timeline.mark("canary passed", outcome.finished)
            else:
                ph.outcome = "failed"
                for f in outcome.failures or ["the loops did not all run"]:
                    self.fail("canary on the restored database", "money loop", f, stop=False)
        return outcome

    # -- the outcome -------------------------------------------------------------------------
    def finish(self) -> DrillReport:
        start = self.disaster_at or self.restore_started
        rto = None
        if start is not None and self.canary is not None and self.canary.passed:
            rto = (start, self.canary.finished)
        rpo = None
        restored_last = (
            self.reference.last_commit_at
            if self.kind == "logical" and self.reference
            else self.restored_last_commit
        )
        if (
            self.kind in ("logical", "pitr")
            and not self.stopped
            and self.source_last_commit
            and restored_last
        ):
            rpo = (min(restored_last, self.source_last_commit), self.source_last_commit)
        if self.reference is not None:
            self.facts["reference"] = self.reference.to_dict()
        return DrillReport(
            kind=self.kind,
            provider=self.provider.describe(),
            targets=self.targets,
            timeline=self.timeline,
            findings=list(self.findings),
            notes=list(self.notes),
            facts=dict(self.facts),
            rto=rto,
            rpo=rpo,
            rto_from="the disaster" if self.disaster_at else "the start of the restore",
            unlogged=list(self.unlogged),
            canary=self.canary,
            canary_wanted=self.options.canary,
        )

    def close(self) -> None:
        """Stop traffic and the platform; remove every instance and database the drill made."""
        if self.traffic is not None:
            self.traffic.stop()
        if self._platform is not None:
            self._platform.close()
            self._platform = None
        for inst, name in reversed(self._dropped):
            if self.same_server and inst.running:
                with contextlib.suppress(Exception):
                    drop_database(inst, name)
        for inst in reversed(self._created):
            inst.destroy()
        self._created.clear()
        self._dropped.clear()
        for folder in self._scratch:
            shutil.rmtree(folder, ignore_errors=True)
        self._scratch.clear()

    def __enter__(self) -> RestoreDrill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _wait_for(path: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.05)
    return path.exists()
