"""The source side of a restore drill: the primary, its books and traffic, its backups, and
the disaster that takes it away. ``drill.RestoreDrill`` adds the restore side.

Two engines. ``operations``: the target's own ``backup`` of its own database (the logical
drill on a target). ``golive``: pg_dump or pg_basebackup and a WAL archive on a disposable
primary golive starts — loaded from the target's backup, with the target's application
moved onto it (``use_database``) — for what needs a server golive controls (PITR).

A drill touches only what it created (or a server explicitly marked disposable), stops at
the first broken backup — never restoring part of one — and never retries a failed check.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from golive.config import DrillTargets
from golive.drills.journal import Journal, Kind, Status
from golive.drills.restore import physical as phys
from golive.drills.restore.canary import CanaryOutcome
from golive.drills.restore.checks import Check
from golive.drills.restore.logical import BackupBroken, Dump, cut_short, dump_database, restore_dump
from golive.drills.restore.pgbackrest_drill import PgBackRestEngine
from golive.drills.restore.reference import Reference, last_commit_at, take_reference
from golive.drills.restore.report import title_of
from golive.drills.restore.safety import require_disposable, require_disposable_provider
from golive.drills.restore.seed import Books, SeedResult
from golive.drills.restore.steady import books_at_backup
from golive.drills.restore.target import DrillTarget
from golive.drills.restore.traffic import Traffic, TrafficResult
from golive.errors import ConfigError, GateFailed, Inconclusive, ProviderUnavailable
from golive.invariants.ledger import Violation
from golive.invariants.sql import SqlCheck
from golive.operations import OperationFailed
from golive.postgres import Instance, InstanceSpec, Provider, create_database, drop_database
from golive.postgres import unique_name as new_name

KINDS = ("logical", "pitr", "dump", "basebackup", "repository")
SOURCE_SETTINGS = {"track_commit_timestamp": "on", "archive_timeout": "10"}
ARCHIVE_WAIT_SECONDS = 60.0
ENGINES = {
    "operations": "the target's own backup and restore_into operations, on its own database",
    "golive": "golive's pg_dump / pg_basebackup and WAL archive, on disposable servers it starts",
    "pgbackrest": "a pgBackRest stanza and repository on a disposable primary golive starts",
}
# what a drill asks of its target: moving the platform, and backups of its database
TARGET_OPERATIONS = ("backup", "restore_into", "use_database", "kill")


@dataclass(frozen=True)
class DrillOptions:
    dbname: str = "ledger"
    app_version: str = "2"  # the reference platform's release, when golive runs it
    workers: int = 2  # parallel readers for checksums, jobs for pg_amcheck
    canary: bool = True
    invariants: tuple[SqlCheck, ...] | None = None  # None: the configured ([invariants]) ones
    invariant_timeout_ms: int = 30_000


class SourceSide:
    """State of one drill, and its phases up to the disaster."""

    def __init__(
        self,
        provider: Provider,
        *,
        kind: str,
        workdir: Path,
        targets: DrillTargets | None = None,
        options: DrillOptions | None = None,
        log: Callable[[str], None] | None = None,
        target: DrillTarget | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ConfigError(f"drill kind {kind!r} is not one of {', '.join(KINDS)}")
        require_disposable_provider(provider, f"run the {kind} restore drill")
        self.provider, self.kind, self.workdir = provider, kind, workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.targets = targets or DrillTargets()
        self.options = options or DrillOptions()
        self.journal = Journal("restore", kind, title_of(kind), log=log)
        self.findings: list[Violation] = []  # the journal's findings, structured
        self.notes: list[str] = []
        self.target = target  # the platform: seeded, backed up, moved and canaried
        self.engine = "operations" if kind == "logical" and target is not None else "golive"
        if kind == "pitr" and self.targets.backup_engine == "pgbackrest":
            self.engine = "pgbackrest"
        self.facts = self.journal.context  # what the drill learned, in its journal
        self.facts.update(provider=provider.describe(), notes=self.notes,
                          engine=f"{self.engine}: {ENGINES[self.engine]}")  # fmt: skip
        self.displaced = False  # the target was killed or moved: close() puts it back
        self._journal_from = len(target.journal) if target is not None else 0
        self.same_server = provider.kind == "dsn"  # restore into a new database, same server
        if self.same_server and kind in ("pitr", "basebackup", "repository"):
            raise ProviderUnavailable(
                f"a {kind} restore needs WAL archiving and a fresh server started from a base "
                "backup, and a DSN server offers neither. Fix: run it with --postgres local or "
                "--postgres docker."
            )
        self.primary: Instance | None = None
        self.primary_db = ""
        self.restored: Instance | None = None
        self.restored_db = ""
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
        self.pgbr: PgBackRestEngine | None = None
        self.target_time: float | None = None  # an operator's recovery target (repository)
        if self.engine == "pgbackrest":
            self.pgbr = PgBackRestEngine(self)

    # -- helpers -----------------------------------------------------------------------------
    def _target(self) -> DrillTarget:
        if self.target is None:
            raise ConfigError(f"the {self.kind} drill has no target platform to act on")
        return self.target

    def require_target(self) -> None:
        """OperationNotConfigured (the drill is skipped) when the target lacks what it needs."""
        self._target().require(*TARGET_OPERATIONS, database=True)

    def operation(self, name: str, **values: object) -> bool:
        """Run a target operation; a failure is a finding that stops the drill (NO-GO)."""
        if name in ("kill", "use_database"):
            self.displaced = True
        try:
            self._target().run(name, **values)
        except OperationFailed as exc:
            self.fail(Check.OPERATION, name, str(exc))
            return False
        finally:
            self.facts["operations"] = self._target().journal[self._journal_from :]
        return True

    @contextlib.contextmanager
    def _step(self, name: str, kind: Kind = Kind.ACTION) -> Iterator[None]:
        """An activity in which a broken backup becomes a finding that stops the drill."""
        with self.journal.timed(name, kind) as step:
            found = len(self.findings)
            try:
                yield
            except BackupBroken as exc:
                self.fail(Check.BACKUP_USABLE, name, str(exc))
            if len(self.findings) > found:
                step.ok, step.error = False, "; ".join(map(str, self.findings[found:]))[:2000]

    def fail(self, check: Check, subject: str, detail: str, *, stop: bool = True) -> None:
        """A finding; one that ``stop``s the drill fails it, another is a deviation."""
        self.add_findings([Violation(check, subject, detail)], Status.FAILED if stop else None)
        self.stopped = self.stopped or stop

    def add_findings(self, findings: list[Violation], status: Status | None = None) -> None:
        for f in findings:
            self.findings.append(f)
            self.journal.fail(status or Status.DEVIATED, str(f))

    def _reference_taken(self, ref: Reference) -> None:
        self.reference = ref
        self.journal.mark("recovery point", ref.taken_at)
        self.journal.check(books_at_backup(ref))

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
        """A fresh primary holding the target's database (its ``backup`` restored into it with
        its ``restore_into``, and the platform moved onto it), or the dump ``seed_from``."""
        with self.journal.timed("primary", Kind.ACTION):
            spec = InstanceSpec(settings=SOURCE_SETTINGS, archive=self.kind == "pitr")
            if self.pgbr is not None:  # it archives into the pgBackRest repository
                spec = InstanceSpec(settings=SOURCE_SETTINGS | self.pgbr.archive_settings())
            self.primary = self._start(spec, "primary")
            if self.pgbr is not None:
                self.pgbr.attach(self.primary)
            self.primary_db = self._database(self.primary)
            dsn = self.primary.dsn(self.primary_db)
            if seed_from is None:
                self._load_from_target(dsn)
            else:
                run = restore_dump(self.primary, seed_from, self.primary_db)
                if not run.ok:
                    raise Inconclusive(f"could not load the seed {seed_from}: {run.describe()}")
            if self.kind == "pitr":
                size = self.primary.execute(
                    "SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'"
                )
                self.segment_size = int(str(size[0][0]))
                self.archive = self.primary.archive_dir
        return self.primary

    def _load_from_target(self, dsn: str) -> None:
        self.require_target()
        copy = self.workdir / "target.backup"
        ok = self.operation("backup", backup=copy) and self.operation(
            "restore_into", backup=copy, dsn=dsn
        )
        if not (ok and self.operation("use_database", dsn=dsn)):
            raise GateFailed(
                f"could not load the target's database into the primary: {self.findings[-1]}"
            )

    def use_books(self, books: Books) -> None:
        """The books seeded through the target's API (``scenario.seed_books``, once for all the
        drills of a session): the drill's first action."""
        self.seeded, self.facts["seed"] = books.seeded, books.seeded.to_dict()
        self.journal.add("seed through the API", Kind.ACTION, books.started_at,
                         books.seeded.seconds, ok=True, output=self.facts["seed"])  # fmt: skip

    def start_traffic(self, *, max_ops: int = 2_000, max_seconds: float = 300.0) -> Traffic:
        assert self.seeded is not None
        self.traffic = Traffic(
            self._target().client, self.seeded.wallets, max_ops=max_ops, max_seconds=max_seconds
        ).start()
        self.journal.mark("traffic starts")
        return self.traffic

    def let_traffic_run(self, transfers: int) -> None:
        """Wait (bounded) until ``transfers`` more transfers have been acknowledged."""
        if self.traffic is not None:
            self.traffic.wait_acknowledged(transfers)

    # -- backups --------------------------------------------------------------------------------
    def logical_backup(self) -> Dump | None:
        """pg_dump -Fc and the reference snapshot, both at one exact point of the source; or,
        with the operations engine, the target's own backup of its own database."""
        if self.engine == "operations":
            return self._target_backup()
        assert self.primary is not None
        with self._step("logical backup"):
            dest = self.workdir / f"{self.options.dbname}.dump"
            inst, db = self.primary, self.primary_db
            ref, self.dump = take_reference(
                inst,
                db,
                workers=self.options.workers,
                alongside=lambda snap: dump_database(inst, db, dest, snapshot=snap),
            )
            self._reference_taken(ref)
            self.facts["dump"] = self.dump.to_dict() if self.dump else None
        return self.dump

    def _target_backup(self) -> Dump | None:
        """The target's ``backup``; its database read (read-only) just before and after: the
        reference, exact when nothing changed meanwhile."""
        target = self._target()
        with self._step("logical backup (the target's backup operation)"):
            dest = self.workdir / f"{self.options.dbname}.backup"
            schema, before = target.state(workers=self.options.workers)
            started = time.time()
            if not self.operation("backup", backup=dest):
                return None
            took = time.time() - started
            _, after = target.state(workers=self.options.workers)
            if after != before:
                self.fail(
                    Check.SOURCE_QUIET, "target database",
                    "the target's tables changed while its backup ran, so no exact reference "
                    "point exists to compare the restore with; run the drill when nothing "
                    "else writes to the target",
                )  # fmt: skip
            taken = time.time()
            self._reference_taken(Reference(
                taken_at=taken, schema=schema, tables=after, lsn=0, last_commit_at=taken
            ))  # fmt: skip
            size = dest.stat().st_size if dest.is_file() else 0
            self.dump = Dump(dest, size, "", took)
            self.facts["dump"] = self.dump.to_dict()
        return self.dump

    def base_backup(self) -> phys.BaseBackup | None:
        """pg_basebackup of the primary, checked with pg_verifybackup right away."""
        assert self.primary is not None
        if self.pgbr is not None:
            with self._step("full backup (pgbackrest)"):
                self.pgbr.backup("full")
            return None
        with self._step("base backup"):
            self.base = phys.take_base_backup(self.primary, self.workdir / "base")
            self.facts["base_backup"] = self.base.to_dict()
            run = phys.verify_base_backup(self.primary, self.base.path)
            if not run.ok:
                self.fail(Check.BASE_BACKUP_VERIFIED, str(self.base.path), run.describe())
        return self.base

    def incremental_backup(self) -> None:
        """pgBackRest's incremental backup, while customers move money (pgbackrest engine)."""
        if self.pgbr is not None and not self.stopped:
            with self._step("incremental backup (pgbackrest)"):
                self.pgbr.backup("incr")

    def mark_recovery_point(self) -> Reference | None:
        """A named restore point just before the disaster, its exact snapshot, and its WAL
        archived (what archive_timeout or a WAL streamer guarantees in production)."""
        assert self.primary is not None
        with self._step("recovery point"):
            name = f"golive-drill-{secrets.token_hex(4)}"
            ref, _ = take_reference(
                self.primary, self.primary_db, restore_point=name, workers=self.options.workers
            )
            self._reference_taken(ref)
            assert ref.restore_point_lsn is not None
            tli = int(
                str(self.primary.execute("SELECT timeline_id FROM pg_control_checkpoint()")[0][0])
            )
            segment = phys.segment_name(tli, ref.restore_point_lsn - 1, self.segment_size)
            self.primary.execute("SELECT pg_switch_wal()")
            if self.pgbr is not None:
                arrived = self.pgbr.wait_archived(segment)
            else:
                assert self.archive is not None
                arrived = phys.wait_for_file(self.archive / segment, ARCHIVE_WAIT_SECONDS)
            if not arrived:
                self.fail(
                    Check.WAL_ARCHIVED,
                    segment,
                    f"not in the archive {ARCHIVE_WAIT_SECONDS:g} s "
                    "after the switch: continuous archiving is broken",
                )
        return self.reference

    # -- the disaster, and broken backups ------------------------------------------------------
    def disaster(self) -> float:
        """Disaster at T: the platform is killed (its ``kill``) and golive's primary destroyed
        (its WAL archive survives). The target's own database is never touched: the restore
        goes into a fresh one."""
        if self.primary is None:
            return self._target_disaster()
        with self.journal.timed("disaster", Kind.ACTION):
            require_disposable(self.primary, "destroy the drill's primary")
            sampled = None
            with contextlib.suppress(Exception), self.primary.connect(self.primary_db) as c:
                sampled = last_commit_at(c)
            if self.pgbr is not None and self.reference is not None:
                self.pgbr.archive_past(self.primary)
            at = self.journal.mark("disaster")
            if not self.same_server:
                self.primary.kill()
            if self.target is not None:
                self.operation("kill")
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

    def _target_disaster(self) -> float:
        """The operations engine: the platform is killed; what its database holds then, against
        the backup, says what the restore must lose (nothing, when nobody wrote after it)."""
        target = self._target()
        with self.journal.timed("disaster", Kind.ACTION):
            at = self.journal.mark("disaster")
            self.operation("kill")
            result = self.traffic.stop() if self.traffic else TrafficResult()
            self.facts["traffic"] = result.to_dict()
            if self.reference is not None:
                _, now = target.state(workers=self.options.workers)
                same = now == self.reference.tables
                self.source_last_commit = self.reference.taken_at if same else at
                if not same:
                    self.notes.append("the target's database changed after its backup")
            self.disaster_at = at
        return at

    def cut_dump_short(self, keep: float = 0.6) -> int:
        """Truncate the dump as a full backup disk would; the job still wrote its checksum."""
        assert self.dump is not None
        kept, total = cut_short(self.dump.path, keep)
        self.notes.append(f"the dump was cut to {kept} of {total} bytes before the restore")
        return kept

    def lose_wal_segment(self) -> str:
        """Delete the first WAL segment written after the base backup from the archive."""
        if self.pgbr is not None:
            lost = self.pgbr.lose_segment()
            self.notes.append(f"WAL segment {lost} was deleted from the pgBackRest repository")
            return lost
        assert self.base is not None
        assert self.archive is not None
        name = phys.lose_segment_after(self.base, self.archive, self.segment_size)
        self.notes.append(f"WAL segment {name} was deleted from the archive")
        return name
