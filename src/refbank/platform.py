"""The running platform: configuration, database, ledger accounts, PSP clients, faults."""

from __future__ import annotations

from collections.abc import Callable

from refbank import idempotency
from refbank.config import Config
from refbank.db import Conn, Database
from refbank.errors import ApiError, ConfigError, not_found
from refbank.idempotency import Key, Reply
from refbank.ledger import Accounts, CustomerLedger
from refbank.migrations import current_schema_version
from refbank.psp import PspClient

# the schema versions each app version runs on (v2's schema only adds to v1's)
RUNS_ON: dict[str, tuple[int, ...]] = {"1": (1, 2), "2": (2,)}


def check_schema(app_version: str, dsn: str) -> int:
    """The database's schema version, if this app version runs on it; else ConfigError."""
    schema = current_schema_version(dsn)
    if schema not in RUNS_ON[app_version]:
        need = max(RUNS_ON[app_version])
        raise ConfigError(
            f"app version {app_version} needs schema version {need} but the database is at "
            f"schema version {schema}: run `python -m refbank migrate --dsn DSN --to {need}` "
            "first (or start the app version that matches the schema)"
        )
    return schema


class Platform:
    def __init__(self, config: Config, *, db: Database | None = None) -> None:
        self.config = config
        self.app_version = config.app_version
        self.faults = config.faults
        self.db = db or Database(config.dsn, size=config.pool_size)
        self.accounts = Accounts(self.db)
        self.psp = PspClient(config.psp)

    def close(self) -> None:
        self.psp.close()
        self.db.close()

    def fault(self, name: str) -> bool:
        return self.faults.on(name)

    # -- idempotency -------------------------------------------------------------------
    def claim(self, conn: Conn, key: Key | None) -> Reply | None:
        if key is None or self.fault("idempotency-ignored"):
            return None
        if self.fault("idempotency-check-then-act"):
            # FAULT idempotency-check-then-act: the key is only looked up here and stored when
            # the work is done, so requests with the same key at the same moment all do it
            return idempotency.lookup(conn, key)
        return idempotency.begin(conn, key)

    def remember(self, conn: Conn, key: Key | None, reply: Reply) -> Reply:
        if key is None or self.fault("idempotency-ignored"):
            return reply
        if self.fault("idempotency-check-then-act"):
            idempotency.store(conn, key, reply)
        else:
            idempotency.finish(conn, key, reply)
        return reply

    def idempotent(self, key: Key | None, work: Callable[[Conn], Reply]) -> Reply:
        """Run ``work`` in one transaction, replaying or storing the reply under ``key``."""

        def unit(conn: Conn) -> Reply:
            return self.claim(conn, key) or self.remember(conn, key, work(conn))

        return self.db.run(unit)

    # -- lookups shared by the services --------------------------------------------------
    def customer(self, conn: Conn, account_id: str, field: str = "account_id") -> CustomerLedger:
        found = self.accounts.customer(conn, account_id)
        if found is None:
            raise not_found("account", account_id, field)
        return found

    def ledger_currency(self, account_currency: str, requested: str) -> str:
        """The currency to book in; a request in another currency is refused."""
        if requested != account_currency and not self.fault("currency-mismatch-accepted"):
            raise ApiError(
                409,
                "currency_mismatch",
                f"currency {requested!r} is not the account's currency {account_currency!r}",
                field="currency",
            )
        # FAULT currency-mismatch-accepted: the request's currency is never compared; the
        # ledger books the amount in the account's currency whatever the client asked for
        return account_currency

    def require_psp(self, psp: str) -> str:
        if not self.psp.configured(psp):
            raise ApiError(
                503,
                "psp_not_configured",
                f"PSP {psp!r} is not configured on this platform (no API base URL)",
                field="psp",
            )
        return psp
