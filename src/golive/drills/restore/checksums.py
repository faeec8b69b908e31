"""Order-independent table checksums: the same rows give the same sum, whatever their order.

Each row is hashed as text (md5 of the row's text form, under fixed output settings) and the
hashes are added up in two 64-bit lanes. A sum, unlike an XOR, also tells a duplicated row
from a missing one. The work happens in the server, one table per connection, with up to
``workers`` connections; all of them can share one exported snapshot, so a live source is
checksummed at one exact point in time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg

from golive.drills.restore.catalog import USER_NS
from golive.invariants.ledger import Violation

# Row text must not depend on the session: pin every setting that changes an output function.
SESSION = (
    "SET datestyle TO ISO, YMD",
    "SET timezone TO 'UTC'",
    "SET intervalstyle TO postgres",
    "SET extra_float_digits TO 3",
    "SET bytea_output TO hex",
    "SET statement_timeout TO 0",
)
TABLES_SQL = f"""
    SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND {USER_NS} ORDER BY 1"""
LANE = 2**64

Connect = Callable[[], psycopg.Connection[Any]]


@dataclass(frozen=True)
class TableSum:
    """Row count and order-independent checksum of one table."""

    table: str
    rows: int
    digest: str

    def to_dict(self) -> dict[str, object]:
        return {"table": self.table, "rows": self.rows, "digest": self.digest}


def sum_sql(table: str) -> str:
    """The checksum query of one table (``table`` as ``regclass`` text: already quoted)."""
    return (
        "SELECT count(*), coalesce(sum(('x' || left(h, 16))::bit(64)::bigint), 0), "
        "coalesce(sum(('x' || right(h, 16))::bit(64)::bigint), 0) "
        f"FROM (SELECT md5(t::text) AS h FROM ONLY {table} t) s"
    )


def user_tables(conn: psycopg.Connection[Any]) -> list[str]:
    """Every user table and materialized view of the database, by qualified name."""
    return [str(r[0]) for r in conn.execute(TABLES_SQL.encode()).fetchall()]


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


def _one(conn: psycopg.Connection[Any], table: str) -> TableSum:
    row = conn.execute(sum_sql(table).encode()).fetchone()
    assert row is not None
    rows, a, b = int(row[0]), int(row[1]), int(row[2])
    return TableSum(table, rows, f"{a % LANE:016x}{b % LANE:016x}")


def sums_with(
    readers: Sequence[psycopg.Connection[Any]], tables: Sequence[str] | None = None
) -> dict[str, TableSum]:
    """Checksums of ``tables`` (default: every user table), spread over ``readers``."""
    names = list(tables) if tables is not None else user_tables(readers[0])
    if len(readers) == 1 or len(names) <= 1:
        return {t: _one(readers[0], t) for t in names}
    queue = list(reversed(names))
    out: dict[str, TableSum] = {}

    def drain(conn: psycopg.Connection[Any]) -> None:
        while True:
            try:
                table = queue.pop()
            except IndexError:
                return
            out[table] = _one(conn, table)

    with ThreadPoolExecutor(max_workers=len(readers)) as pool:
        for fut in [pool.submit(drain, r) for r in readers]:
            fut.result()
    return {t: out[t] for t in names}


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
                    "rows equal",
                    table,
                    f"not in the source snapshot, but restored with {got.rows} rows",
                )
            )
            continue
        if got is None:
            found.append(Violation("rows equal", table, "missing from the restored database"))
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
                    "rows equal",
                    table,
                    f"{got.rows} rows restored, {want.rows} at the recovery point{why}",
                )
            )
        elif got.digest != want.digest:
            found.append(
                Violation(
                    "rows equal",
                    table,
                    f"same row count ({got.rows}) but different contents: checksum {got.digest} "
                    f"restored, {want.digest} at the recovery point{why}",
                )
            )
    return found
