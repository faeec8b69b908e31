"""The bank workload runner against an in-memory bank: bounded, seeded, settles unknown
outcomes, and its histories show the anomalies a wrong bank makes."""

from __future__ import annotations

from typing import Any

from golive.properties import BankConfig, check_history, run_bank
from golive.properties.history import INFO, OK
from tests.properties.fake_bank import FakeBank, clients

SMALL = BankConfig(accounts=3, workers=3, readers=1, ops_per_worker=25, max_seconds=20, seed=3)


def run(bank: FakeBank, **kw: Any) -> Any:
    cfg = BankConfig(**{**SMALL.__dict__, **kw})
    return run_bank(clients(bank), bank, cfg)  # type: ignore[arg-type]


def test_a_correct_bank_shows_no_anomaly_and_the_budget_holds() -> None:
    bank = FakeBank()
    history = run(bank)
    report = check_history(history)
    assert report.ok, report.summary()
    assert len(history.ops) == SMALL.workers * SMALL.ops_per_worker
    assert {op.process for op in history.ops} == {0, 1, 2}
    assert history.snapshots[-1].final
    assert len(history.snapshots) >= 2
    assert history.initial == {a: SMALL.funding for a in history.funded}
    assert {op.kind for op in history.ops} >= {
        "transfer",
        "hold",
        "burn",
        "release",
        "bad-transfer",
    }


def test_the_seed_fixes_each_workers_choices() -> None:
    def choices(seed: int) -> list[tuple[str, int]]:
        bank = FakeBank()
        h = run(bank, workers=1, seed=seed, burst_every=0)
        order = {a: i for i, a in enumerate(h.funded)}
        return [(op.kind, op.amount) for op in h.ops if op.account in order]

    assert choices(11) == choices(11)
    assert choices(11) != choices(12)


def test_the_deadline_bounds_the_run() -> None:
    bank = FakeBank()
    history = run(bank, ops_per_worker=10_000, max_seconds=0.5)
    assert len(history.ops) < 3 * 10_000
    assert history.duration < 30


def test_lost_answers_are_settled_by_retrying_with_the_same_key() -> None:
    bank = FakeBank("lose-answers")
    history = run(bank)
    assert [op for op in history.ops if op.outcome == INFO] == []
    assert any(op.error for op in history.ops if op.outcome == OK)
    assert check_history(history).ok


def test_a_bank_that_burns_twice_is_caught() -> None:
    report = check_history(run(FakeBank("double-burn")))
    assert "hold-resolved-twice" in report.summary()


def test_a_bank_that_loses_refused_transfers_is_caught() -> None:
    report = check_history(run(FakeBank("bad-transfer-debits")))
    kinds = report.summary()
    assert "total-not-conserved" in kinds
    assert "wrong-final-balance" in kinds


def test_a_bank_that_overcommits_holds_is_caught() -> None:
    report = check_history(run(FakeBank("race-holds")))
    assert "negative-balance" in report.summary()


def test_holds_sent_at_once_with_one_key_are_in_the_history() -> None:
    history = run(FakeBank())
    keyed = [op for op in history.ops if op.key]
    assert len(keyed) == SMALL.workers  # the second burst: every worker, one key
    assert len({op.hold_id for op in keyed if op.outcome == OK}) == 1
    assert check_history(history).ok


def test_a_bank_that_looks_keys_up_then_acts_is_caught() -> None:
    report = check_history(run(FakeBank("key-check-then-act")))
    assert "same-key-double-effect" in report.summary()
