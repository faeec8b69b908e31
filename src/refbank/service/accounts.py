"""Accounts, balances, ledger views, finance jobs and settings."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import sql

from refbank import views
from refbank.db import Conn
from refbank.errors import invalid, not_found
from refbank.idempotency import Key, Reply
from refbank.ledger import open_customer
from refbank.migrations import schema_version_of
from refbank.platform import Platform
from refbank.psp import PSPS

CONTRACT_VERSION = "1.0"


def open_house_accounts(p: Platform, currency: str) -> None:
    """The platform's own ledger accounts in ``currency`` (made once, before money moves)."""
    for psp in PSPS:
        p.accounts.system("psp_clearing", currency, psp)
        p.accounts.system("payouts_in_transit", currency, psp)
    p.accounts.system("house_revenue", currency)
    if p.app_version == "2":
        p.accounts.system("house_fees", currency)


def create_account(p: Platform, owner_ref: str, currency: str, key: Key | None) -> Reply:
    open_house_accounts(p, currency)

    def work(conn: Conn) -> Reply:
        account_id = str(uuid.uuid4())
        row = conn.execute(
            "INSERT INTO accounts (id, owner_ref, currency) VALUES (%s, %s, %s) RETURNING *",
            (account_id, owner_ref, currency),
        ).fetchone()
        open_customer(conn, account_id, currency)
        assert row is not None
        return Reply(201, views.account(row))

    return p.idempotent(key, work)


def get_account(p: Platform, account_id: str) -> dict[str, Any]:
    row = p.db.run(
        lambda c: c.execute("SELECT * FROM accounts WHERE id = %s", (account_id,)).fetchone()
    )
    if row is None:
        raise not_found("account", account_id)
    return views.account(row)


BALANCE_SQL = """
SELECT a.id, a.currency,
       w.balance AS wallet,
       coalesce((SELECT sum(amount) FROM holds h
                  WHERE h.account_id = a.id AND h.status = 'pending'), 0) AS held,
       coalesce((SELECT sum(amount) FROM holds h
                  WHERE h.account_id = a.id AND h.status = 'pending' AND NOT h.ledger_posted), 0)
           AS reserved,
       coalesce((SELECT sum(amount) FROM deposits d
                  WHERE d.account_id = a.id AND d.status = 'pending'), 0) AS pending
  FROM accounts a
  JOIN ledger_accounts w ON w.kind = 'customer_wallet' AND w.owner = a.id::text
 WHERE a.id = %s
"""


def balance(p: Platform, account_id: str) -> dict[str, Any]:
    """available = wallet balance (less reservations kept outside the ledger), held = pending
    holds, pending = deposits awaiting their PSP webhook."""
    row = p.db.run(lambda c: c.execute(BALANCE_SQL, (account_id,)).fetchone())
    if row is None:
        raise not_found("account", account_id)
    return {
        "account_id": str(row["id"]),
        "currency": row["currency"],
        "available": int(row["wallet"]) - int(row["reserved"]),
        "held": int(row["held"]),
        "pending": int(row["pending"]),
    }


# reference: the PSP's reference of the deposit or withdrawal a transaction books (the
# payment intent, payout id or Adyen pspReference), which reconciliation pairs by
ENTRIES_SQL = """
SELECT e.id::text AS id, e.transaction_id, t.kind AS transaction_kind, la.owner AS account_id,
       la.kind AS account_kind, e.direction, e.amount, e.currency, e.created_at,
       CASE WHEN t.kind = 'deposit'
            THEN (SELECT d.psp_reference FROM deposits d WHERE d.id = t.reference::uuid)
            WHEN t.kind IN ('withdrawal', 'payout_settled', 'payout_refund')
            THEN (SELECT w.psp_reference FROM withdrawals w WHERE w.id = t.reference::uuid)
       END AS reference
  FROM ledger_entries e
  JOIN ledger_accounts la ON la.id = e.account_id
  JOIN ledger_transactions t ON t.id = e.transaction_id
 WHERE e.id > %s
 ORDER BY e.id
 LIMIT %s
"""


def entries(p: Platform, cursor: int, limit: int) -> dict[str, Any]:
    rows = p.db.run(lambda c: c.execute(ENTRIES_SQL, (cursor, limit + 1)).fetchall())
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "entries": [views.entry(r) for r in rows],
        "next_cursor": rows[-1]["id"] if more else None,
    }


def totals(p: Platform) -> dict[str, Any]:
    # a sum of balances may pass 2^63-1 (balances near it are allowed): exact, not bigint
    rows = p.db.run(
        lambda c: c.execute(
            "SELECT kind, currency, sum(balance) AS balance FROM ledger_accounts "
            "GROUP BY kind, currency ORDER BY kind, currency"
        ).fetchall()
    )
    return {
        "totals": [
            {"account_kind": r["kind"], "currency": r["currency"], "balance": int(r["balance"])}
            for r in rows
        ]
    }


def jobs(p: Platform, state: str | None, kind: str | None, limit: int) -> dict[str, Any]:
    rows = p.db.run(
        lambda c: c.execute(
            "SELECT * FROM finance_jobs WHERE (%s::text IS NULL OR state = %s) "
            "AND (%s::text IS NULL OR kind = %s) ORDER BY created_at, id LIMIT %s",
            (state, state, kind, kind, limit),
        ).fetchall()
    )
    return {"jobs": [views.job(r) for r in rows]}


def version(p: Platform) -> dict[str, Any]:
    schema = p.db.run(schema_version_of)
    return {
        "app_version": p.app_version,
        "schema_version": str(schema),
        "contract": CONTRACT_VERSION,
    }


# -- settings ---------------------------------------------------------------------------
def _settings_view(p: Platform, row: dict[str, Any]) -> dict[str, Any]:
    out = {"withdrawals_enabled": row["withdrawals_enabled"], "primary_psp": row["primary_psp"]}
    if p.app_version == "2":
        out["fee_bps"] = row["fee_bps"]
    return out


def get_settings(p: Platform) -> dict[str, Any]:
    row = p.db.run(lambda c: c.execute("SELECT * FROM settings").fetchone())
    assert row is not None
    return _settings_view(p, row)


def put_settings(p: Platform, changes: dict[str, Any], key: Key | None) -> Reply:
    if "fee_bps" in changes and p.app_version != "2":
        raise invalid("fee_bps", "fee_bps exists from app version 2 on")

    def work(conn: Conn) -> Reply:
        row = conn.execute("SELECT * FROM settings FOR UPDATE").fetchone()
        assert row is not None
        for name, value in changes.items():  # names are validated by the caller
            conn.execute(
                sql.SQL("UPDATE settings SET {} = %s").format(sql.Identifier(name)), (value,)
            )
        row = conn.execute("SELECT * FROM settings").fetchone()
        assert row is not None
        return Reply(200, _settings_view(p, row))

    return p.idempotent(key, work)
