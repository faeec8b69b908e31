"""Finance jobs from the platform's contract API (GET /jobs) or, read-only, its database."""

from __future__ import annotations

from typing import Any

import httpx

from golive.driver import PlatformClient, PlatformError
from golive.errors import ConfigError, TargetUnreachable
from golive.ops.stuck import JobRecord

JOBS_PAGE = 1000  # the contract's page limit for GET /jobs
JOBS_SQL = """
SELECT id::text AS id, kind, state, reference::text AS reference, created_at, updated_at
  FROM finance_jobs
 WHERE (%(since)s::timestamptz IS NULL OR created_at >= %(since)s::timestamptz)
 ORDER BY created_at, id
"""


def jobs_from_platform(client: PlatformClient) -> tuple[list[JobRecord], list[str]]:
    """Pending jobs first (the ones that can be stuck), then the finished ones for the SLO."""
    warnings: list[str] = []
    found: dict[str, JobRecord] = {}
    for state in ("pending", "done", "failed"):
        try:
            page = client.call("GET", "/jobs", params={"state": state, "limit": JOBS_PAGE})
        except httpx.HTTPError as exc:
            raise TargetUnreachable(
                f"the platform at {client.base_url!r} does not answer ({exc}); check --target"
            ) from None
        except PlatformError as exc:
            raise TargetUnreachable(
                f"the platform at {client.base_url!r} refused GET /jobs ({exc}); does it "
                "implement the platform contract's finance jobs?"
            ) from None
        rows: list[dict[str, Any]] = page["jobs"]
        if len(rows) >= JOBS_PAGE:
            warnings.append(
                f"the platform listed {len(rows)} {state} jobs, its page limit: newer ones are "
                "not seen; use --dsn for a complete view"
            )
        for row in rows:
            job = JobRecord.of(row)
            found[job.id] = job
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
            "schema; for another platform use --target URL (GET /jobs)"
        ) from None
    return [JobRecord.of(r) for r in rows]
