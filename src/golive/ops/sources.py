"""Where reconciliation inputs come from: the platform's contract API, the stub PSP's
settlement reports, or files. Each side is cut to the same window (a UTC day by default).

The platform side reads every ledger entry (the contract pages them by id, not by date)
and keeps the transactions that move money at a PSP, each with its PSP reference: the
entries' ``reference`` (the payment intent, payout id or Adyen pspReference), which is exact.
A transaction without one (a payout the PSP never accepted, or a platform whose entries do
not carry the field) is paired with the platform's deposits and withdrawals by account, PSP,
currency and amount, in time order, and a note says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from golive.driver import PlatformClient, PlatformError
from golive.envcheck.dates import DateError, iso, parse_instant
from golive.errors import ConfigError, TargetUnreachable
from golive.ops.lines import LedgerLine, PspLine, read_adyen_report, read_stripe_report
from golive.psp.provider import names
from golive.tls import tls_context

TXN_KINDS = {"deposit": "payment", "withdrawal": "payout", "payout_refund": "payout_reversal"}
SIGN = {"payment": 1, "payout": -1, "payout_reversal": 1}
_Key = tuple[str, str, str, str, int]  # kind, account, psp, currency, signed amount
JOBS_PAGE = 1000  # the contract's page limit for GET /jobs
# The settlement report formats golive reads, by the provider that writes them: the one
# place a provider's report reader is added. PROVIDERS: the registered ones it can read.
READERS: dict[str, Callable[[str, str], list[PspLine]]] = {
    "stripe": read_stripe_report,
    "adyen": read_adyen_report,
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
def _raw_entries(client: PlatformClient) -> Iterator[dict[str, Any]]:
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if cursor:
            params["cursor"] = cursor
        page = client.call("GET", "/ledger/entries", params=params)
        yield from page["entries"]
        cursor = page.get("next_cursor")
        if not cursor:
            return


@dataclass
class _Txn:
    id: str
    kind: str
    psp: str
    currency: str
    amount: int  # signed
    account: str | None  # the customer account on the wallet leg
    booked_at: datetime
    reference: str | None  # the PSP's reference, when the entries carry it
    carried: bool  # whether the entries have the ``reference`` field at all


def _txn(txn_id: str, legs: list[dict[str, Any]]) -> _Txn | None:
    kinds = {str(leg.get("account_kind")) for leg in legs}
    raw_kind = legs[0].get("transaction_kind")
    kind = TXN_KINDS.get(str(raw_kind)) if raw_kind else _shape(legs)
    if kind is None:
        return None
    system = [
        leg for leg in legs if leg.get("account_kind") in ("psp_clearing", "payouts_in_transit")
    ]
    wallet = [leg for leg in legs if leg.get("account_kind") == "customer_wallet"]
    if not system or "customer_wallet" not in kinds:
        return None
    parts = str(system[0]["account_id"]).split(":")
    psp = parts[1] if len(parts) >= 2 else "unknown"
    booked = min(datetime.fromisoformat(str(leg["created_at"])) for leg in legs)
    return _Txn(
        txn_id, kind, psp, str(system[0]["currency"]), SIGN[kind] * int(system[0]["amount"]),
        str(wallet[0]["account_id"]), booked.astimezone(UTC),
        _text(legs[0].get("reference")), "reference" in legs[0],
    )  # fmt: skip


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _shape(legs: list[dict[str, Any]]) -> str | None:
    """The kind of a transaction told by its legs, for platforms without transaction_kind."""
    sides = {(leg.get("account_kind"), leg.get("direction")) for leg in legs}
    if {("psp_clearing", "debit"), ("customer_wallet", "credit")} <= sides:
        return "payment"
    if {("customer_wallet", "debit"), ("payouts_in_transit", "credit")} <= sides:
        return "payout"
    if {("payouts_in_transit", "debit"), ("customer_wallet", "credit")} <= sides:
        return "payout_reversal"
    return None


def _records(client: PlatformClient, warnings: list[str]) -> dict[str, dict[str, Any]]:
    """Every deposit and withdrawal the platform's finance jobs name, by id."""
    out: dict[str, dict[str, Any]] = {}
    for job_kind, path in (("deposit_confirmation", "/deposits"), ("payout", "/withdrawals")):
        jobs = client.call("GET", "/jobs", params={"kind": job_kind, "limit": JOBS_PAGE})["jobs"]
        if len(jobs) >= JOBS_PAGE:
            warnings.append(
                f"the platform listed {len(jobs)} {job_kind} jobs, its page limit: records "
                "beyond it cannot be paired; have the platform expose `reference` on ledger entries"
            )
        for job in jobs:
            ref = job.get("reference")
            if ref and ref not in out:
                out[str(ref)] = {**_get(client, f"{path}/{ref}"), "_kind": job_kind}
    return out


def _get(client: PlatformClient, path: str) -> dict[str, Any]:
    try:
        return dict(client.call("GET", path))
    except PlatformError as exc:
        return {"_error": str(exc)}


def _pair(txns: list[_Txn], records: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """transaction id → (record id, note), pairing by account, PSP, currency and amount."""
    wants: dict[_Key, list[dict[str, Any]]] = defaultdict(list)
    for rid, rec in sorted(records.items(), key=lambda kv: str(kv[1].get("created_at", ""))):
        if "_error" in rec:
            continue
        base = (str(rec.get("account_id")), str(rec.get("psp")), str(rec.get("currency")))
        amount = int(rec.get("amount", 0))
        if rec["_kind"] == "deposit_confirmation":
            wants[("payment", *base, amount)].append({**rec, "id": rid})
        else:
            wants[("payout", *base, -amount)].append({**rec, "id": rid})
            if rec.get("status") == "failed":
                wants[("payout_reversal", *base, amount)].append({**rec, "id": rid})
    out: dict[str, tuple[str, str]] = {}
    seen: dict[_Key, int] = defaultdict(int)
    for t in sorted(txns, key=lambda t: t.booked_at):
        key: _Key = (t.kind, str(t.account), t.psp, t.currency, t.amount)
        candidates = wants.get(key, [])
        n = seen[key]
        seen[key] += 1
        if not candidates:
            continue
        rec = candidates[min(n, len(candidates) - 1)]
        note = ""
        if n >= len(candidates):
            note = f"another ledger transaction for the same record ({n + 1} for {len(candidates)})"
        out[t.id] = (str(rec["id"]), note)
    return out


def platform_ledger_lines(
    client: PlatformClient, window: Window
) -> tuple[list[LedgerLine], list[str]]:
    """The window's PSP-facing ledger transactions, with their PSP references; and warnings."""
    legs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    try:
        for e in _raw_entries(client):
            legs[str(e["transaction_id"])].append(e)
    except httpx.HTTPError as exc:
        raise TargetUnreachable(
            f"the platform at {client.base_url!r} does not answer: {exc}"
        ) from None
    txns = [t for tid, ls in legs.items() if (t := _txn(tid, ls)) is not None]
    warnings: list[str] = []
    if not txns:
        return [], warnings
    if not all(t.carried for t in txns):
        warnings.append(
            "the platform's ledger entries carry no `reference` (the PSP's reference): "
            "transactions were paired with its records by account, PSP, currency and amount, "
            "which two equal movements on one day can confuse"
        )
    unreferenced = [t for t in txns if t.reference is None]
    records = _records(client, warnings) if unreferenced else {}
    taken = {t.reference for t in txns if t.reference is not None}
    records = {k: r for k, r in records.items() if r.get("psp_reference") not in taken}
    paired = _pair(unreferenced, records)
    out = []
    for t in txns:
        if t.booked_at not in window:
            continue
        if t.reference is not None:
            out.append(LedgerLine(t.psp, t.kind, t.reference, t.amount, t.currency,
                                  t.booked_at, t.id))  # fmt: skip
            continue
        rid, note = paired.get(t.id, ("", "no platform record found for this transaction"))
        rec = records.get(rid) or {}
        psp_ref = rec.get("psp_reference")
        out.append(LedgerLine(t.psp, t.kind, str(psp_ref) if psp_ref else None, t.amount,
                              t.currency, t.booked_at, t.id, rid or None, note))  # fmt: skip
    return out, warnings
