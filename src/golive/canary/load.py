"""The bounded load phase: concurrent money loops, each checked for conservation.

Sized from the SLO targets by default (as many loops as the gates need to be decided), or a
fixed ``loops``; bounded in count (``max_loops``) and time (``max_seconds``): loops not
started by the deadline are not started, and the phase reports how many ran.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from golive.canary.load_checks import settle_and_check
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.errors import ExpectationFailed
from golive.money import Money
from golive.psp.provider import SHARED
from golive.target import Deposit, NoAnswer

_ONE, _TWO = SHARED  # (provider, currency, amount) of each loop: the two in turn
PLAN = (
    (_ONE, "EUR", 10_000),
    (_TWO, "EUR", 12_345),
    (_ONE, "JPY", 9_000),
    (_TWO, "USD", 7_777),
)
CREDIT_WAIT_S = 15.0  # the longest a loop waits for its deposit's webhook to be credited
POLL_S = 0.05


@dataclass
class LoadResult:
    started: float
    finished: float
    loops_finished: float = 0.0  # end of the measured window (before settlement checks)
    worlds: list[CanaryWorld] = field(default_factory=list)
    transport_errors: int = 0  # requests the platform never answered
    loops_run: int = 0
    failures: list[str] = field(default_factory=list)


def one_loop(
    world: CanaryWorld, psp: str, currency: str, amount: int, *, under_load: bool = False
) -> None:
    """Deposit, hold + partial burn, hold + release, withdraw: the canary loop, compressed.
    Alone, it lets the PSP deliver what is due; ``under_load``, it waits for its own deposit's
    webhook only (the PSP sends webhooks without delay then: see `run_load`)."""
    world.new_wallet(currency)
    dep = world.deposit(Money(amount, currency), psp)
    if under_load:
        await_credit(world, dep)
    else:
        world.settle_deposits()
    world.place_hold(Money(amount // 4, currency))
    world.burn(Money(amount // 8, currency))
    world.place_hold(Money(amount // 5, currency))
    world.release()
    world.withdraw(Money(amount // 3, currency), psp)


def await_credit(world: CanaryWorld, dep: Deposit, timeout: float = CREDIT_WAIT_S) -> None:
    """Wait (bounded) until the platform has taken the PSP's webhook about this deposit: the
    stub's delivery threads send it in the background, and no loop waits for another's."""
    deadline = time.monotonic() + timeout
    while True:
        status = world.client.get_deposit(dep.id).status
        if status == "succeeded":
            world.w.credited.add(dep.id)
            return
        if status == "failed":
            world.w.failed_deposits.add(dep.id)
            return
        if time.monotonic() > deadline:
            raise ExpectationFailed(
                f"deposit {dep.id} is still {status!r} {timeout:g} s after it was made: its "
                "webhook was not delivered, or not credited"
            )
        time.sleep(POLL_S)


def run_load(
    make_world: Callable[[], CanaryWorld],
    psp: PspOps,
    *,
    loops: int,
    concurrency: int,
    max_seconds: float,
    more: Callable[[LoadResult], int] | None = None,
    max_loops: int = 2_000,
) -> LoadResult:
    """``loops`` money loops; or, with ``loops`` 0, batches sized by ``more`` (how many loops
    the gates still need, 0 when each can be decided) until it says enough, ``max_loops``
    ran or ``max_seconds`` passed. Each batch ends with its payouts settled and checked."""
    result = LoadResult(started=time.time(), finished=0.0)
    deadline = time.monotonic() + max_seconds
    batch = loops if loops > 0 else min(max_loops, 6 * concurrency)
    psp.set_faults(webhook_delay_s=0)  # under load, webhooks leave as soon as they are due
    try:
        while batch > 0:
            _batch(make_world, psp, result, range(result.loops_run, result.loops_run + batch),
                   concurrency, deadline)  # fmt: skip
            if loops > 0 or more is None or time.monotonic() > deadline:
                break
            batch = min(more(result), max_loops - result.loops_run)
    finally:
        psp.clear_faults()
    result.finished = time.time()
    return result


def _batch(
    make_world: Callable[[], CanaryWorld],
    psp: PspOps,
    result: LoadResult,
    indices: range,
    concurrency: int,
    deadline: float,
) -> None:
    worlds: dict[int, CanaryWorld] = {}
    lock = threading.Lock()

    def task(i: int) -> None:
        if time.monotonic() > deadline:
            return
        world = make_world()
        with lock:
            worlds[i] = world
        try:
            one_loop(world, *PLAN[i % len(PLAN)], under_load=True)
        except Exception as exc:  # a failed loop is a finding, reported with the others
            with lock:
                result.transport_errors += isinstance(exc, NoAnswer)
                result.failures.append(f"loop {i}: {type(exc).__name__}: {exc}"[:400])
        with lock:
            result.loops_run += 1

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(task, indices))
    result.loops_finished = time.time()
    result.worlds += [worlds[i] for i in sorted(worlds)]
    if worlds:
        result.failures += settle_and_check(psp, next(iter(worlds.values())).client, worlds)


def webhook_attempts(psp: PspOps, worlds: list[CanaryWorld]) -> list[dict[str, Any]]:
    """Every delivery attempt of the events about the load phase's payments and payouts."""
    refs = {str(d.psp_reference) for w in worlds for d in w.deposits}
    refs |= {str(x.psp_reference) for w in worlds for x in w.withdrawals}
    by_event = psp.event_references()
    return [
        a
        for d in psp.deliveries()
        if by_event.get(d["event_id"], d["event_id"].split(":", 1)[0]) in refs
        for a in d["attempts"]
    ]
