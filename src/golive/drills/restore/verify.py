"""The checks every restored database goes through (besides the comparison with the source):
physical integrity with pg_amcheck, and the ledger invariants as read-only SQL."""

from __future__ import annotations

from collections.abc import Sequence

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
            "storage intact (pg_amcheck)",
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
