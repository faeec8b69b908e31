"""Withdrawals: wallet → payouts_in_transit, a payout at the PSP, then settled or refunded.

paid:     payouts_in_transit(psp) → psp_clearing(psp)   (the money left our PSP balance)
failed:   payouts_in_transit(psp) → customer_wallet     (refunded)
returned: psp_clearing(psp) → customer_wallet           (failed after it was paid)
"""

from __future__ import annotations

import uuid
from typing import Any

from refbank import views
from refbank.db import Conn
from refbank.errors import ApiError, conflict, not_found
from refbank.idempotency import Key, Reply
from refbank.ledger import credit, debit, lock, lock_spendable, post
from refbank.platform import Platform
from refbank.psp import PspUnavailable, Submitted
from refbank.service.holds import insufficient
from refbank.service.jobs import close_job, open_job


def create(
    p: Platform, account_id: str, amount: int, currency: str, psp: str | None, key: Key | None
) -> Reply:
    def begin(conn: Conn) -> Reply | dict[str, Any]:
        stored = p.claim(conn, key)
        if stored:
            return stored
        settings = conn.execute("SELECT * FROM settings").fetchone()
        assert settings is not None
        if not settings["withdrawals_enabled"]:
            raise conflict("withdrawals_disabled", "withdrawals are switched off (admin settings)")
        cust = p.customer(conn, account_id)
        cur = p.ledger_currency(cust.currency, currency)
        chosen = p.require_psp(psp or settings["primary_psp"])
        in_transit = p.accounts.system("payouts_in_transit", cur, chosen, conn=conn)
        _, available = lock_spendable(conn, [cust.wallet, in_transit], cust)
        if amount > available:
            raise insufficient(amount, available)
        wid = str(uuid.uuid4())
        row = conn.execute(
            "INSERT INTO withdrawals (id, account_id, amount, currency, psp) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING *",
            (wid, account_id, amount, cur, chosen),
        ).fetchone()
        post(
            conn,
            "withdrawal",
            wid,
            [debit(cust.wallet, amount, cur), credit(in_transit, amount, cur)],
        )
        open_job(conn, "payout", wid)
        assert row is not None
        return row

    started = p.db.run(begin)
    if isinstance(started, Reply):
        return started
    wid = str(started["id"])
    try:
        sub: Submitted | None = p.psp.create_payout(
            started["psp"], wid, str(started["account_id"]), started["amount"], started["currency"]
        )
    except PspUnavailable:
        sub = None

    def finish(conn: Conn) -> Reply:
        if sub is not None and sub.reference:
            conn.execute(
                "UPDATE withdrawals SET psp_reference = coalesce(psp_reference, %s), "
                "updated_at = now() WHERE id = %s",
                (sub.reference, wid),
            )
        if sub is None or sub.declined:
            wd = conn.execute(
                "SELECT * FROM withdrawals WHERE id = %s FOR UPDATE", (wid,)
            ).fetchone()
            assert wd is not None
            payout_failed(
                p, conn, wd, "psp_unavailable" if sub is None else f"declined: {sub.detail}"
            )
        row = conn.execute("SELECT * FROM withdrawals WHERE id = %s", (wid,)).fetchone()
        assert row is not None
        if sub is None or sub.declined:
            code = "psp_unavailable" if sub is None else "payout_declined"
            err = ApiError(
                502,
                code,
                f"the PSP {row['psp']!r} did not accept the payout; the "
                "withdrawal is failed and refunded",
                extra={"withdrawal": views.withdrawal(row)},
            )
            reply = Reply(502, err.body())
        else:
            reply = Reply(201, views.withdrawal(row))
        return p.remember(conn, key, reply)

    return p.db.run(finish)


def get(p: Platform, withdrawal_id: str) -> dict[str, Any]:
    row = p.db.run(
        lambda c: c.execute("SELECT * FROM withdrawals WHERE id = %s", (withdrawal_id,)).fetchone()
    )
    if row is None:
        raise not_found("withdrawal", withdrawal_id)
    return views.withdrawal(row)


def _set_status(conn: Conn, wid: str, status: str, reason: str | None) -> None:
    conn.execute(
        "UPDATE withdrawals SET status = %s, failure_reason = %s, updated_at = now() WHERE id = %s",
        (status, reason, wid),
    )


def payout_paid(p: Platform, conn: Conn, wd: dict[str, Any]) -> str:
    """The PSP paid the payout out: settle payouts_in_transit against PSP clearing."""
    if wd["status"] != "in_transit":
        return f"ignored ({wd['status']})"
    cur, psp = wd["currency"], wd["psp"]
    in_transit = p.accounts.system("payouts_in_transit", cur, psp, conn=conn)
    clearing = p.accounts.system("psp_clearing", cur, psp, conn=conn)
    lock(conn, [in_transit, clearing])
    post(
        conn,
        "payout_settled",
        str(wd["id"]),
        [debit(in_transit, wd["amount"], cur), credit(clearing, wd["amount"], cur)],
    )
    _set_status(conn, str(wd["id"]), "paid", None)
    close_job(p, conn, "payout", str(wd["id"]), "done", "payout paid")
    return "settled"


def payout_failed(p: Platform, conn: Conn, wd: dict[str, Any], reason: str) -> str:
    """The payout failed (or came back after it was paid): refund the customer's wallet."""
    if wd["status"] == "failed":
        return "ignored (failed)"
    cur, psp = wd["currency"], wd["psp"]
    source_kind = "payouts_in_transit" if wd["status"] == "in_transit" else "psp_clearing"
    source = p.accounts.system(source_kind, cur, psp, conn=conn)
    if not p.fault("payout-failure-not-refunded"):
        # FAULT payout-failure-not-refunded skips this: the money stays in transit
        cust = p.customer(conn, str(wd["account_id"]))
        lock(conn, [source, cust.wallet])
        post(
            conn,
            "payout_refund",
            str(wd["id"]),
            [debit(source, wd["amount"], cur), credit(cust.wallet, wd["amount"], cur)],
        )
    _set_status(conn, str(wd["id"]), "failed", reason)
    close_job(p, conn, "payout", str(wd["id"]), "failed", f"payout failed: {reason}; refunded")
    return "refunded"
