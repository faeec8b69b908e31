"""Reconciliation end to end: gather both sides for a window, match, write the reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from golive.errors import ConfigError
from golive.ops.lines import LedgerLine, PspLine, read_file, read_ledger_lines, write_ledger_lines
from golive.ops.matcher import LABELS, MAX_LAG, Reconciliation, reconcile
from golive.ops.reports import write_reports
from golive.ops.sources import PROVIDERS, Window, fetch_settlement, platform_ledger_lines, psp_lines
from golive.psp.adyen import PROVIDER as ADYEN
from golive.psp.stripe import PROVIDER as STRIPE
from golive.target import Target, open_target


@dataclass
class ReconcileInputs:
    """Each side from exactly one place: the platform (an open ``platform``, or ``target``, its
    base URL, read through ``adapter`` when one is named, else the HTTP contract) or a
    ledger-lines file; the stub PSP (psp) or report files."""

    target: str | None = None
    ledger: Path | None = None
    platform: Target | None = None  # an open target, the caller's to close
    adapter: str = ""  # package.module:Class made with base_url=target ([target] adapter)
    psp: str | None = None
    stripe_reports: list[Path] = field(default_factory=list)
    adyen_reports: list[Path] = field(default_factory=list)

    def check(self) -> None:
        if (bool(self.target) or self.platform is not None) == bool(self.ledger):
            raise ConfigError("give the ledger side once: --target URL or --ledger FILE")
        files = self.stripe_reports or self.adyen_reports
        if bool(self.psp) == bool(files):
            raise ConfigError(
                "give the PSP side once: --psp URL (the stub PSP), or --stripe-report and/or "
                "--adyen-report FILE"
            )


def open_platform(url: str, adapter: str = "") -> Target:
    """The platform at ``url``: through ``adapter`` (made with ``base_url=url``) when one is
    named, else the HTTP contract."""
    if adapter:
        return open_target(adapter, options={"base_url": url})
    return open_target(url, timeout=30)


def gather(
    inputs: ReconcileInputs, window: Window, psp_window: Window | None = None
) -> tuple[list[LedgerLine], list[PspLine], dict[str, str], list[str]]:
    """Both sides inside their windows, the raw inputs by file name, and warnings.

    ``psp_window`` lets the PSP side use another clock (a stub PSP's virtual time).
    """
    inputs.check()
    raw: dict[str, str] = {}
    warnings: list[str] = []
    if inputs.platform is not None:
        ledger, warnings = platform_ledger_lines(inputs.platform, window)
        raw["ledger-lines.csv"] = write_ledger_lines(ledger)
    elif inputs.target:
        target = open_platform(inputs.target, inputs.adapter)
        try:
            ledger, warnings = platform_ledger_lines(
                target, window, f"the platform at {inputs.target!r}"
            )
        finally:
            target.close()
        raw["ledger-lines.csv"] = write_ledger_lines(ledger)
    else:
        assert inputs.ledger is not None
        name = str(inputs.ledger)
        every = read_ledger_lines(read_file(inputs.ledger, "ledger-lines file"), name)
        ledger = [ln for ln in every if ln.booked_at in window]
    pw = psp_window or window
    reports: dict[str, list[tuple[str, str]]] = {p: [] for p in PROVIDERS}
    if inputs.psp:
        for provider in PROVIDERS:
            for day in pw.days():
                name = f"{provider}-{day.isoformat()}.csv"
                raw[name] = fetch_settlement(inputs.psp, provider, day)
                reports[provider].append((name, raw[name]))
    else:
        files = ((STRIPE.name, inputs.stripe_reports), (ADYEN.name, inputs.adyen_reports))
        for provider, paths in files:
            for path in paths:
                reports[provider].append((str(path), read_file(path, f"{provider} report")))
    return ledger, psp_lines(reports, pw), raw, warnings


def run_reconcile(
    inputs: ReconcileInputs,
    window: Window,
    *,
    out: Path | None,
    save_inputs: Path | None = None,
    psp_window: Window | None = None,
    compare_dates: bool = True,
) -> tuple[Reconciliation, list[Path], list[str]]:
    ledger, at_psp, raw, warnings = gather(inputs, window, psp_window)
    ahead = (psp_window.start - window.start) if psp_window else timedelta(0)
    lag = MAX_LAG if compare_dates else None
    rec = reconcile(ledger, at_psp, window.label, psp_ahead=ahead, max_lag=lag)
    paths: list[Path] = []
    if out is not None:
        paths = write_reports(rec, out, f"reconcile-{window.stem}")
    if save_inputs is not None:
        save_inputs.mkdir(parents=True, exist_ok=True)
        for name, text in raw.items():
            (save_inputs / name).write_text(text, encoding="utf-8")
    return rec, paths, warnings


def summary_text(rec: Reconciliation, paths: list[Path], warnings: list[str]) -> str:
    counts = ", ".join(f"{LABELS[s]} {n}" for s, n in rec.counts().items() if n)
    head = "RECONCILED" if rec.ok else f"MISMATCH: {len(rec.mismatches)} item(s)"
    lines = [f"reconcile {rec.period}: {head} ({counts or 'nothing to reconcile'})"]
    for i in rec.mismatches:
        ledger = i.money(i.ledger_amount) if i.ledger else "-"
        psp = i.money(i.psp_amount) if i.at_psp else "-"
        lines.append(
            f"{i.status.upper()} {i.psp} {i.kind} {i.reference or '-'} ledger {ledger} "
            f"psp {psp}: {i.note}"
        )
    lines += [f"warning: {w}" for w in warnings]
    lines += [f"report: {p}" for p in paths]
    return "\n".join(lines)


def summary_json(rec: Reconciliation, paths: list[Path], warnings: list[str]) -> dict[str, Any]:
    return {
        "period": rec.period,
        "ok": rec.ok,
        "exit_code": int(rec.exit_code),
        "counts": rec.counts(),
        "mismatches": [
            {
                "status": i.status,
                "psp": i.psp,
                "kind": i.kind,
                "psp_reference": i.reference,
                "platform_id": i.platform_id,
                "currency": i.currency,
                "ledger_amount_minor": i.ledger_amount if i.ledger else None,
                "psp_amount_minor": i.psp_amount if i.at_psp else None,
                "note": i.note,
            }
            for i in rec.mismatches
        ],
        "totals": [
            {
                "psp": t.psp,
                "currency": t.currency,
                "ledger_minor": t.ledger,
                "psp_gross_minor": t.psp_gross,
                "psp_fees_minor": t.psp_fees,
                "difference_minor": t.difference,
            }
            for t in rec.totals()
        ],
        "warnings": warnings,
        "reports": [str(p) for p in paths],
    }
