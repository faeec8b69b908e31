"""The money probes and the drill's books on a fake platform (no server, no database)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from golive.canary.model import WalletModel
from golive.canary.world import CanaryWorld
from golive.drills.rollback.book import Book
from golive.drills.rollback.probes import money_hypothesis, stuck_jobs, trial_balance
from golive.drills.steady_state import Phase
from golive.target import Balance, Deposit, Entry, EntryPage, Health, Job, Total, Withdrawal


@dataclass
class FakeClient:
    """Just enough of a target: one EUR wallet and a ledger of (kind, account, amount)."""

    legs: list[tuple[str, str, str, int]] = field(default_factory=list)  # tx, kind, account, signed
    deposits: dict[str, Deposit] = field(default_factory=dict)
    withdrawals: dict[str, Withdrawal] = field(default_factory=dict)
    jobs_: list[Job] = field(default_factory=list)
    pending: int = 0
    held: int = 0

    def post(self, *legs: tuple[str, str, int]) -> None:
        tx = str(uuid.uuid4())
        self.legs += [(tx, kind, account, amount) for kind, account, amount in legs]

    def health(self) -> Health:
        return Health("ok")

    def entries_page(self, cursor: str | None = None, *, limit: int = 500) -> EntryPage:
        legs = tuple(
            Entry(str(i), tx, acc, kind, "debit" if amt > 0 else "credit", abs(amt), "EUR", "")
            for i, (tx, kind, acc, amt) in enumerate(self.legs)
        )
        return EntryPage(legs, None)

    def totals(self) -> list[Total]:
        sums: dict[str, int] = {}
        for _, kind, _, amt in self.legs:
            sums[kind] = sums.get(kind, 0) - amt  # balance = credits - debits
        return [Total(k, "EUR", v) for k, v in sums.items()]

    def balance(self, account_id: str) -> Balance:
        avail = -sum(
            a for _, k, acc, a in self.legs if k == "customer_wallet" and acc == account_id
        )
        return Balance(account_id, "EUR", avail, self.held, self.pending)

    def get_deposit(self, dep_id: str) -> Deposit:
        return self.deposits[dep_id]

    def get_withdrawal(self, wd_id: str) -> Withdrawal:
        return self.withdrawals[wd_id]

    def jobs(self, *, kind: str | None = None, state: str | None = None) -> list[Job]:
        return [j for j in self.jobs_ if j.state == (state or j.state)]


def deposit(dep_id: str, status: str) -> Deposit:
    return Deposit(dep_id, "w1", 10_000, "EUR", "stripe", None, status)


def funded(client: FakeClient) -> tuple[Book, CanaryWorld]:
    """A wallet with a credited 100.00 deposit, a 30.00 burn (0.30 fee) and a paid 20.00 payout."""
    world = CanaryWorld(client, None)  # type: ignore[arg-type]
    world.wallet = WalletModel("w1", "EUR")
    w = world.w
    client.post(("psp_clearing", "stripe", 10_000), ("customer_wallet", "w1", -10_000))
    client.deposits["d1"] = deposit("d1", "succeeded")
    world.deposits.append(deposit("d1", "pending"))
    w.deposits["d1"] = 10_000
    client.post(("customer_wallet", "w1", 3_000), ("house_revenue", "house", -2_970),
                ("house_fees", "fees", -30))  # fmt: skip
    w.burned = 3_000
    client.post(("customer_wallet", "w1", 2_000), ("payouts_in_transit", "stripe", -2_000))
    client.post(("payouts_in_transit", "stripe", 2_000), ("psp_clearing", "stripe", -2_000))
    client.withdrawals["x1"] = Withdrawal("x1", "w1", 2_000, "EUR", "stripe", None, "paid")
    world.withdrawals.append(replace(client.withdrawals["x1"], status="in_transit"))
    w.withdrawals["x1"] = 2_000
    book = Book()
    book.add(world)
    return book, world


def test_the_books_explain_every_cent_of_a_clean_ledger() -> None:
    client = FakeClient()
    book, world = funded(client)
    assert book.unexplained(client.totals()) == {}
    assert world.w.credited == {"d1"}  # refreshed from the platform's word
    assert world.w.paid == {"x1"}
    assert book.wallet_mismatches() == []
    assert trial_balance(client.totals()) == []


def test_fees_deleted_by_a_careless_downgrade_are_unexplained_and_unbalanced() -> None:
    client = FakeClient()
    book, _ = funded(client)
    client.legs = [leg for leg in client.legs if leg[1] != "house_fees"]
    assert book.unexplained(client.totals()) == {"house money EUR": -30}
    [v] = trial_balance(client.totals())
    assert v.subject == "currency EUR"
    assert "add up to -30, not 0" in v.detail


def test_a_double_credit_shows_on_the_wallet_and_in_the_books() -> None:
    client = FakeClient()
    book, _ = funded(client)
    client.post(("psp_clearing", "stripe", 10_000), ("customer_wallet", "w1", -10_000))
    assert book.unexplained(client.totals()) == {
        "PSP clearing EUR": -10_000,
        "customer money EUR": 10_000,
    }
    [v] = book.wallet_mismatches()
    assert v.subject == "wallet w1"
    assert "150.00 EUR / 0.00 EUR / 0.00 EUR" in v.detail
    assert "50.00 EUR / 0.00 EUR / 0.00 EUR" in v.detail


def test_a_job_is_stuck_only_once_its_deposit_or_payout_has_settled() -> None:
    client = FakeClient()
    funded(client)
    client.deposits["d2"] = deposit("d2", "pending")
    client.jobs_ = [
        Job("j1", "deposit_confirmation", "pending", "d1", "t0", "t0"),  # d1 succeeded: stuck
        Job("j2", "deposit_confirmation", "pending", "d2", "t0", "t0"),  # still waiting: fine
        Job("j3", "payout", "pending", "x1", "t0", "t0"),  # x1 paid: stuck
        Job("j4", "payout", "done", "x1", "t0", "t0"),
    ]
    found = stuck_jobs(client)  # type: ignore[arg-type]
    assert [v.subject for v in found] == ["deposit_confirmation job j1", "payout job j3"]
    assert "withdrawal x1 is paid" in found[1].detail


def test_the_hypothesis_names_every_probe_that_deviates() -> None:
    client = FakeClient()
    book, _ = funded(client)
    hyp = money_hypothesis(client, book)  # type: ignore[arg-type]
    before = hyp.check(Phase.BEFORE)
    assert before.met, before.findings()
    client.post(("psp_clearing", "stripe", 10_000), ("customer_wallet", "w1", -10_000))
    after = hyp.check(Phase.AFTER_ROLLBACK, before)
    failed = sorted(r.name for r in after.results if not r.ok)
    assert failed == [
        "every wallet matches the drill's books",
        "money beyond the drill's books",
    ]
    assert any("customer money EUR: 0 → 10000" in f for f in after.findings())
