"""Wallets, top-ups (money in) and payouts (money out).

A top-up is written, then charged at the PSP outside any database transaction, and credited
only when the PSP's verified webhook confirms it (signals.credit_topup). A payout debits the
wallet first, then pays out; a payout the PSP refuses or fails is refunded.
"""

import uuid
from typing import Any

from django.db import connection, transaction

from wallet import psp
from wallet import views_common as show
from wallet.api import Kept, Problem, fmt, parse_amount, parse_currency
from wallet.ledger import cr, credit_balance, dr, house, lock_wallet, open_wallet_books, post
from wallet.models import Book, Config, Payout, Task, TopUp, Wallet


def open_wallet(data: dict[str, Any]) -> tuple[int, Any]:
    owner = data.get("owner_ref")
    if not isinstance(owner, str) or not owner or len(owner) > 200:
        raise Problem(400, "BAD_FIELD", "owner_ref is a non-empty string", "owner_ref")
    currency = parse_currency(data.get("currency"))
    with transaction.atomic():
        funds, reserved = open_wallet_books(owner, currency)
        w = Wallet.objects.create(
            owner_ref=owner, currency=currency, funds=funds, reserved=reserved
        )
        Book.objects.create(account=funds, kind="funds", currency=currency, wallet=w)
        Book.objects.create(account=reserved, kind="reserved", currency=currency, wallet=w)
    return 201, show.wallet(w)


def one(query: Any, id_: str | None, what: str) -> Any:
    """The row with this id, or the wallet's 404 problem."""
    found = query.filter(id=id_).first() if _uuid(id_) else None
    if found is None:
        raise Problem(404, f"NO_SUCH_{what.upper()}", f"no {what} {id_}")
    return found


def find_wallet(wallet_id: str) -> Wallet:
    return one(Wallet.objects.select_related("funds", "reserved"), wallet_id, "wallet")


def balance(wallet_id: str) -> dict[str, Any]:
    """Spendable, reserved and incoming, read in one statement: one snapshot of the books
    (two queries would let a capture or transfer land between them)."""
    w = find_wallet(wallet_id)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(sum(coalesce(l.credit, 0) - coalesce(l.debit, 0)) "
            "         FILTER (WHERE l.account_id = %(funds)s), 0), "
            "       coalesce(sum(coalesce(l.credit, 0) - coalesce(l.debit, 0)) "
            "         FILTER (WHERE l.account_id = %(reserved)s), 0), "
            "       (SELECT coalesce(sum(t.amount), 0) FROM wallet_topup t "
            "         WHERE t.wallet_id = %(wallet)s AND t.state = 'awaiting_psp') "
            "FROM hordak_leg l WHERE l.account_id IN (%(funds)s, %(reserved)s)",
            {"funds": w.funds_id, "reserved": w.reserved_id, "wallet": w.id},
        )
        spendable, reserved, incoming = cur.fetchone()
    return {
        "wallet_id": str(w.id),
        "currency": w.currency,
        "spendable": fmt(spendable, w.currency),
        "reserved": fmt(reserved, w.currency),
        "incoming": fmt(incoming, w.currency),
    }


def _provider(value: Any) -> str:
    if value is None:
        return Config.objects.get().default_provider
    if value not in psp.PROVIDERS:
        raise Problem(400, "BAD_PROVIDER", f"{value!r} is not one of stripe, adyen", "provider")
    return str(value)


def _same_currency(w: Wallet, currency: str) -> None:
    if currency != w.currency:
        raise Problem(
            422, "WRONG_CURRENCY", f"the wallet holds {w.currency}, not {currency}", "currency"
        )


# -- top-ups -------------------------------------------------------------------------------
def create_topup(wallet_id: str, data: dict[str, Any]) -> tuple[int, Any]:
    w = find_wallet(wallet_id)
    currency = parse_currency(data.get("currency"))
    _same_currency(w, currency)
    amount = parse_amount(data.get("amount"), currency)
    provider = _provider(data.get("provider"))
    with transaction.atomic():
        t = TopUp.objects.create(wallet=w, amount=amount, currency=currency, provider=provider)
        Task.objects.create(kind="topup_confirmation", ref=str(t.id))
    try:
        sent: psp.Sent | None = psp.charge(provider, str(t.id), amount, currency)
    except psp.PspDown:
        sent = None
    with transaction.atomic():
        t = TopUp.objects.select_for_update().get(id=t.id)
        if sent is not None and sent.ref and not t.provider_ref:
            t.provider_ref = sent.ref
            t.save(update_fields=["provider_ref", "updated_at"])
        if sent is None or sent.refused:
            _decline(t, "psp_unavailable" if sent is None else f"declined: {sent.detail}")
    if sent is None:
        raise Kept(
            502,
            "PSP_UNAVAILABLE",
            f"{provider} did not take the payment; it is declined",
            {"topup": show.topup(t)},
        )
    return 201, show.topup(t)


def _decline(t: TopUp, reason: str) -> bool:
    if t.state != "awaiting_psp":
        return False
    t.state, t.failure = "declined", reason[:200]
    t.save(update_fields=["state", "failure", "updated_at"])
    Task.objects.filter(kind="topup_confirmation", ref=str(t.id)).update(state="done")
    return True


def get_topup(topup_id: str) -> dict[str, Any]:
    return show.topup(one(TopUp.objects, topup_id, "topup"))


def topup_outcome(our_id: str | None, ref: str | None, ok: bool, reason: str) -> str:
    """A verified PSP event about a payment: credit once, or decline. What was done."""
    with transaction.atomic():
        q = TopUp.objects.select_for_update().select_related("wallet__funds")
        t = q.filter(id=our_id).first() if _uuid(our_id) else None
        t = t or (q.filter(provider_ref=ref).first() if ref else None)
        if t is None:
            return "unknown"
        if not ok:
            return "declined" if _decline(t, reason) else f"ignored ({t.state})"
        if t.state == "credited":
            return "duplicate"
        t.state, t.failure = "credited", None
        t.provider_ref = t.provider_ref or ref
        t.save(update_fields=["state", "failure", "provider_ref", "updated_at"])  # signal posts
        Task.objects.filter(kind="topup_confirmation", ref=str(t.id)).update(state="done")
        return "credited"


def _uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# -- payouts -------------------------------------------------------------------------------
def create_payout(wallet_id: str, data: dict[str, Any]) -> tuple[int, Any]:
    w = find_wallet(wallet_id)
    currency = parse_currency(data.get("currency"))
    _same_currency(w, currency)
    amount = parse_amount(data.get("amount"), currency)
    provider = _provider(data.get("provider"))
    if not Config.objects.get().payouts_enabled:
        raise Problem(403, "PAYOUTS_OFF", "payouts are switched off by the operator")
    with transaction.atomic():
        w = lock_wallet(w.id)
        spendable = credit_balance(w.funds)
        if amount > spendable:
            raise Problem(
                409,
                "NOT_ENOUGH_MONEY",
                f"{amount} is more than the spendable {spendable.normalize()}",
                "amount",
            )
        p = Payout.objects.create(wallet=w, amount=amount, currency=currency, provider=provider)
        post(
            f"payout {p.id}",
            currency,
            [dr(w.funds, amount), cr(house("payouts", currency, provider), amount)],
        )
        Task.objects.create(kind="payout", ref=str(p.id))
    try:
        sent: psp.Sent | None = psp.pay_out(provider, str(p.id), str(w.id), amount, currency)
    except psp.PspDown:
        sent = None
    with transaction.atomic():
        p = Payout.objects.select_for_update().select_related("wallet__funds").get(id=p.id)
        if sent is not None and sent.ref and not p.provider_ref:
            p.provider_ref = sent.ref
            p.save(update_fields=["provider_ref", "updated_at"])
        if sent is None or sent.refused:
            _return(p, "psp_unavailable" if sent is None else f"refused: {sent.detail}")
    if sent is None:
        raise Kept(
            502,
            "PSP_UNAVAILABLE",
            f"{provider} did not take the payout; it is refunded",
            {"payout": show.payout(p)},
        )
    return 201, show.payout(p)


def _return(p: Payout, reason: str) -> bool:
    """The payout failed: the money goes back to the wallet, once."""
    if p.state != "sent":
        return False
    post(
        f"payout {p.id} returned",
        p.currency,
        [dr(house("payouts", p.currency, p.provider), p.amount), cr(p.wallet.funds, p.amount)],
    )
    p.state, p.failure = "returned", reason[:200]
    p.save(update_fields=["state", "failure", "updated_at"])
    Task.objects.filter(kind="payout", ref=str(p.id)).update(state="done")
    return True


def get_payout(payout_id: str) -> dict[str, Any]:
    return show.payout(one(Payout.objects, payout_id, "payout"))


def payout_outcome(our_id: str | None, ref: str | None, paid: bool, reason: str) -> str:
    with transaction.atomic():
        q = Payout.objects.select_for_update().select_related("wallet__funds")
        p = q.filter(id=our_id).first() if _uuid(our_id) else None
        p = p or (q.filter(provider_ref=ref).first() if ref else None)
        if p is None:
            return "unknown"
        if not paid:
            return "returned" if _return(p, reason) else f"ignored ({p.state})"
        if p.state != "sent":
            return f"ignored ({p.state})"
        post(  # the PSP paid it out: the debt to the customer leaves the PSP's balance
            f"payout {p.id} settled",
            p.currency,
            [
                dr(house("payouts", p.currency, p.provider), p.amount),
                cr(house("psp_clearing", p.currency, p.provider), p.amount),
            ],
        )
        p.state = "settled"
        p.save(update_fields=["state", "updated_at"])
        Task.objects.filter(kind="payout", ref=str(p.id)).update(state="done")
        return "settled"
