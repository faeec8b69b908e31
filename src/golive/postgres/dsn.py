"""An existing server given by DSN: golive creates its own databases there and drops only those."""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict

from golive.errors import ProviderUnavailable, UnsafeTarget
from golive.postgres import cleanup
from golive.postgres.base import Instance, InstanceSpec, Provider


def _redact(dsn: str) -> str:
    params = conninfo_to_dict(dsn)
    return (
        f"{params.get('host', 'localhost')}:{params.get('port', 5432)} as {params.get('user', '?')}"
    )


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if text.endswith((".", "?")) else text + "."


class DsnInstance(Instance):
    kind = "dsn"

    def __init__(self, dsn: str, *, disposable: bool) -> None:
        params = conninfo_to_dict(dsn)
        self.name = "dsn"
        self.host = str(params.get("host") or "localhost")
        self.port = int(params.get("port") or 5432)
        self.user = str(params.get("user") or "postgres")
        self.password = str(params.get("password") or "")
        self.base_db = str(params.get("dbname") or "postgres")
        self.disposable = disposable
        try:
            with psycopg.connect(dsn, connect_timeout=5) as conn:
                num = conn.execute("SHOW server_version_num").fetchone()
        except psycopg.OperationalError as exc:
            raise ProviderUnavailable(
                f"cannot connect to the Postgres server at {_redact(dsn)}: {_one_line(exc)} "
                "Fix: check host, port, user and password in the DSN, or use --postgres local."
            ) from None
        self.major = int(str(num[0] if num else "0")) // 10000

    @property
    def running(self) -> bool:
        try:
            with self.connect(self.base_db, connect_timeout=3):
                return True
        except psycopg.OperationalError:
            return False

    def client(self, tool: str) -> list[str]:
        from golive.postgres.binaries import binaries_for_major

        found = binaries_for_major(self.major)
        if found is None or not found.tool(tool).exists():
            raise ProviderUnavailable(
                f"no {tool} of PostgreSQL {self.major} (the DSN server's major) on this machine. "
                f"Fix: install the PostgreSQL {self.major} client, or set GOLIVE_PG_BIN to its bin "
                "folder."
            )
        return [str(found.tool(tool))]

    def _refuse(self, what: str) -> None:
        raise UnsafeTarget(
            f"refusing to {what} the server at {self.host}:{self.port}: golive did not create it "
            "and it is not marked disposable. Fix: set GOLIVE_PG_DISPOSABLE=1 only for a server "
            "whose loss you accept, or run the drill with --postgres docker or local."
        )

    def stop(self) -> None:
        self._refuse("stop")

    def start(self) -> None:
        self._refuse("start")

    def kill(self) -> None:
        self._refuse("kill")

    def destroy(self) -> None:
        """Nothing to do: the server is not ours; our databases are dropped by their owners."""


class DsnProvider(Provider):
    kind = "dsn"

    def __init__(self, dsn: str, *, disposable: bool = False) -> None:
        self.instance = DsnInstance(dsn, disposable=disposable)
        self._token = cleanup.register(self.close)
        self._started = False

    def start_instance(
        self, spec: InstanceSpec | None = None, *, name: str | None = None
    ) -> Instance:
        if spec and (spec.settings or spec.archive or spec.data_from):
            raise ProviderUnavailable(
                "a DSN server cannot take server settings, WAL archiving or a base backup from "
                "golive. Fix: run this drill with --postgres docker or --postgres local."
            )
        if self._started:
            raise ProviderUnavailable(
                "a DSN names one server; this step needs a second, independent instance. "
                "Fix: run it with --postgres docker or --postgres local."
            )
        self._started = True
        return self.instance

    def close(self) -> None:
        cleanup.unregister(self._token)

    def describe(self) -> str:
        return f"dsn ({self.instance.host}:{self.instance.port}, PostgreSQL {self.instance.major})"
