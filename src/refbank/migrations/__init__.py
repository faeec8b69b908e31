"""Versioned schema migrations (alembic), with downgrades: schema 1 and schema 2.

``migrate(dsn, 2)`` upgrades, ``migrate(dsn, 1)`` downgrades; ``current_schema_version(dsn)``
says where a database is (0 when it has never been migrated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from psycopg.rows import tuple_row

from refbank.faults import NO_FAULTS, Faults

HERE = Path(__file__).resolve().parent
SQL_DIR = HERE / "sql"
# schema version → alembic revision
REVISIONS: dict[int, str] = {0: "base", 1: "0001", 2: "0002"}
LATEST = 2


class MigrationError(RuntimeError):
    """A migration was asked for something it cannot do."""


def _config(dsn: str, faults: Faults) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["dsn"] = dsn
    cfg.attributes["faults"] = faults
    return cfg


def current_schema_version(dsn: str) -> int:
    """The schema version of the database at ``dsn`` (0 if it was never migrated)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        return schema_version_of(conn)


def schema_version_of(conn: psycopg.Connection[Any]) -> int:
    """The schema version, read through ``conn`` (any row factory)."""
    cur = conn.cursor(row_factory=tuple_row)
    row = cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    rev = cur.execute("SELECT version_num FROM alembic_version").fetchone()
    if rev is None:
        return 0
    by_rev = {r: v for v, r in REVISIONS.items()}
    if rev[0] not in by_rev:
        raise MigrationError(f"the database is at unknown alembic revision {rev[0]!r}")
    return by_rev[str(rev[0])]


def migrate(dsn: str, target: int, *, faults: Faults = NO_FAULTS) -> int:
    """Upgrade or downgrade the database at ``dsn`` to schema ``target``; returns the old one."""
    if target not in REVISIONS:
        raise MigrationError(
            f"schema version {target!r} does not exist: choose one of {sorted(REVISIONS)}"
        )
    before = current_schema_version(dsn)
    cfg = _config(dsn, faults)
    if target > before:
        command.upgrade(cfg, REVISIONS[target])
    elif target < before:
        command.downgrade(cfg, REVISIONS[target])
    return before


def run_sql(name: str) -> None:
    """Run ``sql/<name>.sql`` inside the running alembic migration's transaction."""
    from alembic import op

    text = (SQL_DIR / f"{name}.sql").read_text()
    # the driver connection: no bind-parameter parsing, several statements at once
    op.get_bind().connection.driver_connection.execute(text)  # type: ignore[union-attr]


def faults() -> Faults:
    """The faults of the running migration (read by the revision scripts)."""
    from alembic import context

    found = context.config.attributes.get("faults", NO_FAULTS)
    assert isinstance(found, Faults)
    return found


__all__ = ["LATEST", "MigrationError", "current_schema_version", "migrate", "schema_version_of"]
