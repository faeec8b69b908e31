"""Concurrent requests never overdraw a wallet, never deadlock, never resolve a hold twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from tests.platform.bank import Bank


def run_together(jobs: list[Callable[[], int]]) -> Counter[int]:
    """Run the jobs in threads started at the same instant; count their HTTP statuses."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs))

    def go(job: Callable[[], int]) -> None:
        barrier.wait(timeout=30)
        status = job()
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=go, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(statuses.values()) == len(jobs)
    return statuses


def test_concurrent_holds_on_one_wallet_never_overdraw_it(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 1_000)
    statuses = run_together([lambda: bank.hold(acct, 300).status_code for _ in range(10)])
    assert statuses == Counter({201: 3, 409: 7})
    bal = bank.balance(acct)
    assert (bal["available"], bal["held"]) == (100, 900)
    assert bank.problems() == []


def test_concurrent_transfers_both_ways_keep_every_cent(bank: Bank) -> None:
    a, b = bank.account(), bank.account()
    bank.fund(a, 1_000)
    bank.fund(b, 1_000)

    def move(src: str, dst: str) -> Callable[[], int]:
        body = {"from_account_id": src, "to_account_id": dst, "amount": 7, "currency": "EUR"}
        return lambda: bank.post("/transfers", body).status_code

    statuses = run_together([move(a, b), move(b, a)] * 6)
    assert statuses == Counter({201: 12})
    assert bank.balance(a)["available"] + bank.balance(b)["available"] == 2_000
    assert bank.problems() == []


def test_a_hold_burned_and_released_at_once_is_resolved_once(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 1_000)
    hold = bank.ok(bank.hold(acct, 400), 201)
    burn = lambda: bank.post(f"/holds/{hold['id']}/burn", {}).status_code  # noqa: E731
    release = lambda: bank.post(f"/holds/{hold['id']}/release", {}).status_code  # noqa: E731
    statuses = run_together([burn, release, burn, release])
    assert statuses == Counter({200: 1, 409: 3})
    status = bank.get(f"/holds/{hold['id']}")["status"]
    assert bank.balance(acct)["available"] == (1_000 if status == "released" else 600)
    assert bank.problems() == []


def test_concurrent_deposits_withdrawals_and_holds_add_up(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 10_000)
    deposits = [bank.deposit(acct, 100) for _ in range(4)]
    jobs: list[Callable[[], int]] = [lambda d=d: bank.confirm(d).status_code for d in deposits]
    jobs += [
        lambda: (
            bank.post(
                "/withdrawals",
                {"account_id": acct, "amount": 500, "currency": "EUR", "psp": "stripe"},
            ).status_code
        )
        for _ in range(4)
    ]
    jobs += [lambda: bank.hold(acct, 250).status_code for _ in range(4)]
    assert run_together(jobs) == Counter({200: 4, 201: 8})
    bal = bank.balance(acct)
    assert (bal["available"], bal["held"]) == (10_400 - 2_000 - 1_000, 1_000)
    assert bank.problems() == []
