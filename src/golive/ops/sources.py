"""Where reconciliation inputs come from: the platform (through the target interface), the
stub PSP's settlement reports, or files. Each side is cut to the same window (a UTC day by
default).

The platform side reads every ledger leg (``iter_entries``: platforms page them by id, not
by date) and keeps the transactions that move money at a PSP, told by their legs (PSP
clearing or payouts in transit against a customer wallet), each with its PSP reference: the
entries' ``reference`` (the payment intent, payout id or Adyen pspReference), which is exact.
A transaction without one (a payout the PSP never accepted, or a platform whose entries do
not carry the field) is paired with the platform's deposits and withdrawals (named by its
finance jobs) by account, PSP, currency and amount, in time order, and a note says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import httpx

from golive.envcheck.dates import DateError, iso, parse_instant
from golive.errors import ConfigError, TargetUnreachable
from golive.ops.lines import LedgerLine, PspLine, read_adyen_report, read_stripe_report
from golive.psp.adyen import PROVIDER as ADYEN
from golive.psp.provider import names
from golive.psp.stripe import PROVIDER as STRIPE
from golive.target import Deposit, Entry, NoAnswer, PlatformError, Target, Withdrawal, iter_entries
from golive.tls import tls_context

SIGN = {"payment": 1, "payout": -1, "payout_reversal": 1}
_Key = tuple[str, str, str, str, int]  # kind, account, psp, currency, signed amount
JOBS_PAGE = 1000  # the contract's page limit for finance jobs: a list this long may be cut
# The settlement report formats golive reads, by the provider that writes them: the one
# place a provider's report reader is added. PROVIDERS: the registered ones it can read.
READERS: dict[str, Callable[[str, str], list[PspLine]]] = {
    STRIPE.name: read_stripe_report,
    ADYEN.name: read_adyen_report,
}
PROVIDERS = tuple(name for name in names() if name in READERS)


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC."""

    start: datetime
    end: datetime
    label: str

    def __contains__(self, when: object) -> bool:
        return isinstance(when, datetime) and self.start <= when < self.end

    def days(self) -> list[date]:
        first, last = self.start.date(), (self.end - timedelta(microseconds=1)).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    @property
    def stem(self) -> str:
        """For file names: the day (2025-12-27) or the span (20251227T220000Z-…)."""
        if self.end - self.start == timedelta(days=1) and self.start.time() == time(0):
            return self.start.date().isoformat()
        return f"{self.start:%Y%m%dT%H%M%SZ}-{self.end:%Y%m%dT%H%M%SZ}"

    def shifted(self, seconds: float) -> Window:
        """The same window on a clock that runs ``seconds`` ahead (a PSP's virtual clock)."""
        delta = timedelta(seconds=seconds)
        return Window(
            self.start + delta, self.end + delta, f"{self.label} (shifted {seconds:+.0f} s)"
        )


def day_window(day: date) -> Window:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return Window(start, start + timedelta(days=1), f"{day.isoformat()} (UTC)")


def parse_window(day: str | None, start: str | None, end: str | None) -> Window:
    """``--date D`` (a UTC day) or ``--from T1 --to T2``; ConfigError otherwise."""
    if day and (start or end):
        raise ConfigError("give either --date or --from/--to, not both")
    try:
        if day:
            return day_window(date.fromisoformat(day))
        if start and end:
            a, b = parse_instant(start), parse_instant(end)
            if b <= a:
                raise ConfigError(f"--to {end!r} is not after --from {start!r}")
            return Window(a, b, f"{iso(a)} to {iso(b)}")
    except DateError as exc:
        raise ConfigError(f"reconcile window: {exc}") from None
    except ValueError:
        raise ConfigError(f"--date {day!r} is not a date; write YYYY-MM-DD") from None
    raise ConfigError("say which day to reconcile: --date YYYY-MM-DD (or --from and --to)")


# -- the PSP side ---------------------------------------------------------------------------
def fetch_settlement(
    psp_url: str, provider: str, day: date, http: httpx.Client | None = None
) -> str:
    """One day's settlement report CSV from the stub PSP's control API."""
    client = http or httpx.Client(timeout=30, trust_env=False, verify=tls_context())
    url = f"{psp_url.rstrip('/')}/_stub/settlement/{provider}"
    try:
        resp = client.get(url, params={"date": day.isoformat()})
    except httpx.HTTPError as exc:
        raise TargetUnreachable(
            f"the PSP at {psp_url!r} does not answer ({exc}); is it running?"
        ) from None
    finally:
        if http is None:
            client.close()
    if resp.status_code != 200:
        raise TargetUnreachable(
            f"GET {url}?date={day} answered {resp.status_code}: {resp.text[:200]!r}; --psp must be "
            "the stub PSP's base URL (real PSPs: export the report and pass it as a file)"
        )
    return resp.text


def psp_lines(reports: dict[str, list[tuple[str, str]]], window: Window) -> list[PspLine]:
    """Parse ``{provider: [(name, csv text)]}`` and keep the rows inside ``window``."""
    out = []
    for provider, texts in reports.items():
        for name, text in texts:
            out += [ln for ln in READERS[provider](text, name) if ln.booked_at in window]
    return out


# -- the platform side --------------------------------------------------------------------------
Record = Deposit | Withdrawal


@dataclass
class _Txn:
    id: str
    kind: str
    psp: str | None  # from the PSP account's name (psp_clearing:<psp>:<CUR>), else the record's
    currency: str
    amount: int  # signed
    account: str  # the customer account on the wallet leg
    booked_at: datetime
    reference: str | None  # the PSP's reference, when the entries carry it


def _txn(txn_id: str, legs: list[Entry]) -> _Txn | None:
    kind = _shape(legs)
    system = [leg for leg in legs if leg.account_kind in ("psp_clearing", "payouts_in_transit")]
    wallet = [leg for leg in legs if leg.account_kind == "customer_wallet"]
    if kind is None or not system or not wallet:
        return None
    parts = system[0].account_id.split(":")  # the contract's psp_clearing:<psp>:<CUR>
    psp = parts[1] if len(parts) == 3 and parts[1] in names() else None
    booked = min(_instant(leg.created_at) for leg in legs)
    reference = next((leg.reference for leg in legs if leg.reference), None)
    return _Txn(
        txn_id, kind, psp, system[0].currency, SIGN[kind] * system[0].amount,
        wallet[0].account_id, booked, reference,
    )  # fmt: skip


def _instant(text: str) -> datetime:
    t = datetime.fromisoformat(text)
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def _shape(legs: list[Entry]) -> str | None:
    """The kind of a transaction, told by its legs (the target interface has no kind)."""
    sides = {(leg.account_kind, leg.direction) for leg in legs}
    if {("psp_clearing", "debit"), ("customer_wallet", "credit")} <= sides:
        return "payment"
    if {("customer_wallet", "debit"), ("payouts_in_transit", "credit")} <= sides:
        return "payout"
    if {("payouts_in_transit", "debit"), ("customer_wallet", "credit")} <= sides:
        return "payout_reversal"
    return None


def _returns(txns: list[_Txn]) -> None:
    """A payout returned after it was paid goes back from PSP clearing to the wallet, the legs
    of a payment: it carries its payout's reference, which tells it apart."""
    payouts = {t.reference for t in txns if t.kind == "payout" and t.reference}
    for t in txns:
        if t.kind == "payment" and t.reference in payouts:
            t.kind = "payout_reversal"  # same sign: money back into the wallet


def _records(target: Target, warnings: list[str]) -> dict[str, Record]:
    """Every deposit and withdrawal the platform's finance jobs name, by id."""
    out: dict[str, Record] = {}
    getters: tuple[tuple[str, Callable[[str], Record]], ...] = (
        ("deposit_confirmation", target.get_deposit),
        ("payout", target.get_withdrawal),
    )
    for job_kind, get in getters:
        jobs = target.jobs(kind=job_kind)
        if len(jobs) >= JOBS_PAGE:
            warnings.append(
                f"the platform listed {len(jobs)} {job_kind} jobs, its page limit: records "
                "beyond it cannot be paired; have the platform expose `reference` on ledger entries"
            )
        for job in jobs:
            if job.reference and job.reference not in out:
                try:
                    out[job.reference] = get(job.reference)
                except PlatformError:
                    continue  # a record the platform cannot show is not paired
    return out


def _pair(txns: list[_Txn], records: dict[str, Record]) -> dict[str, tuple[str, str]]:
    """transaction id → (record id, note), pairing by account, PSP, currency and amount."""
    wants: dict[_Key, list[Record]] = defaultdict(list)
    for rec in sorted(records.values(), key=lambda r: r.created_at):
        base = (rec.account_id, rec.psp, rec.currency)
        if isinstance(rec, Deposit):
            wants[("payment", *base, rec.amount)].append(rec)
        else:
            wants[("payout", *base, -rec.amount)].append(rec)
            if rec.status == "failed":
                wants[("payout_reversal", *base, rec.amount)].append(rec)
    out: dict[str, tuple[str, str]] = {}
    seen: dict[_Key, int] = defaultdict(int)
    for t in sorted(txns, key=lambda t: t.booked_at):
        key: _Key = (t.kind, t.account, str(t.psp), t.currency, t.amount)
        candidates = wants.get(key, [])
        if t.psp is None:  # the PSP account does not name its PSP: any PSP will do
            candidates = sorted(
                (r for k, rs in wants.items() if k[:2] == key[:2] and k[3:] == key[3:] for r in rs),
                key=lambda r: r.created_at,
            )
            key = (t.kind, t.account, "", t.currency, t.amount)
        n = seen[key]
        seen[key] += 1
        if not candidates:
            continue
        rec = candidates[min(n, len(candidates) - 1)]
        note = ""
        if n >= len(candidates):
            note = f"another ledger transaction for the same record ({n + 1} for {len(candidates)})"
        out[t.id] = (rec.id, note)
    return out


def platform_ledger_lines(
    target: Target, window: Window, where: str = "the platform"
) -> tuple[list[LedgerLine], list[str]]:
    """The window's PSP-facing ledger transactions, with their PSP references; and warnings.

    Read through the target interface only (``where`` names the platform in messages)."""
    legs: dict[str, list[Entry]] = defaultdict(list)
    try:
        for e in iter_entries(target, limit=1000):
            legs[e.transaction_id].append(e)
        txns = [t for tid, ls in legs.items() if (t := _txn(tid, ls)) is not None]
        _returns(txns)
        warnings: list[str] = []
        if not txns:
            return [], warnings
        if not any(t.reference for t in txns):
            warnings.append(
                "the platform's ledger entries carry no `reference` (the PSP's reference): "
                "transactions were paired with its records by account, PSP, currency and "
                "amount, which two equal movements on one day can confuse"
            )
        wanting = [t for t in txns if t.reference is None or t.psp is None]
        records = _records(target, warnings) if wanting else {}
    except NoAnswer as exc:
        raise TargetUnreachable(f"{where} does not answer: {exc}") from None
    except PlatformError as exc:
        raise TargetUnreachable(
            f"{where} refused to show its ledger or finance jobs ({exc}); does it implement "
            "entries_page() and jobs() of the target interface (docs/adopting.md)?"
        ) from None
    by_ref = {r.psp_reference: r for r in records.values() if r.psp_reference}
    for t in txns:
        if t.psp is None and t.reference in by_ref:
            t.psp = by_ref[t.reference].psp
    unreferenced = [t for t in txns if t.reference is None]
    taken = {t.reference for t in txns if t.reference is not None}
    records = {k: r for k, r in records.items() if r.psp_reference not in taken}
    paired = _pair(unreferenced, records)
    out = []
    for t in txns:
        if t.booked_at not in window:
            continue
        if t.reference is not None:
            out.append(LedgerLine(t.psp or "unknown", t.kind, t.reference, t.amount, t.currency,
                                  t.booked_at, t.id))  # fmt: skip
            continue
        rid, note = paired.get(t.id, ("", "no platform record found for this transaction"))
        rec = records.get(rid)
        psp = t.psp or (rec.psp if rec else "unknown")
        psp_ref = rec.psp_reference if rec else None
        out.append(LedgerLine(psp, t.kind, psp_ref or None, t.amount, t.currency, t.booked_at,
                              t.id, rid or None, note))  # fmt: skip
    return out, warnings
