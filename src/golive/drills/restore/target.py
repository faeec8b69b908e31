"""The platform a restore drill acts on: its API (the target interface), the stub PSP it
calls, its operations (``backup``, ``restore_into``, ``use_database``, ``kill``…) and the
read-only DSN of its database. Embedded or external, a drill sees only this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg

from golive.drills.restore.catalog import schema_of
from golive.drills.restore.checksums import TableSum, quiet_sums
from golive.operations import OperationNotConfigured, OperationResult, Operations
from golive.target import Target, open_target

NO_DATABASE = "not drilled: no [target] database configured (the read-only DSN of its database)"


@dataclass
class DrillTarget:
    """One platform under drill; ``journal`` keeps every operation run on it."""

    url: str
    psp_url: str
    operations: Operations
    database: str = ""  # read-only DSN of the platform's database ("" none)
    connect: Callable[[], Target] | None = None  # the configured client (adapter or contract)
    env: Mapping[str, str] | None = None  # the operations' environment (None: golive's)
    journal: list[dict[str, Any]] = field(default_factory=list)

    def client(self) -> Target:
        return self.connect() if self.connect is not None else open_target(self.url, timeout=30)

    def require(self, *names: str, database: bool = False) -> None:
        """OperationNotConfigured (the drill is skipped) naming the first thing missing."""
        missing = self.operations.missing(*names)
        if missing:
            raise OperationNotConfigured(self.operations.not_drilled(missing[0]))
        if database and not self.database:
            raise OperationNotConfigured(NO_DATABASE)

    def run(self, name: str, **values: object) -> OperationResult:
        """Run operation ``name`` (its result journaled; OperationFailed kept there too)."""
        from golive.operations import OperationFailed

        try:
            result = self.operations.run(name, {**values, "url": self.url}, env=self.env)
        except OperationFailed as exc:
            self.journal.append(exc.result.to_dict())
            raise
        self.journal.append(result.to_dict())
        return result

    def state(self, *, workers: int = 1) -> tuple[dict[str, str], dict[str, TableSum]]:
        """Schema and table checksums of the platform's database, read-only."""
        dsn = self.database

        def connect() -> psycopg.Connection[Any]:
            conn = psycopg.connect(dsn, connect_timeout=10)
            conn.read_only = True
            return conn

        with connect() as conn:
            schema = schema_of(conn)
        return schema, quiet_sums(connect, workers=workers)
