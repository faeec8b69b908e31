"""Postings to hordak: balanced legs in one hordak Transaction (hordak's trigger checks them).

Wallet books are credit-normal: a wallet's funds are what its credits exceed its debits by.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum
from hordak.models import Account, Leg, Transaction
from moneyed import Money

from wallet.models import Book, Wallet

KIND_TYPES = {  # hordak account type of each house book
    "psp_clearing": Account.TYPES.asset,
    "payouts": Account.TYPES.liability,
    "revenue": Account.TYPES.income,
    "fees": Account.TYPES.income,
}


@dataclass(frozen=True)
class L:
    """One leg: ``side`` is "dr" or "cr"."""

    account: Account
    side: str
    amount: Decimal


def dr(account: Account, amount: Decimal) -> L:
    return L(account, "dr", amount)


def cr(account: Account, amount: Decimal) -> L:
    return L(account, "cr", amount)


def post(description: str, currency: str, legs: list[L]) -> Transaction:
    """One hordak transaction of non-zero legs (call inside transaction.atomic)."""
    txn = Transaction.objects.create(description=description)
    for leg in legs:
        if leg.amount == 0:
            continue
        money = Money(leg.amount, currency)
        if leg.side == "dr":
            Leg.objects.create(transaction=txn, account=leg.account, debit=money)
        else:
            Leg.objects.create(transaction=txn, account=leg.account, credit=money)
    return txn


def open_wallet_books(owner_ref: str, currency: str) -> tuple[Account, Account]:
    root = _root("Customer funds", "CF", Account.TYPES.liability)
    funds = Account.objects.create(name=f"{owner_ref} funds", parent=root, currencies=[currency])
    reserved = Account.objects.create(
        name=f"{owner_ref} reserved", parent=root, currencies=[currency]
    )
    return funds, reserved


def house(kind: str, currency: str, provider: str = "") -> Account:
    """The house book of ``kind`` in ``currency`` (per provider for PSP books), made once."""
    found = Book.objects.filter(kind=kind, currency=currency, provider=provider).first()
    if found:
        return found.account
    with connection.cursor() as cur:  # one maker at a time
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"book:{kind}"])
    found = Book.objects.filter(kind=kind, currency=currency, provider=provider).first()
    if found:
        return found.account
    root = _root(kind, kind[:2].upper(), KIND_TYPES[kind])
    name = f"{kind} {provider} {currency}".replace("  ", " ")
    acc = Account.objects.create(name=name, parent=root, currencies=[currency])
    Book.objects.create(account=acc, kind=kind, currency=currency, provider=provider)
    return acc


def _root(name: str, code: str, type_: str) -> Account:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('hordak-roots'))")
    acc = Account.objects.filter(name=name, parent=None).first()
    return acc or Account.objects.create(name=name, type=type_, currencies=["EUR"])


def credit_balance(account: Account) -> Decimal:
    """Credits less debits of a credit-normal book."""
    got = Leg.objects.filter(account=account).aggregate(
        c=Sum("credit", filter=Q(credit__isnull=False)),
        d=Sum("debit", filter=Q(debit__isnull=False)),
    )
    return (got["c"] or Decimal(0)) - (got["d"] or Decimal(0))


def lock_wallet(wallet_id: object) -> Wallet:
    """The wallet row, locked until the transaction ends: its money moves one at a time."""
    return Wallet.objects.select_for_update().select_related("funds", "reserved").get(id=wallet_id)
