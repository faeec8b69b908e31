"""Reconciliation inputs as typed lines: the platform ledger's PSP-facing movements and the
PSPs' settlement report rows, both in signed integer minor units from the merchant's view
(money coming in at the PSP is +, a payout is -).

Readers for the reports as the PSPs export them (Stripe itemized balance transactions,
Adyen settlement details) and for golive's own ledger-lines CSV. Bad rows are refused with
the file, the line and the column (ConfigError, exit 2).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from golive.errors import ConfigError
from golive.money import Money, MoneyError
from golive.psp.adyen import PROVIDER as ADYEN
from golive.psp.stripe import PROVIDER as STRIPE

KINDS = ("payment", "payout", "payout_reversal", "refund", "other")

STRIPE_KINDS = {"charge": "payment", "payment": "payment", "payout": "payout",
                "payout_reversal": "payout_reversal", "refund": "refund"}  # fmt: skip
ADYEN_KINDS = {"Settled": "payment", "PaidOut": "payout", "PaidOutReversed": "payout_reversal",
               "Refunded": "refund"}  # fmt: skip
LEDGER_COLUMNS = ("psp", "kind", "reference", "amount", "currency", "booked_at",
                  "transaction_id", "platform_id")  # fmt: skip


@dataclass(frozen=True)
class PspLine:
    """One settlement-report row."""

    psp: str  # stripe | adyen
    kind: str  # one of KINDS
    reference: str  # the PSP's own reference (pi_…, po_…, Adyen pspReference)
    amount: int  # gross, signed minor units
    currency: str
    booked_at: datetime
    line_id: str  # the report's id for the row (txn_…, or Adyen "ref/Type")
    fee: int = 0
    merchant_reference: str | None = None  # our id, when the PSP reports it (Adyen)
    where: str = ""  # file:line, for people


@dataclass(frozen=True)
class LedgerLine:
    """One ledger transaction that moves money at a PSP."""

    psp: str
    kind: str  # payment (deposit) | payout (withdrawal) | payout_reversal (payout refund)
    reference: str | None  # the PSP's reference, from the platform's deposit/withdrawal
    amount: int
    currency: str
    booked_at: datetime
    transaction_id: str
    platform_id: str | None = None  # the deposit or withdrawal id
    note: str = ""


def _fail(where: str, column: str, why: str) -> ConfigError:
    return ConfigError(f"{where}: column {column!r}: {why}")


def _rows(text: str, name: str, required: Iterable[str]) -> Iterator[tuple[str, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ConfigError(
            f"{name}:1: the header lacks {', '.join(map(repr, missing))}; is this the right "
            "report? (see docs/operations.md for the columns golive reads)"
        )
    for row in reader:
        if not any((v or "").strip() for v in row.values()):
            continue
        yield f"{name}:{reader.line_num}", {k: (v or "").strip() for k, v in row.items() if k}


def _amount(text: str, currency: str, where: str, column: str) -> int:
    try:
        return Money.parse(text or "0", currency).amount_minor
    except (MoneyError, InvalidOperation, ValueError) as exc:
        raise _fail(where, column, f"{text!r} is not an amount in {currency}: {exc}") from None


def _currency(text: str, where: str, column: str) -> str:
    cur = text.upper()
    try:
        Money(0, cur)
    except MoneyError as exc:
        raise _fail(where, column, str(exc)) from None
    return cur


def _time(text: str, where: str, column: str, zone: str = "UTC") -> datetime:
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise _fail(where, column, f"{text!r} is not a date and time") from None
    if value.tzinfo is None:
        try:
            value = value.replace(tzinfo=ZoneInfo(zone or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            raise _fail(where, "TimeZone", f"{zone!r} is not a time zone") from None
    return value.astimezone(UTC)


def read_stripe_report(text: str, name: str = "stripe report") -> list[PspLine]:
    """Stripe's itemized balance-change-from-activity report (balance transactions)."""
    cols = ("balance_transaction_id", "created_utc", "currency", "gross", "reporting_category")
    out = []
    for where, row in _rows(text, name, cols):
        cur = _currency(row["currency"], where, "currency")
        category = row["reporting_category"]
        ref = row.get("payment_intent_id") or row.get("payout_id") or row.get("source_id") or ""
        out.append(PspLine(
            psp=STRIPE.name, kind=STRIPE_KINDS.get(category, "other"), reference=ref,
            amount=_amount(row["gross"], cur, where, "gross"), currency=cur,
            booked_at=_time(row["created_utc"], where, "created_utc"),
            line_id=row["balance_transaction_id"],
            fee=_amount(row.get("fee", ""), cur, where, "fee"), where=where,
        ))  # fmt: skip
    return out


def read_adyen_report(text: str, name: str = "adyen report") -> list[PspLine]:
    """Adyen's settlement details report."""
    cols = ("Psp Reference", "Merchant Reference", "Creation Date", "Type", "Gross Currency",
            "Gross Debit (GC)", "Gross Credit (GC)")  # fmt: skip
    out = []
    for where, row in _rows(text, name, cols):
        cur = _currency(row["Gross Currency"], where, "Gross Currency")
        debit = _amount(row["Gross Debit (GC)"], cur, where, "Gross Debit (GC)")
        credit = _amount(row["Gross Credit (GC)"], cur, where, "Gross Credit (GC)")
        fee = _amount(row.get("Commission (NC)", ""), cur, where, "Commission (NC)")
        out.append(PspLine(
            psp=ADYEN.name, kind=ADYEN_KINDS.get(row["Type"], "other"),
            reference=row["Psp Reference"], amount=credit - debit, currency=cur,
            booked_at=_time(row["Creation Date"], where, "Creation Date", row.get("TimeZone", "")),
            line_id=f"{row['Psp Reference']}/{row['Type']}", fee=fee,
            merchant_reference=row["Merchant Reference"] or None, where=where,
        ))  # fmt: skip
    return out


def read_ledger_lines(text: str, name: str = "ledger lines") -> list[LedgerLine]:
    """golive's ledger-lines CSV (what `golive ops reconcile --save-inputs` writes)."""
    out = []
    for where, row in _rows(text, name, LEDGER_COLUMNS):
        cur = _currency(row["currency"], where, "currency")
        if row["kind"] not in KINDS:
            raise _fail(where, "kind", f"{row['kind']!r} is not one of {', '.join(KINDS)}")
        try:
            amount = int(Decimal(row["amount"]))
            if Decimal(row["amount"]) != amount:
                raise ValueError
        except (InvalidOperation, ValueError):
            raise _fail(where, "amount", f"{row['amount']!r} is not whole minor units") from None
        out.append(LedgerLine(
            psp=row["psp"], kind=row["kind"], reference=row["reference"] or None, amount=amount,
            currency=cur, booked_at=_time(row["booked_at"], where, "booked_at"),
            transaction_id=row["transaction_id"], platform_id=row["platform_id"] or None,
        ))  # fmt: skip
    return out


def write_ledger_lines(lines: Iterable[LedgerLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LEDGER_COLUMNS)
    for ln in lines:
        row = [ln.psp, ln.kind, ln.reference or "", ln.amount, ln.currency]
        writer.writerow([*row, ln.booked_at.isoformat(), ln.transaction_id, ln.platform_id or ""])
    return out.getvalue()


def read_file(path: Path, what: str) -> str:
    if not path.is_file():
        raise ConfigError(f"{what} {str(path)!r} does not exist or is not a file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; export the {what} as UTF-8 CSV") from None
