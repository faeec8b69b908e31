"""The operations golive knows by name, and the placeholders each one fills in.

An operation is what only the platform's own tooling can do (deploy a release, migrate the
schema, take the platform down…). The drills ask for them by these names; a configuration
that names another one, or uses a placeholder an operation does not offer, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Placeholder(StrEnum):
    """A value golive fills into an operation's argv, written ``{name}``."""

    RELEASE = "release"  # the application release to run, e.g. "2"
    SCHEMA = "schema"  # the schema version to migrate to (up or down)
    DSN = "dsn"  # a Postgres connection string (a database to restore into or to use)
    URL = "url"  # the target's base URL
    SECRETS_FILE = "secrets_file"  # a file of webhook secrets (golive.operations.secrets)
    BACKUP = "backup"  # a path golive chose for a backup (written by backup, read by restore)
    LOCK_TIMEOUT_MS = "lock_timeout_ms"  # how long a migration may wait for a lock
    ACCOUNT = "account"  # a customer account's id, as the platform's API gave it
    AMOUNT = "amount"  # an amount in minor units, e.g. 9223372036854775707
    CURRENCY = "currency"  # an ISO 4217 code, e.g. "EUR"


@dataclass(frozen=True)
class OperationSpec:
    """One operation: the placeholders its argv must use, and the ones it may use."""

    name: str
    does: str
    needs: tuple[Placeholder, ...] = ()
    may: tuple[Placeholder, ...] = ()

    @property
    def offers(self) -> tuple[Placeholder, ...]:
        return (*self.needs, *self.may, Placeholder.URL)


_P = Placeholder
CATALOG: dict[str, OperationSpec] = {
    spec.name: spec
    for spec in (
        OperationSpec("deploy", "switch the application to {release}", needs=(_P.RELEASE,)),
        OperationSpec(
            "migrate",
            "move the schema to {schema}, up or down",
            needs=(_P.SCHEMA,),
            may=(_P.LOCK_TIMEOUT_MS,),
        ),
        OperationSpec("stop", "take the platform down (it finishes what it is doing)"),
        OperationSpec("start", "bring the platform back up, answering health checks"),
        OperationSpec("kill", "take the platform down at once, as a crash would"),
        OperationSpec(
            "set_webhook_secrets",
            "make the platform accept webhooks signed with the secrets in {secrets_file}",
            needs=(_P.SECRETS_FILE,),
        ),
        OperationSpec("backup", "back up the platform's database to {backup}", needs=(_P.BACKUP,)),
        OperationSpec(
            "restore_into",
            "restore the backup {backup} into the database {dsn}",
            needs=(_P.BACKUP, _P.DSN),
        ),
        OperationSpec(
            "use_database",
            "point the platform at the database {dsn} (after a restore)",
            needs=(_P.DSN,),
        ),
        OperationSpec(
            "seed_balance",
            "book {amount} minor units of {currency} onto the account {account} directly "
            "(a test fixture, bypassing the PSP)",
            needs=(_P.ACCOUNT, _P.AMOUNT, _P.CURRENCY),
        ),
    )
}
