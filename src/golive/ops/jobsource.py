"""Finance jobs from the platform, through the target interface (``Target.jobs``), or,
read-only, from the reference platform's database."""

from __future__ import annotations

from typing import Any

from golive.errors import ConfigError, TargetUnreachable
from golive.ops.stuck import JobRecord
from golive.target import NoAnswer, PlatformError, Target

JOBS_PAGE = 1000  # the contract's page limit for GET /jobs: a list this long may be cut
JOBS_SQL = """
SELECT id::text AS id, kind, state, reference::text AS reference, created_at, updated_at
  FROM finance_jobs
 WHERE (%(since)s::timestamptz IS NULL OR created_at >= %(since)s::timestamptz)
 ORDER BY created_at, id
"""


def jobs_from_platform(
    target: Target, where: str = "the platform"
) -> tuple[list[JobRecord], list[str]]:
    """Pending jobs first (the ones that can be stuck), then the finished ones for the SLO.

    ``where`` names the platform in messages (its URL)."""
    warnings: list[str] = []
    found: dict[str, JobRecord] = {}
    for state in ("pending", "done", "failed"):
        try:
            jobs = target.jobs(state=state)
        except NoAnswer as exc:
            raise TargetUnreachable(f"{where} does not answer ({exc}); check --target") from None
        except PlatformError as exc:
            raise TargetUnreachable(
                f"{where} refused to list its {state} finance jobs ({exc}); does it "
                "implement jobs() of the target interface (docs/adopting.md)?"
            ) from None
        if len(jobs) >= JOBS_PAGE:
            warnings.append(
                f"the platform listed {len(jobs)} {state} jobs, its page limit: newer ones are "
                "not seen; use --dsn for a complete view"
            )
        for job in jobs:
            record = JobRecord.of_job(job)
            found[record.id] = record
    return list(found.values()), warnings


def jobs_from_database(dsn: str, since: Any = None) -> list[JobRecord]:
    """Read ``finance_jobs`` in a read-only transaction (the reference platform's schema)."""
    import psycopg
    from psycopg.rows import dict_row

    try:
        with psycopg.connect(dsn, connect_timeout=10, row_factory=dict_row) as conn:
            conn.read_only = True
            with conn.transaction():
                conn.execute("SET LOCAL statement_timeout = '30s'")
                rows = conn.execute(JOBS_SQL, {"since": since}).fetchall()
    except psycopg.OperationalError as exc:
        raise TargetUnreachable(f"cannot read the platform database: {exc}".strip()) from None
    except psycopg.errors.UndefinedTable:
        raise ConfigError(
            "the database has no finance_jobs table: --dsn reads the reference platform's "
            "schema; for another platform use --target URL (read through the target interface)"
        ) from None
    return [JobRecord.of(r) for r in rows]
