"""``python -m refbank seed``: book an amount onto an account directly — a test fixture.

What golive's ``seed_balance`` operation runs, to reach a balance near 2^63-1 that deposits
through a PSP reach only after ~9.2e10 of them. It books what a credited deposit books, so
every invariant of the books still holds: a succeeded deposit (PSP reference ``seed:<id>``,
no PSP was asked) and its ledger transaction, the wallet credited and the counter-leg on a
clearing account of the seeded account's own (``psp_clearing:seed:<account>``), so no shared
clearing account is pushed towards -2^63.
"""

from __future__ import annotations

import uuid

import psycopg
from psycopg import errors as pg
from psycopg.rows import dict_row

from refbank.db import Conn
from refbank.errors import ConfigError
from refbank.ledger import credit, debit, post

SEED_PSP = "stripe"  # the deposits table names a PSP; none was asked


class SeedRefused(Exception):
    """The platform refused the seed (no such account, another currency, out of range)."""


def seed(dsn: str, account_id: str, amount: int, currency: str) -> int:
    """Book ``amount`` minor units onto ``account_id``'s wallet; its balance afterwards."""
    try:
        uuid.UUID(account_id)
    except ValueError:
        raise ConfigError(f"--account {account_id!r} is not an account id (a UUID)") from None
    if amount <= 0:
        raise ConfigError(f"--amount {amount} is not a positive number of minor units")
    try:
        with psycopg.connect(dsn, row_factory=dict_row) as conn:
            return _book(conn, account_id, amount, currency)
    except pg.NumericValueOutOfRange:
        raise SeedRefused(
            f"{amount} more would take account {account_id}'s balance past 2^63-1"
        ) from None


def _book(conn: Conn, account_id: str, amount: int, currency: str) -> int:
    found = conn.execute("SELECT currency FROM accounts WHERE id = %s", (account_id,)).fetchone()
    if found is None:
        raise SeedRefused(f"there is no account {account_id}")
    if found["currency"] != currency:
        raise SeedRefused(f"account {account_id} holds {found['currency']}, not {currency}")
    owner = f"psp_clearing:seed:{account_id}"
    conn.execute(
        "INSERT INTO ledger_accounts (kind, owner, currency) VALUES ('psp_clearing', %s, %s) "
        "ON CONFLICT (kind, owner, currency) DO NOTHING",
        (owner, currency),
    )
    ids = conn.execute(
        "SELECT kind, id FROM ledger_accounts WHERE (kind, owner) IN "
        "(('psp_clearing', %s), ('customer_wallet', %s))",
        (owner, account_id),
    ).fetchall()
    by_kind = {str(r["kind"]): int(r["id"]) for r in ids}
    deposit = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO deposits (id, account_id, amount, currency, psp, psp_reference, status) "
        "VALUES (%s, %s, %s, %s, %s, %s, 'succeeded')",
        (deposit, account_id, amount, currency, SEED_PSP, f"seed:{deposit}"),
    )
    legs = [
        debit(by_kind["psp_clearing"], amount, currency),
        credit(by_kind["customer_wallet"], amount, currency),
    ]
    post(conn, "deposit", deposit, legs)
    row = conn.execute(
        "SELECT balance FROM ledger_accounts WHERE id = %s", (by_kind["customer_wallet"],)
    ).fetchone()
    assert row is not None
    return int(row["balance"])
