"""Connections and transactions: a psycopg pool, one transaction per unit of work, retries.

Money paths run at READ COMMITTED and take row locks (``SELECT … FOR UPDATE``) on the ledger
accounts they move, in id order. A deadlock or serialization failure is retried a few times.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from refbank.errors import ApiError, from_db_error

T = TypeVar("T")
Conn = psycopg.Connection[dict[str, Any]]
RETRIES = 5


class Database:
    """The platform's connection pool."""

    def __init__(self, dsn: str, *, size: int = 10) -> None:
        self.dsn = dsn
        self.pool: ConnectionPool[Conn] = ConnectionPool(
            dsn,
            min_size=min(2, size),
            max_size=size,
            kwargs={"autocommit": True, "row_factory": dict_row},
            open=True,
            name="refbank",
        )

    def close(self) -> None:
        self.pool.close()

    def run(self, work: Callable[[Conn], T]) -> T:
        """Run ``work(conn)`` in one transaction; database refusals become ``ApiError``."""
        for attempt in range(RETRIES + 1):
            try:
                with self.pool.connection() as conn, conn.transaction():
                    return work(conn)
            except (pg.DeadlockDetected, pg.SerializationFailure):
                if attempt == RETRIES:
                    raise
                time.sleep(random.uniform(0.001, 0.01) * (attempt + 1))
            except psycopg.Error as exc:
                api = from_db_error(exc)
                if api is None:
                    raise
                raise api from exc
        raise AssertionError("unreachable")

    def autocommit(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """One statement in its own transaction (reads, and rows that must outlive a rollback)."""
        with self.pool.connection() as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []


def one(conn: Conn, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
    return conn.execute(sql, params).fetchone()


__all__ = ["ApiError", "Conn", "Database", "one"]
