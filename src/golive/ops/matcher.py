"""Match the platform ledger against the PSP settlement reports: pure functions, no I/O.

Lines are paired by (PSP, kind, the PSP's reference), and only then compared. A group with
one line on each side, the same amount and currency, booked within MAX_LAG of each other
(on one clock), is matched; otherwise it is missing in the ledger, missing at the PSP, an
amount mismatch, a date mismatch, or a duplicate (a side holds it more than once).
A payout that the platform refunded before it ever reached the PSP (withdrawal and
refund in the ledger, nothing at the PSP, netting to zero) is matched, with a note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from golive.errors import ExitCode
from golive.money import Money
from golive.ops.lines import LedgerLine, PspLine

STATUSES = ("duplicate", "amount_mismatch", "date_mismatch", "missing_in_ledger",
            "missing_at_psp", "matched")  # fmt: skip
LABELS = {
    "matched": "matched",
    "missing_in_ledger": "missing in the ledger",
    "missing_at_psp": "missing at the PSP",
    "amount_mismatch": "amount mismatch",
    "date_mismatch": "date mismatch",
    "duplicate": "duplicate",
}
MAX_LAG = timedelta(days=1)  # a movement and its settlement line, a day apart at most


@dataclass(frozen=True)
class Item:
    status: str  # one of STATUSES
    psp: str
    kind: str
    reference: str | None
    ledger: tuple[LedgerLine, ...]
    at_psp: tuple[PspLine, ...]
    note: str = ""

    @property
    def currency(self) -> str:
        return (self.ledger or self.at_psp)[0].currency

    @property
    def ledger_amount(self) -> int:
        return sum(ln.amount for ln in self.ledger)

    @property
    def psp_amount(self) -> int:
        return sum(ln.amount for ln in self.at_psp)

    @property
    def booked_at(self) -> datetime:
        return min([ln.booked_at for ln in self.ledger] + [p.booked_at for p in self.at_psp])

    @property
    def platform_id(self) -> str | None:
        ids = [ln.platform_id for ln in self.ledger if ln.platform_id]
        ids += [ln.merchant_reference for ln in self.at_psp if ln.merchant_reference]
        return ids[0] if ids else None

    def money(self, amount: int) -> str:
        return str(Money(amount, self.currency))


@dataclass(frozen=True)
class Totals:
    psp: str
    currency: str
    ledger: int
    psp_gross: int
    psp_fees: int

    @property
    def difference(self) -> int:
        return self.ledger - self.psp_gross


@dataclass(frozen=True)
class Reconciliation:
    period: str  # what was reconciled, for people: "2025-12-27 (UTC)"
    items: tuple[Item, ...]

    @property
    def ok(self) -> bool:
        return all(i.status == "matched" for i in self.items)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.GO if self.ok else ExitCode.NO_GO

    @property
    def mismatches(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.status != "matched")

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for i in self.items:
            out[i.status] += 1
        return out

    def totals(self) -> list[Totals]:
        acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for i in self.items:
            for ln in i.ledger:
                acc[(ln.psp, ln.currency)][0] += ln.amount
            for p in i.at_psp:
                acc[(p.psp, p.currency)][1] += p.amount
                acc[(p.psp, p.currency)][2] += p.fee
        return [Totals(psp, cur, *v) for (psp, cur), v in sorted(acc.items())]


def reconcile(
    ledger: Iterable[LedgerLine],
    psp: Iterable[PspLine],
    period: str,
    *,
    psp_ahead: timedelta = timedelta(0),
    max_lag: timedelta | None = MAX_LAG,
) -> Reconciliation:
    """Every line of both sides in exactly one item. ``psp_ahead``: how far the PSP's clock
    runs ahead of the platform's, for comparing dates; ``max_lag`` None: dates are not
    compared (each side is only cut to its own window)."""
    groups: dict[tuple[str, str, str], tuple[list[LedgerLine], list[PspLine]]] = defaultdict(
        lambda: ([], [])
    )
    for ln in ledger:
        ref = ln.reference or f"(no PSP reference) {ln.platform_id or ln.transaction_id}"
        groups[(ln.psp, ln.kind, ref)][0].append(ln)
    for p in psp:
        groups[(p.psp, p.kind, p.reference or f"(no reference) {p.line_id}")][1].append(p)
    items = [
        _noted(_judge(key, mine, theirs, psp_ahead, max_lag))
        for key, (mine, theirs) in groups.items()
    ]
    items = _net_refunded_payouts(items)
    order = {s: n for n, s in enumerate(STATUSES)}
    items.sort(key=lambda i: (order[i.status], i.psp, i.booked_at, i.reference or ""))
    return Reconciliation(period, tuple(items))


def _judge(
    key: tuple[str, str, str],
    mine: list[LedgerLine],
    theirs: list[PspLine],
    psp_ahead: timedelta,
    max_lag: timedelta | None,
) -> Item:
    psp, kind, ref = key
    reference = None if ref.startswith("(no ") else ref
    made = Item("matched", psp, kind, reference, tuple(mine), tuple(theirs))
    if len(mine) > 1 or len(theirs) > 1:
        return _with(made, "duplicate", f"the ledger books it {len(mine)} time(s), the PSP "
                     f"{len(theirs)} time(s)")  # fmt: skip
    if not mine:
        return _with(made, "missing_in_ledger", "the PSP settled it; the ledger has no record")
    if not theirs:
        why = "the ledger booked it; the PSP's report has no such line"
        if reference is None:
            why += " (the platform record carries no PSP reference)"
        return _with(made, "missing_at_psp", why)
    if (mine[0].amount, mine[0].currency) != (theirs[0].amount, theirs[0].currency):
        a = Money(mine[0].amount, mine[0].currency)
        b = Money(theirs[0].amount, theirs[0].currency)
        return _with(made, "amount_mismatch", f"ledger {a}, PSP {b}")
    ours, at_psp = mine[0].booked_at, theirs[0].booked_at - psp_ahead
    if max_lag is not None and abs(at_psp - ours) > max_lag:
        return _with(made, "date_mismatch", f"ledger booked it {ours:%Y-%m-%d %H:%M}Z, the PSP "
                     f"{at_psp:%Y-%m-%d %H:%M}Z: more than {_hours(max_lag)} h apart")  # fmt: skip
    return made


def _hours(span: timedelta) -> int:
    return int(span.total_seconds() // 3600)


def _noted(item: Item) -> Item:
    """Add what the ledger side knows about its lines (how they were paired)."""
    extra = list(dict.fromkeys(ln.note for ln in item.ledger if ln.note))
    if not extra:
        return item
    return _with(item, item.status, "; ".join([item.note, *extra] if item.note else extra))


def _with(item: Item, status: str, note: str) -> Item:
    return Item(status, item.psp, item.kind, item.reference, item.ledger, item.at_psp, note)


def _net_refunded_payouts(items: list[Item]) -> list[Item]:
    lonely: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for i in items:
        if i.status == "missing_at_psp" and i.kind in ("payout", "payout_reversal"):
            lonely[(i.psp, i.platform_id or i.reference or "")].append(i)
    netted: set[int] = set()
    for (_, who), group in lonely.items():
        kinds = sorted(i.kind for i in group)
        if (
            who
            and kinds == ["payout", "payout_reversal"]
            and sum(i.ledger_amount for i in group) == 0
        ):
            netted.update(id(i) for i in group)
    note = "refunded before it reached the PSP: nothing to settle"
    return [_with(i, "matched", note) if id(i) in netted else i for i in items]
