"""Order-independent table checksums: the same rows give the same sum, whatever their order.

Each row is hashed as its exact text form (``hashtextextended`` of the row's text, a 64-bit
hash, under pinned output settings) and the hashes are added up modulo 2**64, with the row
count beside them. A sum, unlike an XOR, also tells a duplicated row from a missing one, and
sums add up: a large table is cut into block ranges (TID range scans), checksummed by up to
``workers`` connections at once, and the parts added together. Every connection can share
one exported snapshot, so a live source is checksummed at one exact point in time.

The hash is Postgres's own: stable for one server version on one architecture, which is
what a drill compares (a source and its restore on the same provider).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg

from golive.drills.restore.catalog import USER_NS
from golive.drills.restore.checks import Check
from golive.invariants.ledger import Violation

# Row text must not depend on the session: pin every setting that changes an output function.
SESSION = (
    "SET datestyle TO ISO, YMD",
    "SET timezone TO 'UTC'",
    "SET intervalstyle TO postgres",
    "SET extra_float_digits TO 3",
    "SET bytea_output TO hex",
    "SET statement_timeout TO 0",
    "SET max_parallel_workers_per_gather TO 0",  # the drill spreads the work itself
)
TABLES_SQL = f"""
    SELECT c.oid::regclass::text, greatest(c.relpages, pg_relation_size(c.oid) / 8192)::bigint
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND {USER_NS} ORDER BY 1"""
LANE = 2**64
CHUNK_PAGES = 1024  # a table larger than this (8 MB) is checksummed in block ranges

Connect = Callable[[], psycopg.Connection[Any]]


@dataclass(frozen=True)
class TableSum:
    """Row count and order-independent checksum of one table."""

    table: str
    rows: int
    digest: str

    def to_dict(self) -> dict[str, object]:
        return {"table": self.table, "rows": self.rows, "digest": self.digest}


def sum_sql(table: str, pages: tuple[int, int | None] | None = None) -> str:
    """The checksum query of ``table`` (``regclass`` text: already quoted), optionally of the
    block range [first, last) (``last`` None: to the end)."""
    where = ""
    if pages is not None:
        first, last = pages
        where = f" WHERE t.ctid >= '({first},0)'::tid"
        if last is not None:
            where += f" AND t.ctid < '({last},0)'::tid"
    return (
        "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0) "
        f"FROM ONLY {table} t{where}"
    )


def user_tables(conn: psycopg.Connection[Any]) -> list[str]:
    """Every user table and materialized view of the database, by qualified name."""
    return [str(r[0]) for r in conn.execute(TABLES_SQL.encode()).fetchall()]


def _sizes(conn: psycopg.Connection[Any]) -> dict[str, int]:
    return {str(r[0]): int(r[1]) for r in conn.execute(TABLES_SQL.encode()).fetchall()}


def _open(connect: Connect, snapshot: str | None) -> psycopg.Connection[Any]:
    conn = connect()
    conn.autocommit = True
    for stmt in SESSION:
        conn.execute(stmt.encode())
    conn.execute(b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    if snapshot:
        conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'".encode())
    return conn


def open_readers(
    connect: Connect, count: int, snapshot: str | None
) -> list[psycopg.Connection[Any]]:
    """``count`` read-only connections in one consistent read (``snapshot``: an exported one).

    Without a snapshot there can be only one reader (its own transaction is the read).
    """
    n = max(1, count if snapshot else 1)
    readers: list[psycopg.Connection[Any]] = []
    try:
        for _ in range(n):
            readers.append(_open(connect, snapshot))
    except BaseException:
        for r in readers:
            r.close()
        raise
    return readers


Task = tuple[str, tuple[int, int | None] | None]


def _tasks(names: Sequence[str], sizes: Mapping[str, int], parts: int) -> list[Task]:
    """With one reader, one task per table. With more, a table over CHUNK_PAGES is cut into
    up to ``4 * parts`` block ranges, so no reader waits on one big table. Largest first."""
    tasks: list[tuple[int, Task]] = []
    for name in names:
        pages = sizes.get(name, 0)
        if parts <= 1 or pages <= CHUNK_PAGES:
            tasks.append((pages, (name, None)))
            continue
        count = max(2, min(pages // CHUNK_PAGES, 4 * parts))
        step = -(-pages // count)
        for first in range(0, pages, step):
            last = first + step if first + step < pages else None  # the last range: to the end
            tasks.append((step, (name, (first, last))))
    return [task for _, task in sorted(tasks, key=lambda t: -t[0])]


def _run(conn: psycopg.Connection[Any], task: Task) -> tuple[str, int, int]:
    table, pages = task
    row = conn.execute(sum_sql(table, pages).encode()).fetchone()
    assert row is not None
    return table, int(row[0]), int(row[1])


def sums_with(
    readers: Sequence[psycopg.Connection[Any]], tables: Sequence[str] | None = None
) -> dict[str, TableSum]:
    """Checksums of ``tables`` (default: every user table), spread over ``readers``."""
    sizes = _sizes(readers[0])
    names = list(tables) if tables is not None else list(sizes)
    queue = list(reversed(_tasks(names, sizes, len(readers))))
    totals: dict[str, list[int]] = {t: [0, 0] for t in names}

    def drain(conn: psycopg.Connection[Any]) -> list[tuple[str, int, int]]:
        done: list[tuple[str, int, int]] = []
        while True:
            try:
                task = queue.pop()
            except IndexError:
                return done
            done.append(_run(conn, task))

    if len(readers) == 1:
        parts = drain(readers[0])
    else:
        with ThreadPoolExecutor(max_workers=len(readers)) as pool:
            futures = [pool.submit(drain, r) for r in readers]
            parts = [p for fut in futures for p in fut.result()]
    for table, rows, total in parts:
        totals[table][0] += rows
        totals[table][1] += total
    return {t: TableSum(t, rows, f"{total % LANE:016x}") for t, (rows, total) in totals.items()}


def table_sums(
    connect: Connect,
    *,
    tables: Sequence[str] | None = None,
    snapshot: str | None = None,
    workers: int = 2,
) -> dict[str, TableSum]:
    """Checksums of a database in one consistent read (see ``open_readers``)."""
    readers = open_readers(connect, workers, snapshot)
    try:
        return sums_with(readers, tables)
    finally:
        for r in readers:
            r.close()


def quiet_sums(connect: Connect, *, workers: int = 2) -> dict[str, TableSum]:
    """Checksums of a database nobody writes to, spread over ``workers`` readers (sharing a
    snapshot exported for them)."""
    if workers <= 1:
        return table_sums(connect)
    with connect() as conn:
        conn.autocommit = True
        conn.execute(b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute(b"SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        sums = table_sums(connect, snapshot=str(row[0]), workers=workers)
        conn.execute(b"COMMIT")
    return sums


def compare_sums(
    expected: Mapping[str, TableSum],
    restored: Mapping[str, TableSum],
    *,
    unlogged: Iterable[str] = (),
) -> list[Violation]:
    """Every table whose rows differ from the snapshot taken at the recovery point."""
    unlogged = set(unlogged)
    found = []
    for table in sorted(expected.keys() | restored.keys()):
        want, got = expected.get(table), restored.get(table)
        if want is None:
            assert got is not None
            found.append(
                Violation(
                    Check.ROWS,
                    table,
                    f"not in the source snapshot, but restored with {got.rows} rows",
                )
            )
            continue
        if got is None:
            found.append(Violation(Check.ROWS, table, "missing from the restored database"))
            continue
        why = (
            f" — {table} is UNLOGGED: Postgres never writes its rows to the WAL, so no base "
            "backup, replica or crash recovery has them"
            if table in unlogged
            else ""
        )
        if got.rows != want.rows:
            found.append(
                Violation(
                    Check.ROWS,
                    table,
                    f"{got.rows} rows restored, {want.rows} at the recovery point{why}",
                )
            )
        elif got.digest != want.digest:
            found.append(
                Violation(
                    Check.ROWS,
                    table,
                    f"same row count ({got.rows}) but different contents: checksum {got.digest} "
                    f"restored, {want.digest} at the recovery point{why}",
                )
            )
    return found
