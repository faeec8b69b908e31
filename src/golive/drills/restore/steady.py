"""The restore drill's steady state: the books at the backup (or the recovery point), and
the same books on the restored database, as the journal's steady-state checks.

Nothing is measured twice: the values are the reference's and the verification's, and each
probe's deviation is the verification's findings of its check.
"""

from __future__ import annotations

from golive.drills.restore.checks import Check
from golive.drills.restore.reference import Reference
from golive.drills.restore.verify import Verification
from golive.drills.steady_state import HypothesisResult, Phase, ProbeResult
from golive.invariants.ledger import Violation

AT_THE_BACKUP = "measured at the backup"
SAME = "the same as at the backup"


def books_at_backup(ref: Reference) -> HypothesisResult:
    """The books as the backup holds them (the reference's schema and rows per table)."""
    rows = {t.table: t.rows for t in ref.tables.values()}
    return HypothesisResult(Phase.BEFORE, (
        ProbeResult("schema objects", AT_THE_BACKUP, len(ref.schema), None, None, 0.0),
        ProbeResult("rows per table", AT_THE_BACKUP, rows, None, None, 0.0),
    ), ref.taken_at, 0.0)  # fmt: skip


def books_restored(
    found: Verification, *, compared: bool, started: float, seconds: float
) -> HypothesisResult:
    """The books on the restored database: the schema and rows against the backup's (when
    there is a source to compare with), storage integrity and the ledger invariants."""

    def probe(name: str, tolerance: str, value: object, checks: set[str]) -> ProbeResult:
        bad = [f for f in found.findings if f.check in checks]
        return ProbeResult(name, tolerance, value, _deviation(bad), None, 0.0)

    named = {Check.SCHEMA, Check.ROWS, Check.STORAGE}
    others = {f.check for f in found.findings} - named
    passed = sum(1 for r in found.invariants if r.get("passed"))
    probes = [
        probe("storage (pg_amcheck)", "no corruption", "checked", {Check.STORAGE}),
        probe("ledger invariants", "every invariant holds",
              f"{passed} of {len(found.invariants)} passed", others),
    ]  # fmt: skip
    if compared:
        probes[:0] = [
            probe("schema objects", SAME, found.schema_objects, {Check.SCHEMA}),
            probe("rows per table", SAME, dict(found.tables), {Check.ROWS}),
        ]
    return HypothesisResult(Phase.AFTER_CHANGE, tuple(probes), started, seconds)


def _deviation(found: list[Violation], shown: int = 5) -> str | None:
    if not found:
        return None
    more = f" (+{len(found) - shown} more)" if len(found) > shown else ""
    return "; ".join(f"{f.subject}: {f.detail}" for f in found[:shown]) + more
