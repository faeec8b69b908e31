"""The database side of a drill: the schema's fingerprint, and a session that holds a lock.

Both only read: the fingerprint queries the catalog, and the lock holder takes an
ACCESS SHARE lock the way a long report does (``SELECT`` in an open transaction), which
blocks a migration's ``ALTER TABLE`` but no reader or writer of the platform.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from types import TracebackType

import psycopg
from psycopg import sql

FINGERPRINT_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
          FROM information_schema.columns WHERE table_schema = 'public'
         ORDER BY 1, 2""",
    "constraints": """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
          FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = 'public' ORDER BY 1, 2""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
         WHERE schemaname = 'public' ORDER BY 1, 2""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(t.oid)
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY 1, 2""",
    "functions": """
        SELECT p.proname, md5(pg_get_functiondef(p.oid)) FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' ORDER BY 1, 2""",
    "persistence": """
        SELECT relname, relpersistence::text FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1""",
}


def schema_fingerprint(dsn: str) -> dict[str, list[str]]:
    """Every column, constraint, index, trigger and function of the public schema, as text."""
    out: dict[str, list[str]] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET default_transaction_read_only = on")
        for part, query in FINGERPRINT_QUERIES.items():
            rows = conn.execute(query).fetchall()
            out[part] = [" | ".join(str(v) for v in row) for row in rows]
    return out


def fingerprint_digest(fingerprint: dict[str, list[str]]) -> str:
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()


def schema_differences(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    """What is in one fingerprint and not the other, part by part."""
    found = []
    for part in sorted(set(before) | set(after)):
        old, new = set(before.get(part, [])), set(after.get(part, []))
        found += [f"{part}: gone: {item}" for item in sorted(old - new)]
        found += [f"{part}: new: {item}" for item in sorted(new - old)]
    return found


class LockHolder:
    """A separate session that reads ``table`` in an open transaction until released."""

    def __init__(self, dsn: str, table: str) -> None:
        self.dsn = dsn
        self.table = table
        self.conn: psycopg.Connection[tuple[object, ...]] | None = None

    def hold(self) -> LockHolder:
        self.conn = psycopg.connect(self.dsn, application_name="golive long report")
        self.conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(self.table)))
        return self  # the transaction stays open: ACCESS SHARE on the table until release()

    @property
    def holding(self) -> bool:
        return self.conn is not None and not self.conn.closed

    def release(self) -> None:
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
            self.conn = None

    def __enter__(self) -> LockHolder:
        return self.hold()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


MIGRATION_APP_NAME = "golive drill migration"  # application_name of the drills' migrations

_LOCKS = """
    SELECT l.relation::regclass::text, l.mode, l.granted
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE a.application_name = %s AND a.datname = current_database()
       AND l.locktype = 'relation' AND l.relation IS NOT NULL"""


@dataclass
class MigrationLocks:
    """What a watched migration held and waited for (public tables only)."""

    held: set[str] = field(default_factory=set)  # granted ACCESS EXCLUSIVE: tables it altered
    waited: set[str] = field(default_factory=set)  # requested, not granted
    samples: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "altered": sorted(self.held),
            "waited_for": sorted(self.waited),
            "samples": self.samples,
        }


class MigrationWatcher:
    """Samples, from another session, the locks of the drill's migration while it runs."""

    def __init__(self, dsn: str, *, interval_s: float = 0.05) -> None:
        self.dsn = dsn
        self.interval_s = interval_s
        self.locks = MigrationLocks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.is_set():
                for rel, mode, granted in conn.execute(_LOCKS, (MIGRATION_APP_NAME,)).fetchall():
                    name = str(rel)
                    if name.startswith("pg_"):
                        continue
                    if not granted:
                        self.locks.waited.add(name)
                    elif mode == "AccessExclusiveLock":
                        self.locks.held.add(name)
                self.locks.samples += 1
                self._stop.wait(self.interval_s)

    def __enter__(self) -> MigrationWatcher:
        self._thread.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
