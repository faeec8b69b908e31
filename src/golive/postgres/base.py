"""The one interface every disposable-Postgres provider implements.

A *provider* starts *instances* (independent servers it owns) and hands out their DSNs.
Everything a provider creates is destroyed by ``close()``, at normal exit and on
SIGINT/SIGTERM (see ``cleanup``). A provider never destroys anything it did not create.
"""

from __future__ import annotations

import abc
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg

CLIENT_TOOLS = ("pg_dump", "pg_restore", "pg_basebackup", "pg_verifybackup", "pg_amcheck", "psql")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unique_name(prefix: str = "golive") -> str:
    """A database or instance name no other run will pick."""
    return f"{prefix}_{secrets.token_hex(5)}"


@dataclass(frozen=True)
class InstanceSpec:
    """What a drill may ask of a new instance.

    ``settings`` are server settings (``wal_level``, ``archive_mode`` …). With ``archive=True``
    the provider turns WAL archiving on into a folder it owns (``Instance.archive_dir``).
    ``data_from`` starts the instance from a copy of a physical base backup, with
    ``recovery`` settings (``restore_command`` is filled in for the archive when omitted).
    """

    settings: Mapping[str, str] = field(default_factory=dict)
    archive: bool = False
    data_from: Path | None = None
    recovery: Mapping[str, str] | None = None


class Instance(abc.ABC):
    """One running Postgres server owned by a provider."""

    kind: str
    name: str
    host: str
    port: int
    user: str
    password: str
    major: int
    archive_dir: Path | None = None
    disposable: bool = True

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq URI for ``dbname`` on this instance (its password is an evidence secret)."""
        from golive.evidence import register_secret

        register_secret(self.password)
        return (
            f"postgresql://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(dbname, safe='')}"
        )

    def connect(
        self, dbname: str = "postgres", **kw: object
    ) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.dsn(dbname), autocommit=True, **kw)  # type: ignore[arg-type]

    def execute(self, sql: str, dbname: str = "postgres") -> list[tuple[object, ...]]:
        """Run one statement in autocommit and return its rows (if any)."""
        with self.connect(dbname) as conn, conn.cursor() as cur:
            cur.execute(sql.encode())
            return list(cur.fetchall()) if cur.description else []

    def client_env(self) -> dict[str, str]:
        """libpq environment for the client tools (keeps the password off the command line)."""
        return {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
        }

    @abc.abstractmethod
    def client(self, tool: str) -> list[str]:
        """argv prefix to run ``tool`` (pg_dump …) of this server's major version."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Shut the server down cleanly (data kept)."""

    @abc.abstractmethod
    def start(self) -> None:
        """Start a stopped server again."""

    @abc.abstractmethod
    def kill(self) -> None:
        """Kill the server abruptly (a crash: SIGKILL, no checkpoint)."""

    @abc.abstractmethod
    def destroy(self) -> None:
        """Stop the server and delete everything it had. Idempotent."""

    @property
    @abc.abstractmethod
    def running(self) -> bool: ...

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.host}:{self.port} pg{self.major}>"


class Provider(abc.ABC):
    """Starts disposable Postgres instances and cleans up after itself."""

    kind: str

    @abc.abstractmethod
    def start_instance(
        self, spec: InstanceSpec | None = None, *, name: str | None = None
    ) -> Instance:
        """Start a new, independent instance."""

    @abc.abstractmethod
    def close(self) -> None:
        """Destroy every instance (and database) this provider created. Idempotent."""

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self) -> str:
        return self.kind

    def __repr__(self) -> str:  # the provider's password never shows
        return f"<{type(self).__name__} {self.describe()}>"


def wait_ready(dsn: str, timeout: float = 30.0, alive: Callable[[], bool] | None = None) -> None:
    """Poll until a connection succeeds (bounded by ``timeout``; at once when ``alive`` says
    the server has stopped)."""
    import time

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(dsn, connect_timeout=2) as conn:
                conn.execute("select 1")
                return
        except psycopg.OperationalError as exc:
            last = exc
            if alive is not None and not alive():
                raise TimeoutError(f"Postgres at {dsn.split('@')[-1]} stopped: {last}") from None
            time.sleep(0.05)
    raise TimeoutError(f"Postgres at {dsn.split('@')[-1]} not ready after {timeout}s: {last}")
