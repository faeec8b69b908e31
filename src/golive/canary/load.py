"""The bounded load phase: N concurrent money loops, each checked for conservation.

Bounded in count (``loops``) and time (``max_seconds``): loops not started by the deadline
are not started, and the phase reports how many ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from golive.canary.conservation import conservation_violations
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.money import Money
from golive.psp.provider import SHARED
from golive.target import NoAnswer

_ONE, _TWO = SHARED  # (provider, currency, amount) of each loop: the two in turn
PLAN = (
    (_ONE, "EUR", 10_000),
    (_TWO, "EUR", 12_345),
    (_ONE, "JPY", 9_000),
    (_TWO, "USD", 7_777),
)


@dataclass
class LoadResult:
    started: float
    finished: float
    loops_finished: float = 0.0  # end of the measured window (before settlement checks)
    worlds: list[CanaryWorld] = field(default_factory=list)
    transport_errors: int = 0  # requests the platform never answered
    loops_run: int = 0
    failures: list[str] = field(default_factory=list)


def one_loop(world: CanaryWorld, psp: str, currency: str, amount: int) -> None:
    """Deposit, hold + partial burn, hold + release, withdraw: the canary loop, compressed."""
    world.new_wallet(currency)
    world.deposit(Money(amount, currency), psp)
    world.settle_deposits()
    world.place_hold(Money(amount // 4, currency))
    world.burn(Money(amount // 8, currency))
    world.place_hold(Money(amount // 5, currency))
    world.release()
    world.withdraw(Money(amount // 3, currency), psp)


def run_load(
    make_world: Callable[[], CanaryWorld],
    psp: PspOps,
    *,
    loops: int,
    concurrency: int,
    max_seconds: float,
) -> LoadResult:
    result = LoadResult(started=time.time(), finished=0.0)
    deadline = time.monotonic() + max_seconds
    worlds = result.worlds

    def task(i: int) -> None:
        if time.monotonic() > deadline:
            return
        world = make_world()
        worlds.append(world)
        try:
            one_loop(world, *PLAN[i % len(PLAN)])
        except Exception as exc:  # a failed loop is a finding, reported with the others
            if isinstance(exc, NoAnswer):
                result.transport_errors += 1
            result.failures.append(f"loop {i}: {type(exc).__name__}: {exc}"[:400])
        result.loops_run += 1

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(task, range(loops)))
    result.loops_finished = time.time()
    psp.pass_payout_arrival()
    for i, world in enumerate(worlds):
        if world.wallet is None:
            continue
        try:
            world.settle_payouts(advance=False)
            result.failures += [f"loop {i}: {v}" for v in conservation_violations(world)]
        except Exception as exc:
            result.failures.append(f"loop {i}: {type(exc).__name__}: {exc}"[:400])
    result.finished = time.time()
    return result


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
