"""Holds, TigerBeetle-style two-phase transfers: place = pending, burn = post, release = void.

Placing a hold moves the amount from the customer's wallet to its customer_held account,
so the limit is checked (under a row lock) when the hold is placed. Burning moves it on to
house revenue (v2: less a fee into house_fees), the rest of a partial burn going back to
the wallet; releasing or expiring moves it back. The database lets a hold leave
``pending`` exactly once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from refbank import views
from refbank.db import Conn
from refbank.errors import ApiError, conflict, not_found
from refbank.idempotency import Key, Reply
from refbank.ledger import Leg, credit, debit, lock, lock_spendable, post
from refbank.platform import Platform
from refbank.service import accounts

EXPIRE_BATCH = 500


def insufficient(amount: int, available: int) -> ApiError:
    return conflict(
        "insufficient_funds", f"amount {amount} exceeds the available balance {available}", "amount"
    )


def place(
    p: Platform, account_id: str, amount: int, currency: str, expires_in: int, key: Key | None
) -> Reply:
    # FAULT hold-race: the limit is checked on the balance as the balance API reports it,
    # read in its own transaction without a lock; the reservation is written afterwards, so
    # concurrent holds all see the same balance and all get through
    seen = accounts.balance(p, account_id)["available"] if p.fault("hold-race") else None

    def work(conn: Conn) -> Reply:
        cust = p.customer(conn, account_id)
        cur = p.ledger_currency(cust.currency, currency)
        if seen is not None:
            if amount > seen:
                raise insufficient(amount, seen)
            posted = False
        else:
            _, available = lock_spendable(conn, [cust.wallet, cust.held], cust)
            if p.fault("slow-endpoint"):
                # FAULT slow-endpoint: a synchronous risk check (~600 ms) while the lock is held
                conn.execute("SELECT pg_sleep(0.6)")
            posted = amount <= available
            if not posted and not p.fault("hold-overdraft"):
                raise insufficient(amount, available)
            # FAULT hold-overdraft: short of funds, the hold becomes an unfunded reservation
            # "to be settled at capture" instead of being refused
        hold_id = str(uuid.uuid4())
        row = conn.execute(
            "INSERT INTO holds (id, account_id, amount, currency, ledger_posted, expires_at) "
            "VALUES (%s, %s, %s, %s, %s, now() + make_interval(secs => %s)) RETURNING *",
            (hold_id, account_id, amount, cur, posted, expires_in),
        ).fetchone()
        if posted:
            post(
                conn,
                "hold_place",
                hold_id,
                [debit(cust.wallet, amount, cur), credit(cust.held, amount, cur)],
            )
        assert row is not None
        return Reply(201, views.hold(row))

    return p.idempotent(key, work)


def _locked_hold(conn: Conn, hold_id: str, account_id: str | None) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM holds WHERE id = %s FOR UPDATE", (hold_id,)).fetchone()
    if row is None:
        raise not_found("hold", hold_id)
    if account_id is not None and str(row["account_id"]) != account_id:
        raise ApiError(
            409,
            "hold_account_mismatch",
            f"hold {hold_id!r} belongs to another account",
            field="account_id",
        )
    return row


def _pending(hold: dict[str, Any]) -> None:
    if hold["status"] != "pending":
        raise conflict("hold_not_pending", f"hold {str(hold['id'])!r} is already {hold['status']}")


def fee_of(p: Platform, conn: Conn, amount: int) -> int:
    """v2: the burn fee, ``fee_bps`` basis points rounded half up, in integer arithmetic."""
    if p.app_version != "2":
        return 0
    row = conn.execute("SELECT fee_bps FROM settings").fetchone()
    assert row is not None
    if p.fault("fee-half-even"):
        # FAULT fee-half-even: round() rounds an exact half to the even neighbour (0.5 → 0,
        # 2.5 → 2), where the contract says half up
        return round(amount * int(row["fee_bps"]) / 10_000)
    return (amount * int(row["fee_bps"]) + 5_000) // 10_000


def burn(
    p: Platform, hold_id: str, amount: int | None, account_id: str | None, key: Key | None
) -> Reply:
    def work(conn: Conn) -> Reply:
        hold = _locked_hold(conn, hold_id, account_id)
        if not p.fault("hold-double-burn"):
            _pending(hold)
        # FAULT hold-double-burn: no state check; the money moves again below even though
        # the hold row (guarded by the database) can no longer change
        take = hold["amount"] if amount is None else amount
        if take > hold["amount"]:
            raise ApiError(
                409,
                "burn_exceeds_hold",
                f"burn amount {take} exceeds the hold's amount {hold['amount']}",
                field="amount",
            )
        cur, rest = hold["currency"], hold["amount"] - take
        cust = p.customer(conn, str(hold["account_id"]))
        fee = fee_of(p, conn, take)
        legs: list[Leg] = []
        if take - fee:
            legs.append(credit(p.accounts.system("house_revenue", cur, conn=conn), take - fee, cur))
        if fee:
            legs.append(credit(p.accounts.system("house_fees", cur, conn=conn), fee, cur))
        if not hold["ledger_posted"]:
            legs.append(debit(cust.wallet, take, cur))  # a reservation settles from the wallet
        elif rest and not p.fault("release-leak"):
            legs += [debit(cust.held, hold["amount"], cur), credit(cust.wallet, rest, cur)]
        else:
            legs.append(debit(cust.held, take, cur))  # FAULT release-leak: the rest stays held
        lock(conn, [leg.account_id for leg in legs])
        post(conn, "hold_burn", hold_id, legs)
        fee_sql = ", fee_amount = %(fee)s" if p.app_version == "2" else ""
        row = conn.execute(
            "UPDATE holds SET status = 'burned', burned_amount = %(take)s, "
            f"released_amount = %(rest)s, resolved_at = now(){fee_sql} "
            "WHERE id = %(id)s AND status = 'pending' RETURNING *",
            {"take": take, "rest": rest, "fee": fee, "id": hold_id},
        ).fetchone()
        return Reply(200, views.hold(row or hold))

    return p.idempotent(key, work)


def _give_back(p: Platform, conn: Conn, hold: dict[str, Any], kind: str) -> None:
    """Move a released or expired hold's amount from customer_held back to the wallet."""
    if not hold["ledger_posted"] or p.fault("release-leak"):
        return  # FAULT release-leak: the status changes, the money stays in customer_held
    cust = p.customer(conn, str(hold["account_id"]))
    amount, cur = hold["amount"], hold["currency"]
    lock(conn, [cust.wallet, cust.held])
    post(
        conn,
        kind,
        str(hold["id"]),
        [debit(cust.held, amount, cur), credit(cust.wallet, amount, cur)],
    )


def release(p: Platform, hold_id: str, account_id: str | None, key: Key | None) -> Reply:
    def work(conn: Conn) -> Reply:
        hold = _locked_hold(conn, hold_id, account_id)
        _pending(hold)
        _give_back(p, conn, hold, "hold_release")
        row = conn.execute(
            "UPDATE holds SET status = 'released', released_amount = amount, resolved_at = now() "
            "WHERE id = %s RETURNING *",
            (hold_id,),
        ).fetchone()
        assert row is not None
        return Reply(200, views.hold(row))

    return p.idempotent(key, work)


def expire(p: Platform, now: datetime | None, key: Key | None) -> Reply:
    """Expire pending holds whose ``expires_at`` is at or before ``now`` (default: the clock)."""

    def work(conn: Conn) -> Reply:
        due = conn.execute(
            "SELECT * FROM holds WHERE status = 'pending' AND expires_at <= coalesce(%s, now()) "
            "ORDER BY expires_at, id LIMIT %s FOR UPDATE SKIP LOCKED",
            (now, EXPIRE_BATCH),
        ).fetchall()
        for hold in due:
            _give_back(p, conn, hold, "hold_expire")
            conn.execute(
                "UPDATE holds SET status = 'expired', released_amount = amount, "
                "resolved_at = now() WHERE id = %s",
                (hold["id"],),
            )
        return Reply(200, {"expired": [str(h["id"]) for h in due]})

    return p.idempotent(key, work)


def get(p: Platform, hold_id: str) -> dict[str, Any]:
    row = p.db.run(lambda c: c.execute("SELECT * FROM holds WHERE id = %s", (hold_id,)).fetchone())
    if row is None:
        raise not_found("hold", hold_id)
    return views.hold(row)
