"""Transfers between two customer wallets of the same currency, in one transaction."""

from __future__ import annotations

import uuid
from typing import Any

from refbank import views
from refbank.db import Conn
from refbank.errors import ApiError
from refbank.idempotency import Key, Reply
from refbank.ledger import CustomerLedger, credit, debit, lock, lock_spendable, post
from refbank.platform import Platform
from refbank.service.holds import insufficient


def _destination(p: Platform, conn: Conn, to_id: str, currency: str) -> CustomerLedger:
    dst = p.customer(conn, to_id, "to_account_id")
    if dst.currency != currency:
        raise ApiError(
            409,
            "currency_mismatch",
            f"account {to_id!r} holds {dst.currency}, not {currency}: "
            "a transfer stays in one currency",
            field="to_account_id",
        )
    return dst


def _record(
    conn: Conn, tid: str, from_id: str, to_id: str, amount: int, cur: str, txn: str
) -> Reply:
    row = conn.execute(
        "INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, "
        "transaction_id) VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
        (tid, from_id, to_id, amount, cur, txn),
    ).fetchone()
    assert row is not None
    return Reply(201, views.transfer(row))


def _check_funds(conn: Conn, ids: list[int], src: CustomerLedger, amount: int) -> None:
    _, available = lock_spendable(conn, ids, src)
    if amount > available:
        raise insufficient(amount, available)


def transfer(
    p: Platform, from_id: str, to_id: str, amount: int, currency: str, key: Key | None
) -> Reply:
    if from_id == to_id:
        raise ApiError(
            409, "same_account", "a transfer needs two different accounts", field="to_account_id"
        )
    if p.fault("transfer-not-atomic"):
        return _in_two_steps(p, from_id, to_id, amount, currency, key)

    def work(conn: Conn) -> Reply:
        src = p.customer(conn, from_id, "from_account_id")
        cur = p.ledger_currency(src.currency, currency)
        dst = _destination(p, conn, to_id, cur)
        _check_funds(conn, [src.wallet, dst.wallet], src, amount)
        tid = str(uuid.uuid4())
        txn = post(
            conn, "transfer", tid, [debit(src.wallet, amount, cur), credit(dst.wallet, amount, cur)]
        )
        return _record(conn, tid, from_id, to_id, amount, cur, txn)

    return p.idempotent(key, work)


def _in_two_steps(
    p: Platform, from_id: str, to_id: str, amount: int, currency: str, key: Key | None
) -> Reply:
    """FAULT transfer-not-atomic: the debit commits on its own (parked in the sender's
    customer_held account); the destination is looked at only in the second transaction,
    so a transfer refused there leaves the sender debited."""
    tid = str(uuid.uuid4())

    def take(conn: Conn) -> Reply | tuple[CustomerLedger, str]:
        stored = p.claim(conn, key)
        if stored:
            return stored
        src = p.customer(conn, from_id, "from_account_id")
        cur = p.ledger_currency(src.currency, currency)
        _check_funds(conn, [src.wallet, src.held], src, amount)
        post(
            conn,
            "transfer_out",
            tid,
            [debit(src.wallet, amount, cur), credit(src.held, amount, cur)],
        )
        return src, cur

    first = p.db.run(take)
    if isinstance(first, Reply):
        return first
    src, cur = first

    def give(conn: Conn) -> Reply:
        dst = _destination(p, conn, to_id, cur)
        lock(conn, [src.held, dst.wallet])
        txn = post(
            conn,
            "transfer_in",
            tid,
            [debit(src.held, amount, cur), credit(dst.wallet, amount, cur)],
        )
        return p.remember(conn, key, _record(conn, tid, from_id, to_id, amount, cur, txn))

    return p.db.run(give)


def get(p: Platform, transfer_id: str) -> dict[str, Any] | None:
    row = p.db.run(
        lambda c: c.execute("SELECT * FROM transfers WHERE id = %s", (transfer_id,)).fetchone()
    )
    return views.transfer(row) if row else None
