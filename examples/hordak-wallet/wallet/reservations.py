"""Two-phase reservations on top of hordak (which has none), and wallet-to-wallet transfers.

Placing moves the amount from the wallet's funds to its reserved book, under the wallet's
row lock, so the limit is checked where the money moves. Capturing moves it on to house
revenue (release 2: less the fee into house fees), the rest back to funds; voiding or
lapsing moves it all back. A reservation leaves ``open`` once.
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wallet import faults
from wallet import views_common as show
from wallet.api import Problem, parse_amount, parse_currency, places
from wallet.ledger import cr, credit_balance, dr, house, lock_wallet, post
from wallet.models import Config, Move, Reservation, Wallet
from wallet.money_in_out import _same_currency, find_wallet, one

MAX_TTL = 30 * 86400


def _not_enough(amount: Decimal, spendable: Decimal) -> Problem:
    return Problem(
        409,
        "NOT_ENOUGH_MONEY",
        f"{amount} is more than the spendable {spendable.normalize()}",
        "amount",
    )


def fee_of(amount: Decimal, currency: str) -> Decimal:
    """Release 2: ``fee_bps`` basis points of the amount, half up to the currency's places."""
    bps = Config.objects.get().fee_bps
    return (amount * bps / 10_000).quantize(Decimal(1).scaleb(-places(currency)), ROUND_HALF_UP)


def place(wallet_id: str, data: dict[str, Any]) -> tuple[int, Any]:
    w = find_wallet(wallet_id)
    currency = parse_currency(data.get("currency"))
    _same_currency(w, currency)
    amount = parse_amount(data.get("amount"), currency)
    ttl = data.get("ttl_seconds", 3600)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 0 < ttl <= MAX_TTL:
        raise Problem(400, "BAD_FIELD", f"ttl_seconds is 1..{MAX_TTL}", "ttl_seconds")
    with transaction.atomic():
        w = lock_wallet(w.id)
        spendable = credit_balance(w.funds)
        if amount > spendable:
            raise _not_enough(amount, spendable)
        r = Reservation(
            wallet=w,
            amount=amount,
            currency=currency,
            lapses_at=timezone.now() + timedelta(seconds=ttl),
        )
        if settings.WALLET_RELEASE >= 2:
            r.fee_amount = fee_of(amount, currency)  # the fee quoted for a full capture
        r.save()
        post(f"reserve {r.id}", currency, [dr(w.funds, amount), cr(w.reserved, amount)])
    return 201, show.reservation(r)


def get(reservation_id: str) -> dict[str, Any]:
    return show.reservation(one(Reservation.objects, reservation_id, "reservation"))


def _open(reservation_id: str) -> tuple[Wallet, Reservation]:
    """The reservation and its wallet, locked; a closed one is refused."""
    r = one(Reservation.objects, reservation_id, "reservation")
    w = lock_wallet(r.wallet_id)
    r = Reservation.objects.select_for_update().get(id=r.id)
    if r.state != "open":
        raise Problem(409, "NOT_OPEN", f"the reservation is {r.state}")
    return w, r


def capture(reservation_id: str, data: dict[str, Any]) -> tuple[int, Any]:
    with transaction.atomic():
        w, r = _open(reservation_id)
        take = r.amount if data.get("amount") is None else parse_amount(data["amount"], r.currency)
        if take > r.amount:
            raise Problem(422, "TOO_MUCH", f"{take} is more than the reserved {r.amount}", "amount")
        fee = fee_of(take, r.currency) if settings.WALLET_RELEASE >= 2 else Decimal(0)
        rest = r.amount - take
        post(
            f"capture {r.id}",
            r.currency,
            [
                dr(w.reserved, r.amount),
                cr(house("revenue", r.currency), take - fee),
                cr(house("fees", r.currency), fee),
                cr(w.funds, rest),
            ],
        )
        r.state, r.captured, r.returned, r.closed_at = "captured", take, rest, timezone.now()
        if settings.WALLET_RELEASE >= 2:
            r.fee_amount = fee
        r.save()
    return 200, show.reservation(r)


def void(reservation_id: str, *, state: str = "voided") -> tuple[int, Any]:
    with transaction.atomic():
        w, r = _open(reservation_id)
        _back(w, r, state)
    return 200, show.reservation(r)


def _back(w: Wallet, r: Reservation, state: str) -> None:
    post(f"{state} {r.id}", r.currency, [dr(w.reserved, r.amount), cr(w.funds, r.amount)])
    r.state, r.returned, r.closed_at = state, r.amount, timezone.now()
    r.save()


def lapse(data: dict[str, Any]) -> tuple[int, Any]:
    """Lapse every open reservation due at ``as_of`` (now when absent); their ids."""
    as_of = timezone.now()
    if data.get("as_of") is not None:
        try:
            as_of = datetime.fromisoformat(str(data["as_of"]).replace("Z", "+00:00"))
        except ValueError:
            raise Problem(400, "BAD_FIELD", "as_of is an ISO 8601 time", "as_of") from None
        if as_of.tzinfo is None:
            raise Problem(400, "BAD_FIELD", "as_of needs a time zone", "as_of")
    lapsed = []
    due = Reservation.objects.filter(state="open", lapses_at__lte=as_of).order_by("lapses_at")
    for rid in due.values_list("id", flat=True)[:1000]:
        with transaction.atomic():
            try:
                w, r = _open(str(rid))
            except Problem:
                continue  # captured or voided meanwhile
            _back(w, r, "lapsed")
            lapsed.append(str(rid))
    return 200, {"lapsed": lapsed}


def transfer(data: dict[str, Any]) -> tuple[int, Any]:
    src = find_wallet(str(data.get("from_wallet")))
    dst = find_wallet(str(data.get("to_wallet")))
    currency = parse_currency(data.get("currency"))
    _same_currency(src, currency)
    _same_currency(dst, currency)
    amount = parse_amount(data.get("amount"), currency)
    if src.id == dst.id:
        raise Problem(422, "SAME_WALLET", "a transfer needs two wallets", "to_wallet")
    if faults.on("non-atomic-transfer"):
        # FAULT non-atomic-transfer: the view checks the balance without transaction.atomic
        # or a row lock, then posts: two transfers at once both see the same money
        spendable = credit_balance(src.funds)
        if amount > spendable:
            raise _not_enough(amount, spendable)
        with transaction.atomic():
            return 201, show.move(_move(src, dst, amount, currency))
    with transaction.atomic():
        first, second = sorted([src.id, dst.id], key=str)  # one lock order: no deadlock
        locked = {w.id: w for w in (lock_wallet(first), lock_wallet(second))}
        src, dst = locked[src.id], locked[dst.id]
        spendable = credit_balance(src.funds)
        if amount > spendable:
            raise _not_enough(amount, spendable)
        return 201, show.move(_move(src, dst, amount, currency))


def _move(src: Wallet, dst: Wallet, amount: Decimal, currency: str) -> Move:
    txn = post(
        f"transfer {src.id} → {dst.id}", currency, [dr(src.funds, amount), cr(dst.funds, amount)]
    )
    return Move.objects.create(
        txn_uuid=txn.uuid, source=src, target=dst, amount=amount, currency=currency
    )
