"""The restore drills as the feature files speak of them: one method per step phrase.

``Books`` are the target's data, seeded once per session through its API (the target
interface); every drill of the session acts on the target holding them: the logical drill
backs up and restores the target's own database with its operations, the point-in-time
drill moves the target onto a primary golive controls, loaded from the target's backup.
``DrillScenario`` runs one drill a step at a time; its ``expect_*`` methods raise
``ExpectationFailed`` (an AssertionError: the scenario fails, the run is NO-GO) with the
findings that broke them. Nothing is retried.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from golive.canary.psp_ops import PspOps
from golive.config import DrillTargets
from golive.drills.gates import Gate
from golive.drills.restore.checks import OF_THE_BACKUP, OF_THE_BOOKS, Check
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.logical import BackupBroken
from golive.drills.restore.options import RestoreOptions
from golive.drills.restore.pgbackrest_drill import PgBackRestEngine
from golive.drills.restore.report import DrillReport, record_evidence
from golive.drills.restore.seed import Books, SeedAccount, seed_platform
from golive.drills.restore.target import DrillTarget
from golive.errors import ConfigError, ExpectationFailed, Inconclusive
from golive.evidence import GateStatus
from golive.evidence.verdict import count
from golive.invariants.ledger import Violation
from golive.postgres import Provider

TRAFFIC_BEFORE = 40  # transfers acknowledged between the base backup and the recovery point
TRAFFIC_AFTER = 20  # and between the recovery point and the disaster


def seed_books(
    target: DrillTarget, accounts: Sequence[SeedAccount], *, transfers: int, seed: int = 0
) -> Books:
    """Customers, opening deposits and transfers on the target, through its API."""
    psp, started = PspOps(target.psp_url), time.time()
    try:
        psp.clear_faults()
        seeded = seed_platform(
            target.client, psp, accounts, transfers=transfers, rng=random.Random(seed)
        )
    finally:
        psp.close()
    if not seeded.wallets:
        raise Inconclusive(f"seeding through the API funded no wallet: {seeded.failures[:3]}")
    return Books(seeded, started)


@dataclass
class DrillScenario:
    provider: Provider
    workdir: Path
    target: DrillTarget
    targets: DrillTargets = field(default_factory=DrillTargets)
    options: DrillOptions = field(default_factory=DrillOptions)
    inputs: RestoreOptions = field(default_factory=RestoreOptions)  # golive drill restore's
    by_name: bool = False  # pgbackrest: recover to the recovery point's name, not its time
    drill: RestoreDrill | None = None
    expected: Gate | None = None  # the gate of a scenario that expects a NO-GO drill
    _verified: bool = False

    def _d(self) -> RestoreDrill:
        if self.drill is None:
            raise ExpectationFailed("the scenario has no drill yet: start with its primary")
        return self.drill

    # -- Given --------------------------------------------------------------------------------
    def require_target(self) -> None:
        """OperationNotConfigured when the target lacks an operation (or database) the drills
        need: the step skips the scenario naming it."""
        self.target.require("backup", "restore_into", "use_database", "kill", database=True)

    def primary_with_books(self, books: Books, *, archive: bool) -> RestoreDrill:
        """The logical drill acts on the target itself; the point-in-time drill on a primary
        golive controls, loaded from the target's backup, the target moved onto it."""
        kind = "pitr" if archive else "logical"
        self.drill = RestoreDrill(
            self.provider,
            kind=kind,
            workdir=self.workdir,
            targets=self.targets,
            options=self.options,
            target=self.target,
        )
        self.drill.require_target()
        self.drill.use_books(books)
        if archive:
            self.drill.start_primary()
            self._stopped_at("loading the target's backup into the primary")
        return self.drill

    def operator_backup(self) -> RestoreDrill:
        """The backup named by ``golive drill restore`` (its typed options, ``inputs``)."""
        given = self.inputs
        kind = given.kind  # ConfigError unless exactly one backup is named
        self.drill = RestoreDrill(
            self.provider,
            kind=kind,
            workdir=self.workdir,
            targets=self.targets,
            options=self.options,
            target=self.target,
        )
        if given.dump is not None:
            self.drill.use_dump(given.dump)
        elif given.pgbackrest_config is not None:
            self.drill.use_pgbackrest(
                given.pgbackrest_config, given.stanza or "", given.target_time, given.target_name
            )
        else:
            base = given.basebackup
            assert base is not None
            try:
                self.drill.use_base_backup(base, given.wal_archive)
            except BackupBroken as exc:
                self.drill.fail(Check.BACKUP_USABLE, str(base), str(exc))
        return self.drill

    # -- When -----------------------------------------------------------------------------------
    def logical_backup(self) -> None:
        self._d().logical_backup()
        self._stopped_at("the logical backup")

    def base_backup(self) -> None:
        self._d().base_backup()
        self._stopped_at("the base backup")

    def keep_moving_money(self, transfers: int = TRAFFIC_BEFORE) -> None:
        d = self._d()
        if d.traffic is None:
            d.start_traffic(max_ops=TRAFFIC_BEFORE + TRAFFIC_AFTER + 1_000)
        if d.pgbr is None:
            d.let_traffic_run(transfers)
            return
        d.let_traffic_run(transfers // 2)  # pgBackRest: an incremental backup under traffic
        d.incremental_backup()
        self._stopped_at("the incremental backup")
        d.let_traffic_run(transfers - transfers // 2)

    def mark_recovery_point(self) -> None:
        self._d().mark_recovery_point()
        self._stopped_at("the recovery point")

    def cut_dump_short(self) -> None:
        self._d().cut_dump_short()

    def lose_wal_segment(self) -> str:
        return self._d().lose_wal_segment()

    def _pgbackrest(self) -> PgBackRestEngine:
        engine = self._d().pgbr
        if engine is None:
            raise ConfigError('this scenario needs [drills] backup_engine = "pgbackrest"')
        return engine

    def corrupt_backup_file(self) -> str:
        """Damage a file of the newest full backup in the repository; that backup's label."""
        return self._pgbackrest().corrupt_backup_file()

    def forget_passphrase(self) -> None:
        self._pgbackrest().forget_passphrase()

    @property
    def dump_name(self) -> str:
        dump = self._d().dump
        if dump is None:
            raise ExpectationFailed("the drill has no dump")
        return dump.path.name

    def disaster(self, *, after_transfers: int = 0) -> None:
        if after_transfers:
            self._d().let_traffic_run(after_transfers)
        self._d().disaster()

    def restore(self) -> None:
        d = self._d()
        d.by_name = self.by_name
        if d.kind in ("logical", "dump"):
            d.restore_logical()
        else:
            d.restore_pitr()

    def restore_expecting_success(self) -> None:
        self.restore()
        self._stopped_at("the restore")

    # -- Then -------------------------------------------------------------------------------------
    def _stopped_at(self, what: str) -> None:
        d = self._d()
        if d.stopped:
            raise ExpectationFailed(f"the drill stopped at {what}: " + _lines(d.findings))

    def _verify(self) -> list[Violation]:
        d = self._d()
        self._stopped_at("the restore")
        if not self._verified:
            d.verify()
            self._verified = True
        return d.findings

    def expect(self, *checks: Check) -> None:
        """No finding of these checks."""
        found = [f for f in self._verify() if f.check in checks]
        if found:
            raise ExpectationFailed(_lines(found))

    def expect_invariants(self) -> None:
        """No finding but of the backup's or the books' named checks: the ledger invariants'
        findings, and whatever else left them unproven."""
        named = OF_THE_BACKUP | OF_THE_BOOKS
        found = [f for f in self._verify() if f.check not in named]
        if found:
            raise ExpectationFailed(_lines(found))

    def expect_canary(self) -> None:
        self._verify()
        outcome = self._d().run_canary()
        if outcome is None:
            raise ExpectationFailed("the canary did not run (the restore failed or it is off)")
        if not outcome.passed:
            raise ExpectationFailed(
                _lines([Violation("canary", "money loop", f) for f in outcome.failures])
            )

    def expect_targets(self) -> DrillReport:
        report = self.report()
        failed = [g for g in report.gates() if g.objective and g.status is GateStatus.FAIL]
        if failed:
            raise ExpectationFailed(
                "; ".join(
                    f"{g.name} {g.value or ''} (target {g.target}): {g.reason}" for g in failed
                )
            )
        return report

    def expect_no_go(self, *, naming: str) -> DrillReport:
        """The drill ended NO-GO, with a finding that names ``naming`` (a dump, a segment)."""
        report = self.report()
        named = [f for f in report.findings if naming in f"{f.subject} {f.detail}"]
        detected = report.verdict == "NO-GO" and bool(named)
        why = str(named[0]) if named else f"verdict {report.verdict}: {_lines(report.findings)}"
        self.expected = Gate(  # finding the damage is this scenario's success, and its gate
            f"broken backup found ({report.title})",
            GateStatus.PASS if detected else GateStatus.FAIL,
            count(len(named), "finding naming the damage", "findings naming the damage"),
            "NO-GO naming the damage",
            why,
        )
        if not detected:
            raise ExpectationFailed(
                f"the damaged backup ({naming}) went unnoticed: verdict "
                f"{report.verdict}; findings: {_lines(report.findings)}"
            )
        return report

    def expect_nothing_half_restored(self) -> None:
        d = self._d()
        if d.restored is not None:
            raise ExpectationFailed(f"a restored database was handed over: {d.restored!r}")
        left = d.facts.get("relations_after_failed_restore", 0)
        if left:
            raise ExpectationFailed(f"{left} relations were left behind by the failed restore")

    # -- the record ---------------------------------------------------------------------------
    def report(self) -> DrillReport:
        return self._d().finish()

    def close(self) -> None:
        """Put the drill's journal and gates into the evidence (the expected gate instead of
        the drill's own, when it expected a NO-GO) and remove what the drill created."""
        if self.drill is None:
            return
        try:
            report = self.drill.finish()
            if self.expected is not None:
                report.journal.gates = [self.expected]
            record_evidence(report)
        finally:
            self.drill.close()


def _lines(findings: Sequence[Violation]) -> str:
    return "\n  " + "\n  ".join(str(f) for f in findings[:30]) if findings else "(none)"
