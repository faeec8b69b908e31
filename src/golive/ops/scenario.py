"""One hypercare scenario: the probes run the way operations runs them, over what the
scenario did, on the scenario's clock.

The stub PSP's clock is virtual (the stack freezes it; steps move it), the platform's is
real. The probes' "now" is the real start of the scenario plus the PSP time that passed in
it, and each side of a reconciliation gets its own window on its own clock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from golive.canary.world import CanaryWorld
from golive.config import Config, load_config
from golive.envcheck.dates import iso
from golive.errors import ExpectationFailed
from golive.ops.jobsource import jobs_from_platform
from golive.ops.matcher import LABELS, Item, Reconciliation
from golive.ops.run import ReconcileInputs, run_reconcile
from golive.ops.sources import Window
from golive.ops.stuck import StuckReport, find_stuck, slas_from
from golive.target import Deposit, Withdrawal

WHAT = {"deposit": "payment", "payout": "payout"}


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


@dataclass
class Hypercare:
    world: CanaryWorld
    platform_url: str
    psp_url: str
    folder: Path
    config: Config = field(default_factory=load_config)
    real_start: datetime = field(default_factory=lambda: datetime.now(UTC))
    psp_start: float = 0.0
    stuck: StuckReport | None = None
    rec: Reconciliation | None = None
    reports: list[Path] = field(default_factory=list)

    @classmethod
    def start(cls, world: CanaryWorld, platform_url: str, psp_url: str, folder: Path) -> Hypercare:
        return cls(world, platform_url, psp_url, folder, psp_start=world.psp.clock().now)

    # -- the scenario's clock -------------------------------------------------------------
    def psp_passed(self) -> timedelta:
        return timedelta(seconds=self.world.psp.clock().now - self.psp_start)

    def now(self) -> datetime:
        """Real time, moved on by the PSP time the scenario let pass."""
        return max(datetime.now(UTC), self.real_start + self.psp_passed())

    def hold_until_late(self) -> None:
        """Let real time pass beyond the platform's confirmation window (bounded)."""
        time.sleep(self.config.ops.late_webhook_seconds)

    def a_day_passes(self) -> None:
        self.world.psp.pass_payout_arrival()

    # -- stuck jobs -------------------------------------------------------------------------
    def check_stuck(self, at: datetime | None = None) -> StuckReport:
        jobs, warnings = jobs_from_platform(
            self.world.client, f"the platform at {self.platform_url!r}"
        )
        self.stuck = find_stuck(
            jobs, now=at or self.now(), slas=slas_from(self.config),
            payout_target=self.config.slo.payouts_within_24h,
            since=self.real_start - timedelta(seconds=1), source=self.platform_url,
            warnings=warnings,
        )  # fmt: skip
        return self.stuck

    def withdrawal_ids(self) -> list[str]:
        return [wd.id for wd in self.world.withdrawals]

    def expect_nothing_stuck(self) -> None:
        report = self._stuck()
        if not report.ok:
            raise ExpectationFailed("finance jobs are stuck:\n" + report.to_text())

    def expect_payout_stuck(self) -> None:
        report = self._stuck()
        stuck = {s.job.reference for s in report.stuck if s.job.kind == "payout"}
        missing = [w for w in self.withdrawal_ids() if w not in stuck]
        if missing or int(report.exit_code) == 0:
            raise ExpectationFailed(
                f"expected the payout of withdrawal(s) {missing or self.withdrawal_ids()} to be "
                f"reported stuck (and a non-zero exit); the check said:\n{report.to_text()}"
            )

    def _stuck(self) -> StuckReport:
        if self.stuck is None:
            raise ExpectationFailed("the scenario has not run the stuck-jobs check")
        return self.stuck

    # -- reconciliation -----------------------------------------------------------------------
    def windows(self) -> tuple[Window, Window]:
        """(ledger window on the platform's clock, PSP window on the PSP's clock)."""
        real_end = datetime.now(UTC) + timedelta(seconds=1)
        start = self.real_start - timedelta(seconds=1)
        ledger = Window(start, real_end, f"the scenario, {iso(start)} to {iso(real_end)}")
        psp_from = _utc(math.floor(self.psp_start) - 1)
        psp_to = _utc(self.world.psp.clock().now + 1)
        psp = Window(psp_from, psp_to, f"{iso(psp_from)} to {iso(psp_to)} on the PSP's clock")
        return ledger, psp

    def reconcile(self) -> Reconciliation:
        # The stub PSP's clock is virtual and jumps (a day when a payout fails): its times
        # cannot be read on the platform's clock, so dates are not compared here, only cut
        # to each side's window (tests/ops/test_matcher.py covers the date comparison).
        ledger, psp = self.windows()
        inputs = ReconcileInputs(platform=self.world.client, psp=self.psp_url)
        self.rec, self.reports, _ = run_reconcile(
            inputs, ledger, out=self.folder / "reports", save_inputs=self.folder / "inputs",
            psp_window=psp, compare_dates=False,
        )  # fmt: skip
        return self.rec

    def reference(self, what: str) -> str:
        """The PSP reference of the scenario's last deposit or withdrawal."""
        rec: Deposit | Withdrawal
        if what == "deposit":
            rec = self.world.client.get_deposit(self.world.deposits[-1].id)
        else:
            rec = self.world.client.get_withdrawal(self.world.withdrawals[-1].id)
        if not rec.psp_reference:
            raise ExpectationFailed(f"the platform's {what} {rec.id} has no PSP reference")
        return rec.psp_reference

    def mine(self) -> list[Item]:
        """The reconciliation items about what this scenario did."""
        refs = {d.psp_reference for d in self._records() if d.psp_reference}
        ids = {d.id for d in self._records()}
        return [i for i in self._rec().items if i.reference in refs or i.platform_id in ids]

    def _records(self) -> list[Deposit | Withdrawal]:
        c = self.world.client
        return [c.get_deposit(d.id) for d in self.world.deposits] + [
            c.get_withdrawal(w.id) for w in self.world.withdrawals
        ]

    def _rec(self) -> Reconciliation:
        if self.rec is None:
            raise ExpectationFailed("the scenario has not reconciled yet")
        return self.rec

    def expect_all_mine_matched(self) -> None:
        mine = self.mine()
        bad = [i for i in mine if i.status != "matched"]
        if not mine or bad:
            raise ExpectationFailed(
                "the scenario's lines do not reconcile:\n"
                + "\n".join(_describe(i) for i in bad or mine)
                + f"\n(reports: {', '.join(map(str, self.reports))})"
            )

    def expect_status(self, status_label: str, what: str) -> None:
        status = {v: k for k, v in LABELS.items()}[status_label]
        ref = self.reference(what)
        found = [i for i in self._rec().items if i.reference == ref and i.kind == WHAT[what]]
        if [i.status for i in found] != [status]:
            raise ExpectationFailed(
                f"expected {status_label} for the {what} {ref}; reconciliation says: "
                + ("; ".join(_describe(i) for i in found) or "nothing about it")
            )

    def expect_alarm(self) -> None:
        if int(self._rec().exit_code) == 0:
            raise ExpectationFailed("reconciliation found a mismatch but would exit 0 (no alert)")
        names = {p.suffix for p in self.reports}
        if names != {".md", ".html", ".csv"}:
            raise ExpectationFailed(f"reports written: {sorted(map(str, self.reports))}")


def _describe(i: Item) -> str:
    ledger = i.money(i.ledger_amount) if i.ledger else "-"
    psp = i.money(i.psp_amount) if i.at_psp else "-"
    return (f"  {LABELS[i.status]}: {i.psp} {i.kind} {i.reference or '-'} "
            f"(ledger {ledger}, PSP {psp}) {i.note}")  # fmt: skip
