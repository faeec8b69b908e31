"""The checks every restored database goes through (besides the comparison with the source):
physical integrity with pg_amcheck, and the ledger invariants as read-only SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from golive.drills.restore.catalog import schema_diff, schema_of, unlogged_tables
from golive.drills.restore.checks import Check
from golive.drills.restore.checksums import compare_sums, quiet_sums
from golive.drills.restore.reference import Reference
from golive.drills.restore.tools import run_tool
from golive.invariants.ledger import Violation
from golive.invariants.sql import SqlCheck, SqlCheckResult, run_checks, violations
from golive.postgres import Instance

AMCHECK_ARGS = ["--heapallindexed", "--parent-check", "--no-password", "--install-missing"]


def amcheck(instance: Instance, dbname: str, *, jobs: int = 2) -> list[Violation]:
    """pg_amcheck of every table and B-tree index of ``dbname`` (heap, and all-indexed).

    It needs the ``amcheck`` extension: installed for the check when missing, and dropped
    again afterwards so the restored schema is left as it was.
    """
    had = instance.execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'", dbname)
    run = run_tool(
        instance, "pg_amcheck", [*AMCHECK_ARGS, f"--jobs={jobs}", "-d", dbname], dbname=dbname
    )
    if not had:
        instance.execute("DROP EXTENSION IF EXISTS amcheck", dbname)
    if run.ok:
        return []
    what = "found corruption" if run.returncode == 2 else "could not check"
    lines = [ln for ln in (run.stdout + "\n" + run.stderr).splitlines() if ln.strip()]
    return [
        Violation(
            Check.STORAGE,
            dbname,
            f"{what} (exit {run.returncode}): " + " | ".join(lines[:8]),
        )
    ]


def ledger_invariants(
    dsn: str, checks: Sequence[SqlCheck], *, timeout_ms: int = 30_000
) -> tuple[list[Violation], list[SqlCheckResult]]:
    """The read-only invariant queries on the restored database: (violations, every result)."""
    results = run_checks(dsn, checks, timeout_ms=timeout_ms)
    return violations(results), results


@dataclass
class Verification:
    findings: list[Violation] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)  # rows per restored table
    schema_objects: int = 0
    unlogged: list[str] = field(default_factory=list)
    invariants: list[dict[str, Any]] = field(default_factory=list)


def check_restored(
    instance: Instance, dbname: str, *, reference: Reference | None,
    checks: Sequence[SqlCheck], timeout_ms: int = 30_000, workers: int = 2,
) -> Verification:  # fmt: skip
    """Everything a restored database goes through: schema and rows against ``reference``
    (when there is a source to compare with), pg_amcheck, and the invariant queries."""
    out = Verification()
    with instance.connect(dbname) as conn:
        schema = schema_of(conn)
    out.schema_objects = len(schema)
    sums = quiet_sums(lambda: instance.connect(dbname), workers=workers)
    out.tables = {t: s.rows for t, s in sums.items()}
    out.unlogged = reference.unlogged if reference else unlogged_tables(schema)
    if reference is not None:
        out.findings += schema_diff(reference.schema, schema)
        out.findings += compare_sums(reference.tables, sums, unlogged=out.unlogged)
    out.findings += amcheck(instance, dbname, jobs=workers)
    found, results = ledger_invariants(instance.dsn(dbname), checks, timeout_ms=timeout_ms)
    out.findings += found
    out.invariants = [{"check": r.check.name, "passed": r.passed, "rows": r.rows,
                       "error": r.error} for r in results]  # fmt: skip
    return out
