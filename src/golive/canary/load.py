"""The bounded load phase: concurrent money loops, each checked for conservation.

The loops run under Locust (golive.load), in their own processes; this module sizes the
phase, hands the records back to the run (transcripts, worlds) and checks every loop's
money afterwards. Sized from the SLO targets by default (as many loops as the gates need to
be decided), or a fixed ``loops``; bounded in count (``max_loops``) and time
(``max_seconds``): loops not started by the deadline are not started, and the phase
reports how many ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from golive.canary.load_checks import settle_and_check
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.errors import ExpectationFailed, Inconclusive
from golive.evidence.recorder import Exchange, current
from golive.money import Money
from golive.psp.provider import SHARED
from golive.target import Deposit, Target

_ONE, _TWO = SHARED  # (provider, currency, amount) of each loop: the two in turn
PLAN = (
    (_ONE, "EUR", 10_000),
    (_TWO, "EUR", 12_345),
    (_ONE, "JPY", 9_000),
    (_TWO, "USD", 7_777),
)
CREDIT_WAIT_S = 15.0  # the longest a loop waits for its deposit's webhook to be credited
POLL_S = 0.05
FIRST_BATCH = 6  # loops per concurrent user in a sized phase's first batch


@dataclass(frozen=True)
class LoadTarget:
    """Where the load processes find the platform and the PSP."""

    url: str
    psp_url: str
    adapter: str = ""  # package.module:Class; "": the HTTP contract


@dataclass
class LoadResult:
    started: float
    finished: float
    loops_finished: float = 0.0  # end of the last batch's loops (before settlement checks)
    worlds: list[CanaryWorld] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)  # the loops' platform exchanges
    transport_errors: int = 0  # requests the platform never answered
    loops_run: int = 0
    failures: list[str] = field(default_factory=list)
    workers: int = 1
    locust_requests: int = 0  # what Locust's statistics counted (answered or not)
    locust_failures: int = 0
    attempts: list[dict[str, Any]] | None = None  # webhook delivery attempts, once measured

    def engine(self) -> dict[str, Any]:
        """What the evidence records about the load engine."""
        return {
            "engine": "locust",
            "workers": self.workers,
            "loops": self.loops_run,
            "locust_requests": self.locust_requests,
            "locust_failures": self.locust_failures,
            "seconds": round(self.loops_finished - self.started, 3),
        }


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


def run_load(
    where: LoadTarget,
    psp: PspOps,
    client: Target,
    *,
    loops: int,
    concurrency: int,
    max_seconds: float,
    workers: int = 1,
    more: Callable[[LoadResult], int] | None = None,
    max_loops: int = 2_000,
) -> LoadResult:
    """``loops`` money loops; or, with ``loops`` 0, batches sized by ``more`` (how many loops
    the gates still need, 0 when each can be decided) until it says enough, ``max_loops``
    ran or ``max_seconds`` passed. Each batch ends with its payouts settled and checked on
    ``client`` (golive's own, outside the measured exchanges)."""
    result = LoadResult(started=time.time(), finished=0.0, workers=workers)
    deadline = time.monotonic() + max_seconds
    batch = loops if loops > 0 else min(max_loops, FIRST_BATCH * concurrency)
    delay = _webhook_delay(psp, 0.0)  # under load, webhooks leave as soon as they are due
    try:
        while batch > 0 and time.monotonic() < deadline:
            _batch(where, psp, client, result, batch, concurrency, deadline - time.monotonic())
            if loops > 0 or more is None:
                break
            batch = min(more(result), max_loops - result.loops_run)
    finally:
        _webhook_delay(psp, delay)
    result.finished = time.time()
    return result


def _webhook_delay(psp: PspOps, seconds: float) -> float:
    """Set the PSP's webhook delay, keeping the faults a scenario set; returns the old one."""
    faults = dict(psp.faults().get("*") or {})
    before = float(faults.get("webhook_delay_s") or 0.0)
    psp.set_faults(**(faults | {"webhook_delay_s": seconds}))
    return before


def _batch(
    where: LoadTarget,
    psp: PspOps,
    client: Target,
    result: LoadResult,
    loops: int,
    concurrency: int,
    seconds: float,
) -> None:
    from golive.load import LoadRequest, run_locust, world_of

    req = LoadRequest(where.url, where.psp_url, loops=loops, users=concurrency, seconds=seconds,
                      adapter=where.adapter, workers=result.workers,
                      first=result.loops_run)  # fmt: skip
    run = run_locust(req)
    if not run.loops:
        raise Inconclusive(
            f"the load engine (Locust) ran none of {loops} loops (exit {run.returncode}): "
            + " | ".join(run.log.strip().splitlines()[-5:])
        )
    recorder = current()
    for exchange, line in run.exchanges:  # into the run's transcripts, as if made here
        recorder.add_exchange(replace(exchange, test=recorder.current_test), line)
    result.exchanges += [x for x, _ in run.exchanges]
    result.locust_requests += run.locust_requests
    result.locust_failures += run.locust_failures
    result.loops_finished = time.time()
    worlds = {r.index: world_of(r, client, psp) for r in run.loops}
    for r in run.loops:
        result.transport_errors += r.no_answer
        if r.failure:
            result.failures.append(f"loop {r.index}: {r.failure}")
    result.loops_run += len(run.loops)
    result.worlds += [worlds[i] for i in sorted(worlds)]
    result.failures += settle_and_check(psp, client, worlds)


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
