"""Fresh databases in milliseconds: migrate a template once, then ``CREATE DATABASE … TEMPLATE``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from psycopg import sql

from golive.postgres import cleanup
from golive.postgres.base import Instance, unique_name


@dataclass
class Database:
    """A database golive created on ``instance``; ``drop()`` removes it."""

    instance: Instance
    name: str

    @property
    def dsn(self) -> str:
        return self.instance.dsn(self.name)

    def drop(self) -> None:
        drop_database(self.instance, self.name)


def create_database(
    instance: Instance, name: str | None = None, *, template: str | None = None
) -> Database:
    name = name or unique_name("golive")
    stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        stmt = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )
    with instance.connect() as conn:
        conn.execute(stmt)
    return Database(instance, name)


def drop_database(instance: Instance, name: str) -> None:
    with instance.connect() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


class Templates:
    """Migrated templates on one instance, keyed by what migrated them.

    ``clone(key, migrate)`` migrates a template the first time a key is seen (``migrate``
    gets the template's DSN), then hands out a fresh copy per call. Every database made
    here is dropped by ``close()`` (and at exit), and nothing else is.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self._templates: dict[str, str] = {}
        self._created: list[str] = []
        self._lock = threading.Lock()
        self._token = cleanup.register(self.close)

    def template(self, key: str, migrate: Callable[[str], None]) -> str:
        with self._lock:
            if key not in self._templates:
                db = create_database(self.instance, unique_name("golive_tpl"))
                self._created.append(db.name)
                migrate(db.dsn)
                with self.instance.connect() as conn:
                    conn.execute(
                        sql.SQL(
                            "ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
                        ).format(sql.Identifier(db.name))
                    )
                    # migrations may leave sessions behind (pools); a template needs none
                    conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                        (db.name,),
                    )
                self._templates[key] = db.name
            return self._templates[key]

    def clone(self, key: str, migrate: Callable[[str], None]) -> Database:
        db = create_database(self.instance, template=self.template(key, migrate))
        with self._lock:
            self._created.append(db.name)
        return db

    def close(self) -> None:
        cleanup.unregister(self._token)
        if not self.instance.running:
            return
        templates = set(self._templates.values())
        with self.instance.connect() as conn:
            for name in reversed(self._created):
                if name in templates:
                    conn.execute(
                        sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(
                            sql.Identifier(name)
                        )
                    )
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self._created.clear()
        self._templates.clear()
