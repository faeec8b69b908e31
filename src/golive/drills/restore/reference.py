"""The source as it was at the recovery point: what a restored database must equal.

``frozen_point`` makes that point exact on a live source, holding writers off only for an
instant: inside a savepoint it SHARE-locks every user table (writers wait, readers do not,
and no write is half-way), fixes the transaction's snapshot and writes the optional named
restore point into the WAL, then rolls the savepoint back — the locks go, the snapshot
stays — and exports the snapshot. Readers (checksums, ``pg_dump --snapshot``) then see
exactly the rows that recovery to that restore point brings back, while traffic goes on.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import psycopg
from psycopg import sql

from golive.drills.restore.catalog import USER_NS, schema_of, unlogged_tables
from golive.drills.restore.checksums import TableSum, open_readers, sums_with
from golive.drills.restore.physical import format_lsn, parse_lsn
from golive.errors import GateFailed
from golive.postgres import Instance

T = TypeVar("T")
LOCK_BUDGET_SECONDS = 30.0
LOCKABLE_SQL = f"""
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND {USER_NS} ORDER BY 1, 2"""


@dataclass(frozen=True)
class Point:
    """One exact point of the source: its exported snapshot and where the WAL stood."""

    snapshot: str
    taken_at: float  # the server's clock (seconds since the epoch)
    lsn: int
    restore_point_lsn: int | None
    last_commit_at: float | None  # newest commit before the point (with commit timestamps)


@dataclass
class Reference:
    """Schema, row counts and checksums of the source at one exact point."""

    taken_at: float
    schema: dict[str, str]
    tables: dict[str, TableSum]
    lsn: int
    restore_point: str | None = None
    restore_point_lsn: int | None = None
    last_commit_at: float | None = None
    unlogged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "taken_at": self.taken_at,
            "lsn": format_lsn(self.lsn),
            "restore_point": self.restore_point,
            "restore_point_lsn": None
            if self.restore_point_lsn is None
            else format_lsn(self.restore_point_lsn),
            "last_commit_at": self.last_commit_at,
            "schema_objects": len(self.schema),
            "unlogged_tables": self.unlogged,
            "tables": [t.to_dict() for t in self.tables.values()],
        }


def last_commit_at(conn: psycopg.Connection[Any]) -> float | None:
    """When the newest commit of the server happened (None without commit timestamps)."""
    on = conn.execute(b"SELECT current_setting('track_commit_timestamp')::bool").fetchone()
    if not on or not on[0]:
        return None
    row = conn.execute(b"SELECT timestamp FROM pg_last_committed_xact()").fetchone()
    return row[0].timestamp() if row and isinstance(row[0], datetime) else None


def _freeze(conn: psycopg.Connection[Any], stmt: sql.Composed | None, budget: float) -> None:
    """Take the SHARE locks inside savepoint ``golive_freeze``, never waiting for one."""
    deadline = time.monotonic() + budget
    pause = 0.005
    while True:
        conn.execute(b"SAVEPOINT golive_freeze")
        if stmt is None:
            return
        try:
            conn.execute(stmt)
            return
        except psycopg.errors.LockNotAvailable:
            conn.execute(b"ROLLBACK TO SAVEPOINT golive_freeze")
            conn.execute(b"RELEASE SAVEPOINT golive_freeze")
            if time.monotonic() > deadline:
                raise GateFailed(
                    f"could not hold writers off for a consistent snapshot within {budget:.0f}s: "
                    "some writer kept its lock the whole time"
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)


@contextlib.contextmanager
def frozen_point(
    instance: Instance,
    dbname: str,
    *,
    restore_point: str | None = None,
    budget: float = LOCK_BUDGET_SECONDS,
) -> Iterator[Point]:
    """Yield an exact point of ``dbname``; import its snapshot before the block ends."""
    conn = instance.connect(dbname)
    try:
        names = conn.execute(LOCKABLE_SQL.encode()).fetchall()  # before BEGIN: no snapshot yet
        conn.execute(b"BEGIN ISOLATION LEVEL REPEATABLE READ")
        stmt = None
        if names:
            tables = sql.SQL(", ").join([sql.Identifier(str(s), str(t)) for s, t in names])
            stmt = sql.SQL("LOCK TABLE {} IN SHARE MODE NOWAIT").format(tables)
        _freeze(conn, stmt, budget)
        # the transaction's snapshot is taken by this statement, while writers are held off
        row = conn.execute(
            b"SELECT extract(epoch FROM clock_timestamp())::float8, pg_current_wal_lsn()::text, "
            b"NULL, CASE WHEN %(rp)s::text IS NULL THEN NULL "
            b"ELSE pg_create_restore_point(%(rp)s)::text END",
            {"rp": restore_point},
        ).fetchone()
        last_commit = last_commit_at(conn)
        conn.execute(b"ROLLBACK TO SAVEPOINT golive_freeze")  # writers go on; the snapshot stays
        conn.execute(b"RELEASE SAVEPOINT golive_freeze")
        snap = conn.execute(b"SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        assert snap is not None
        rp_lsn = parse_lsn(str(row[3])) if row[3] is not None else None
        taken = float(str(row[0]))
        yield Point(str(snap[0]), taken, parse_lsn(str(row[1])), rp_lsn, last_commit)
        conn.execute(b"COMMIT")
    finally:
        conn.close()


def take_reference(
    instance: Instance,
    dbname: str,
    *,
    restore_point: str | None = None,
    workers: int = 2,
    alongside: Callable[[str], T] | None = None,
) -> tuple[Reference, T | None]:
    """Schema and checksums of ``dbname`` at one exact point (see the module docstring).

    ``alongside(snapshot)`` (say, ``pg_dump --snapshot``) runs in parallel with the
    checksums, on the same snapshot; its result is returned with the reference.
    """
    connect = lambda: instance.connect(dbname)  # noqa: E731
    extra: T | None = None
    with frozen_point(instance, dbname, restore_point=restore_point) as point:
        # a dump alongside needs a core of its own: one reader fewer
        readers = open_readers(connect, max(1, workers - 1) if alongside else workers,
                               point.snapshot)  # fmt: skip
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                side = pool.submit(alongside, point.snapshot) if alongside else None
                schema = schema_of(readers[0])
                tables = sums_with(readers)
                if side is not None:
                    extra = side.result()
        finally:
            for r in readers:
                r.close()
    reference = Reference(
        taken_at=point.taken_at,
        schema=schema,
        tables=tables,
        lsn=point.lsn,
        restore_point=restore_point,
        restore_point_lsn=point.restore_point_lsn,
        last_commit_at=point.last_commit_at,
        unlogged=unlogged_tables(schema),
    )
    return reference, extra
