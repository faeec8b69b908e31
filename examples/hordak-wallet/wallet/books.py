"""Reading the ledger: legs page by page (``after`` a leg id), totals per book kind."""

from typing import Any

from django.db import connection
from django.db.models import F
from hordak.models import Leg

from wallet.api import Problem, fmt
from wallet.views_common import iso

MAX_PAGE = 1000


def legs(after: str | None, page_size: str | None) -> dict[str, Any]:
    try:
        start = int(after or 0)
        size = min(int(page_size or 100), MAX_PAGE)
    except ValueError:
        raise Problem(400, "BAD_FIELD", "after and page_size are integers") from None
    rows = list(
        Leg.objects.filter(id__gt=start)
        .order_by("id")
        .annotate(
            kind=F("account__book__kind"),
            owner=F("account__book__wallet_id"),
            provider=F("account__book__provider"),
            txn=F("transaction__uuid"),
            at=F("transaction__timestamp"),
        )
        .values(
            "id",
            "txn",
            "kind",
            "owner",
            "provider",
            "account_id",
            "debit",
            "credit",
            "currency",
            "at",
        )[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    out = []
    for r in rows:
        side, amount = ("DR", r["debit"]) if r["debit"] is not None else ("CR", r["credit"])
        book = str(r["owner"]) if r["owner"] else f"{r['kind']}:{r['provider']}:{r['currency']}"
        out.append(
            {
                "leg": r["id"],
                "txn": str(r["txn"]),
                "book": book,
                "book_kind": r["kind"],
                "side": side,
                "amount": fmt(amount, r["currency"]),
                "currency": r["currency"],
                "at": iso(r["at"]),
            }
        )
    return {"legs": out, "paging": {"more": more, "after": rows[-1]["id"] if rows else start}}


def totals() -> dict[str, Any]:
    """Debits less credits per book kind and currency: they add up to zero per currency."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT b.kind, l.currency, sum(coalesce(l.debit, 0) - coalesce(l.credit, 0)) "
            "FROM hordak_leg l JOIN wallet_book b ON b.account_id = l.account_id "
            "GROUP BY b.kind, l.currency ORDER BY b.kind, l.currency"
        )
        rows = cur.fetchall()
    return {"totals": [{"book_kind": k, "currency": c, "net": fmt(n, c)} for k, c, n in rows]}
