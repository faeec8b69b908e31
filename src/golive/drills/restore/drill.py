"""One restore drill, phase by phase. ``source.SourceSide`` has the primary, its backups and
the disaster; this adds the restore, the verification, the canary and the report. Steps call
the phases one by one; ``runs.py`` chains them for the command line and the tests.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

from golive.drills.journal import Kind
from golive.drills.restore import pgbackrest as pgbr
from golive.drills.restore import physical as phys
from golive.drills.restore.canary import CanaryOutcome, canary_through
from golive.drills.restore.checks import Check
from golive.drills.restore.logical import (
    BackupBroken,
    Dump,
    check_dump,
    relation_count,
    restore_dump,
)
from golive.drills.restore.pgbackrest_drill import PgBackRestEngine
from golive.drills.restore.reference import last_commit_at
from golive.drills.restore.report import DrillReport, judge
from golive.drills.restore.safety import require_disposable
from golive.drills.restore.source import KINDS, DrillOptions, SourceSide
from golive.drills.restore.steady import books_restored
from golive.drills.restore.verify import check_restored
from golive.invariants.ledger import Violation
from golive.invariants.sql import select_checks
from golive.postgres import Instance, InstanceSpec, drop_database
from golive.postgres import unique_name as new_name

__all__ = ["KINDS", "DrillOptions", "RestoreDrill"]
RESTORE_SETTINGS = {"track_commit_timestamp": "on"}


class RestoreDrill(SourceSide):
    """One drill; ``close()`` removes everything it created."""

    by_name = False  # pgbackrest engine: restore to the recovery point's name, not its time
    target_name: str | None = None  # an operator's restore point (repository)

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

    def use_pgbackrest(
        self, config: Path, stanza: str, target_time: float | None, target_name: str | None = None
    ) -> None:
        """An operator's pgBackRest repository, read-only: restored (latest, to ``target_time``
        or to the restore point ``target_name``) into a server golive starts."""
        from golive.drills.restore.pgbackrest_existing import ExistingRepository

        self.pgbr = PgBackRestEngine(self, ExistingRepository(config, stanza))
        self.target_time, self.target_name = target_time, target_name

    def restore_logical(self) -> bool:
        """The dump restored into a fresh instance, all or nothing: by the target's
        ``restore_into`` (operations engine) or pg_restore; the platform then moved onto it."""
        if self.stopped or self.dump is None:
            return False
        dump, by_target = self.dump.path, self.engine == "operations"
        with self._step("restore (the target's restore_into operation)" if by_target
                        else "restore", Kind.CHANGE):  # fmt: skip
            self.restore_started = time.time()
            inst = self._start(InstanceSpec(settings=RESTORE_SETTINGS), "restored")
            if not by_target and (problems := check_dump(dump, inst)):
                for p in problems:
                    self.fail(Check.BACKUP_READABLE, dump.name, p)
                return False
            db = self._database(inst)
            if by_target:
                ok = self.operation("restore_into", backup=dump, dsn=inst.dsn(db))
                failed = None if ok else self.findings[-1].detail
            else:
                run = restore_dump(inst, dump, db)
                failed = None if run.ok else run.describe()
            if failed is not None:
                left = relation_count(inst, db)
                self.facts["relations_after_failed_restore"] = left
                state = (
                    "nothing of it is left" if left == 0
                    else f"yet {left} relations were left behind: a PARTIAL restore"
                )  # fmt: skip
                self.fail(Check.BACKUP_RESTORES, dump.name, f"{failed}; {state}")
                return False
            self.restored, self.restored_db = inst, db
            self.journal.mark("recovered")
            self._move_target()
        return not self.stopped

    def _move_target(self) -> None:
        """The platform onto the restored database (its ``use_database``), for the canary."""
        if self.target is not None and self.restored is not None:
            self.operation("use_database", dsn=self.restored.dsn(self.restored_db))

    def restore_pitr(self) -> bool:
        """Recovery of the base backup plus archived WAL to the recovery point, then promote."""
        if self.pgbr is not None:
            return self._restore_pgbackrest()
        if self.stopped or self.base is None:
            return False
        with self._step("restore", Kind.CHANGE):
            self.restore_started = time.time()
            target = self.reference.restore_point_lsn if self.reference else None
            if self.archive is not None:
                missing = phys.missing_segments(
                    self.archive, self.base, target, segment_size=self.segment_size
                )
                if missing:
                    self.fail(
                        Check.WAL_ARCHIVE_COMPLETE,
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
            self._recovered(inst)
            if self.archive is not None and target is None:
                self._check_replayed_to_the_end(inst)
            self.journal.mark("recovered")
            self._move_target()
            run = phys.verify_base_backup(inst, self.verify_path or self.base.path)
            if not run.ok:
                self.fail(
                    Check.BASE_BACKUP_VERIFIED,
                    str(self.verify_path or self.base.path),
                    run.describe(),
                    stop=False,
                )
        return not self.stopped

    def _restore_pgbackrest(self) -> bool:
        """pgbackrest restore to the recovery point's time (or, ``by_name``, its name), or to an
        operator's target, once the repository is sound."""
        assert self.pgbr is not None
        if self.stopped:
            return False
        with self._step("restore (pgbackrest)", Kind.CHANGE):
            self.restore_started = time.time()
            ref, when, name = self.reference, self.target_time, self.target_name
            if ref is not None:
                when, name = (None, ref.restore_point) if self.by_name else (ref.taken_at, None)
            dest = self.pgbr.restore(
                when, ref.restore_point_lsn if ref else None, name=name,
                made_at=ref.taken_at if ref else None,
            )  # fmt: skip
            if dest is None:
                return False
            if self.kind == "repository":  # an operator's: golive does not know its passwords
                (dest / "pg_hba.conf").write_text(phys.TRUST_HBA)
            try:
                inst = pgbr.start_restored(
                    self.provider, dest, settings=RESTORE_SETTINGS, name=new_name("drill_restored")
                )
            except BackupBroken as exc:
                if name is None:
                    raise
                self.fail(Check.RECOVERY_TARGET, f"restore point {name!r}",
                          f"recovery replayed the archive without reaching restore point {name!r} "
                          f"(pgbackrest restore --type=name): {exc}")  # fmt: skip
                return False
            self._recovered(inst)
            self.journal.mark("recovered")
            self._move_target()
        return not self.stopped

    def _recovered(self, inst: Instance) -> None:
        """A recovered server: the drill's to destroy, its last commit read."""
        self._created.append(inst)
        require_disposable(inst, "use it as the drill's restored instance")
        self.restored, self.restored_db = inst, self.primary_db or self.options.dbname
        with inst.connect(self.restored_db) as conn:
            self.restored_last_commit = last_commit_at(conn)

    def _check_replayed_to_the_end(self, inst: Instance) -> None:
        assert self.base is not None
        assert self.archive is not None
        ended, why = phys.replay_stopped_early(inst, self.base, self.archive, self.segment_size)
        self.facts["replay_ended_at"] = None if ended is None else phys.format_lsn(ended)
        if why is not None:
            self.fail(Check.WAL_REPLAYED, phys.format_lsn(ended or 0), why)

    # -- verification and the canary --------------------------------------------------------
    def verify(self) -> list[Violation]:
        """Schema and rows against the reference, pg_amcheck, and the ledger invariants."""
        if self.stopped or self.restored is None:
            return []
        checks = self.options.invariants
        if checks is None:
            from golive.config import load_config

            checks = tuple(select_checks(load_config().invariants))
        started, t0 = time.time(), time.perf_counter()
        with self.journal.timed("verify the restored database", Kind.VERIFY) as step:
            found = check_restored(
                self.restored, self.restored_db, reference=self.reference, checks=checks,
                timeout_ms=self.options.invariant_timeout_ms, workers=self.options.workers,
            )  # fmt: skip
            step.ok = not found.findings
            step.output = {"findings": len(found.findings), "tables": len(found.tables)}
        self.journal.check(
            books_restored(
                found,
                compared=self.reference is not None,
                started=started,
                seconds=time.perf_counter() - t0,
            )
        )
        self.add_findings(found.findings)
        self.unlogged = found.unlogged
        self.facts["restored_tables"] = found.tables
        self.facts["invariants"] = found.invariants
        return found.findings

    def run_canary(self) -> CanaryOutcome | None:
        if self.stopped or self.restored is None or not self.options.canary:
            return None
        with self.journal.timed("canary on the restored database", Kind.VERIFY) as step:
            if self.target is None:
                outcome = CanaryOutcome(time.time(), time.time(), 0, ["no target platform"])
            else:
                memory = self.seeded.memory if self.seeded else None
                outcome = canary_through(self.target, memory)
            self.canary, step.output = outcome, outcome.to_dict()
            if outcome.passed:
                self.journal.mark("canary passed", outcome.finished)
            else:
                step.ok = False
                for f in outcome.failures or ["the loops did not all run"]:
                    self.fail(Check.CANARY, "money loop", f, stop=False)
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
        return judge(
            self.journal, targets=self.targets, findings=self.findings, rto=rto, rpo=rpo,
            rto_from="the disaster" if self.disaster_at else "the start of the restore",
            canary=self.canary, canary_wanted=self.options.canary, unlogged=self.unlogged,
        )  # fmt: skip

    def close(self) -> None:
        """Stop traffic, put the platform back on its own database ([target] database, with
        its ``use_database``); remove every instance and database the drill made."""
        if self.traffic is not None:
            self.traffic.stop()
        if self.displaced and self.target is not None and self.target.database:
            self.displaced = False
            try:
                self.target.run("use_database", dsn=self.target.database)
            except Exception as exc:  # noted; the cleanup goes on
                self.notes.append(f"the platform could not be put back on its database: {exc}")
        for inst, name in reversed(self._dropped):
            if self.same_server and inst.running:
                with contextlib.suppress(Exception):
                    drop_database(inst, name)
        for inst in reversed(self._created):
            inst.destroy()
        self._created.clear()
        self._dropped.clear()
        if self.pgbr is not None:
            self.pgbr.close()
        for folder in self._scratch:
            shutil.rmtree(folder, ignore_errors=True)
        self._scratch.clear()

    def __enter__(self) -> RestoreDrill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
