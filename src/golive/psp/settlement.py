"""Settlement reports as CSV, for reconciliation scenarios.

Stripe: itemized balance transactions (the columns of Stripe's "balance change from
activity" report). Adyen: a settlement details report. Amounts are decimal major units as
the real reports print them, formatted exactly from integer minor units (no floats).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from golive.money import exponent

if TYPE_CHECKING:
    from golive.psp.stub import Stub

STRIPE_COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "available_on_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "payment_intent_id",
    "payout_id",
    "description",
)
ADYEN_COLUMNS = (
    "Company Account",
    "Merchant Account",
    "Psp Reference",
    "Merchant Reference",
    "Payment Method",
    "Creation Date",
    "TimeZone",
    "Type",
    "Modification Reference",
    "Gross Currency",
    "Gross Debit (GC)",
    "Gross Credit (GC)",
    "Exchange Rate",
    "Net Currency",
    "Net Debit (NC)",
    "Net Credit (NC)",
    "Commission (NC)",
    "Markup (NC)",
    "Scheme Fees (NC)",
    "Interchange (NC)",
    "Payment Method Variant",
    "Modification Merchant Reference",
    "Batch Number",
)
COMPANY_ACCOUNT = "GoliveStubCompany"


def parse_date(raw: Any) -> date | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise ValueError(f"date={raw!r} must be a single YYYY-MM-DD value")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"date={raw!r} is not a YYYY-MM-DD date") from None


def decimal(amount_minor: int, currency: str) -> str:
    """1050, "eur" -> "10.50"; 100, "jpy" -> "100"."""
    exp = exponent(currency.upper())
    return f"{Decimal(amount_minor).scaleb(-exp):.{exp}f}"


def _day(ts: float) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def stripe_report(psp: Stub, day: date | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STRIPE_COLUMNS)
    with psp.lock:
        txns = list(psp.store("balance_transaction").values())
        for t in txns:
            if day is not None and _day(t["created"]) != day:
                continue
            cur = t["currency"]
            source = psp.get("charge", t["source"]) or psp.get("refund", t["source"]) or {}
            payout = t["source"] if t["source"].startswith("po_") else ""
            writer.writerow(
                [
                    t["id"],
                    _stamp(t["created"]),
                    _stamp(t["available_on"]),
                    cur,
                    decimal(t["amount"], cur),
                    decimal(t["fee"], cur),
                    decimal(t["net"], cur),
                    t["reporting_category"],
                    t["source"],
                    source.get("payment_intent") or "",
                    payout,
                    t["description"] or "",
                ]
            )
    return out.getvalue()


def adyen_report(psp: Stub, day: date | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ADYEN_COLUMNS)
    with psp.lock:
        for row in psp.store("adyen_ledger").values():
            if day is not None and _day(row["created"]) != day:
                continue
            cur = row["currency"]
            gross, fee = row["gross"], row["commission"]
            credit = row["type"] in ("Settled", "PaidOutReversed")
            net = gross - fee if credit else gross + fee
            writer.writerow(
                [
                    COMPANY_ACCOUNT,
                    row["merchant_account"],
                    row["psp_reference"],
                    row["merchant_reference"],
                    row["payment_method"],
                    _stamp(row["created"]),
                    "UTC",
                    row["type"],
                    row["modification_reference"],
                    cur,
                    "" if credit else decimal(gross, cur),
                    decimal(gross, cur) if credit else "",
                    "1",
                    cur,
                    "" if credit else decimal(net, cur),
                    decimal(net, cur) if credit else "",
                    decimal(fee, cur),
                    "",
                    "",
                    "",
                    row["payment_method"],
                    row["modification_merchant_reference"],
                    int(row["created"] // 86400) % 10000,
                ]
            )
    return out.getvalue()
