"""Deposits: charge at the PSP, pending until its signed webhook, credited exactly once.

Creating a deposit commits the pending deposit and its confirmation job first, then calls
the PSP (never inside a database transaction), then records the PSP's reference. The
wallet is credited only by ``credit`` when a verified success webhook arrives:
psp_clearing(psp) debit → customer_wallet credit.
"""

from __future__ import annotations

import uuid
from typing import Any

from refbank import views
from refbank.currencies import exponent
from refbank.db import Conn
from refbank.errors import ApiError, not_found
from refbank.idempotency import Key, Reply
from refbank.ledger import credit as credit_leg
from refbank.ledger import debit, lock, post
from refbank.platform import Platform
from refbank.psp import PspUnavailable, Submitted
from refbank.service.jobs import close_job, open_job


def create(
    p: Platform, account_id: str, amount: int, currency: str, psp: str | None, key: Key | None
) -> Reply:
    def begin(conn: Conn) -> Reply | dict[str, Any]:
        stored = p.claim(conn, key)
        if stored:
            return stored
        cust = p.customer(conn, account_id)
        cur = p.ledger_currency(cust.currency, currency)
        chosen = p.require_psp(psp or _primary_psp(conn))
        row = conn.execute(
            "INSERT INTO deposits (id, account_id, amount, currency, psp) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING *",
            (str(uuid.uuid4()), account_id, amount, cur, chosen),
        ).fetchone()
        assert row is not None
        open_job(conn, "deposit_confirmation", str(row["id"]))
        return row

    started = p.db.run(begin)
    if isinstance(started, Reply):
        return started
    dep_id = str(started["id"])
    try:
        sub: Submitted | None = p.psp.create_payment(
            started["psp"], dep_id, started["amount"], started["currency"]
        )
    except PspUnavailable:
        sub = None

    def finish(conn: Conn) -> Reply:
        if sub is not None and sub.reference:
            conn.execute(
                "UPDATE deposits SET psp_reference = coalesce(psp_reference, %s), "
                "updated_at = now() WHERE id = %s",
                (sub.reference, dep_id),
            )
        if sub is None or sub.declined:
            reason = "psp_unavailable" if sub is None else f"declined: {sub.detail}"
            _fail(p, conn, dep_id, reason)
        row = conn.execute("SELECT * FROM deposits WHERE id = %s", (dep_id,)).fetchone()
        assert row is not None
        if sub is None:
            err = ApiError(
                502,
                "psp_unavailable",
                f"the PSP {row['psp']!r} did not accept the payment; the deposit is marked failed",
                extra={"deposit": views.deposit(row)},
            )
            reply = Reply(502, err.body())
        else:
            reply = Reply(201, views.deposit(row))
        return p.remember(conn, key, reply)

    return p.db.run(finish)


def _primary_psp(conn: Conn) -> str:
    row = conn.execute("SELECT primary_psp FROM settings").fetchone()
    assert row is not None
    return str(row["primary_psp"])


def _fail(p: Platform, conn: Conn, dep_id: str, reason: str) -> bool:
    done = conn.execute(
        "UPDATE deposits SET status = 'failed', failure_reason = %s, updated_at = now() "
        "WHERE id = %s AND status = 'pending' RETURNING id",
        (reason, dep_id),
    ).fetchone()
    if done:
        close_job(p, conn, "deposit_confirmation", dep_id, "done", f"payment failed: {reason}")
    return done is not None


def get(p: Platform, deposit_id: str) -> dict[str, Any]:
    row = p.db.run(
        lambda c: c.execute("SELECT * FROM deposits WHERE id = %s", (deposit_id,)).fetchone()
    )
    if row is None:
        raise not_found("deposit", deposit_id)
    return views.deposit(row)


def credited_amount(p: Platform, amount: int, currency: str) -> int:
    if p.fault("float-rounding"):
        # FAULT float-rounding: the amount takes a trip through float major units
        # (29 → 0.29 → 28.999999999999996 → 28): a cent is lost on about one amount in 17
        scale = 10 ** exponent(currency)
        return int(amount / scale * scale)
    return amount


def succeeded(p: Platform, conn: Conn, dep: dict[str, Any], psp_reference: str | None) -> str:
    """Credit a deposit confirmed by its PSP; returns the webhook outcome."""
    if dep["status"] == "succeeded" and not p.fault("webhook-double-credit"):
        return "duplicate"
    # FAULT webhook-double-credit: without the state check a repeated success credits again
    cust = p.customer(conn, str(dep["account_id"]))
    cur = dep["currency"]
    amount = credited_amount(p, dep["amount"], cur)
    clearing = p.accounts.system("psp_clearing", cur, dep["psp"], conn=conn)
    lock(conn, [clearing, cust.wallet])
    post(
        conn,
        "deposit",
        str(dep["id"]),
        [debit(clearing, amount, cur), credit_leg(cust.wallet, amount, cur)],
    )
    conn.execute(
        "UPDATE deposits SET status = 'succeeded', failure_reason = NULL, "
        "psp_reference = coalesce(psp_reference, %s), updated_at = now() WHERE id = %s",
        (psp_reference, dep["id"]),
    )
    close_job(p, conn, "deposit_confirmation", str(dep["id"]), "done", "payment succeeded")
    return "credited"


def failed(p: Platform, conn: Conn, dep: dict[str, Any], reason: str) -> str:
    return "failed" if _fail(p, conn, str(dep["id"]), reason) else f"ignored ({dep['status']})"
