"""Same-key bursts: how one burst's answers are judged, and firing one at an in-memory bank."""

from __future__ import annotations

import uuid

from golive.properties.history import FAIL, INFO, OK
from golive.properties.samekey import (
    DOUBLE_EFFECT,
    IN_PROGRESS,
    REPLAY_DIFFERS,
    REUSED,
    WRONG_REFUSAL,
    KeyedAnswer,
    fire,
    judge,
)
from golive.target import Hold
from tests.properties.fake_bank import FakeBank


def hold(hold_id: str = "h1", amount: int = 100) -> Hold:
    return Hold(hold_id, "acc", amount, "EUR", "pending", 0, 0, "2030-01-01T00:00:00+00:00")


def ok(record: object, body: int = 0) -> KeyedAnswer:
    return KeyedAnswer(body, OK, record)


def refused(code: str, status: int = 409, body: int = 0) -> KeyedAnswer:
    return KeyedAnswer(body, FAIL, None, status, code)


def kinds(answers: list[KeyedAnswer]) -> list[str]:
    return [a.kind for a in judge("a hold", answers)]


def test_one_effect_replayed_and_in_progress_refusals_are_right() -> None:
    assert kinds([ok(hold()), ok(hold()), refused(IN_PROGRESS), ok(hold())]) == []


def test_two_records_under_one_key_are_a_double_effect() -> None:
    assert kinds([ok(hold("h1")), ok(hold("h2"))]) == [DOUBLE_EFFECT]


def test_a_replay_that_is_not_the_first_answer_is_found() -> None:
    assert kinds([ok(hold(amount=100)), ok(hold(amount=101))]) == [REPLAY_DIFFERS]


def test_refusing_a_replay_for_the_resources_state_is_a_wrong_refusal() -> None:
    found = judge("burn", [ok(hold()), refused("hold_not_pending")])
    assert [a.kind for a in found] == [WRONG_REFUSAL]
    assert "hold_not_pending" in found[0].detail


def test_another_body_may_be_refused_as_reused_but_not_accepted() -> None:
    assert kinds([ok(hold()), refused(REUSED, 422, body=1), refused(IN_PROGRESS, body=1)]) == []
    assert kinds([ok(hold()), refused(REUSED, 422, body=0)]) == [WRONG_REFUSAL]
    assert kinds([ok(hold("h1")), ok(hold("h1", 101), body=1)]) == [DOUBLE_EFFECT]


def test_refusals_when_nothing_was_accepted_and_lost_answers_are_no_finding() -> None:
    assert kinds([refused("insufficient_funds")] * 3) == []
    assert kinds([ok(hold()), KeyedAnswer(0, INFO, detail="timeout")]) == []


def burst_on(bank: FakeBank, n: int = 4) -> list[KeyedAnswer]:
    setup = bank.client()
    acc = setup.create_account("owner", "EUR").id
    setup.deposit(acc, 1_000, "EUR", "stripe")
    bank.deliver_due()
    clients = [bank.client() for _ in range(n)]
    send = (0, lambda c, k: c.place_hold(acc, 100, "EUR", key=k))
    return fire(clients, [send] * n, f"key-{uuid.uuid4()}")


def test_a_burst_at_a_bank_that_claims_its_keys_makes_one_hold() -> None:
    answers = burst_on(FakeBank())
    assert [a.outcome for a in answers] == [OK] * 4
    assert judge("hold", answers) == []


def test_a_burst_at_a_bank_that_looks_keys_up_then_acts_makes_several() -> None:
    answers = burst_on(FakeBank("key-check-then-act"))
    assert [a.kind for a in judge("hold", answers)] == [DOUBLE_EFFECT]
