"""The incidents of the drills: webhooks while the platform is down, a PSP outage, a kill switch.

Each incident is injected from the outside (the PSP stub's faults, the platform's admin
settings, stopping the app), never through the platform's own fault switches.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.errors import ExpectationFailed
from golive.invariants import Violation
from golive.money import Money
from golive.psp.provider import providers
from golive.target import Deposit, PlatformError, Target, Withdrawal

CONFIRMATION_DELAY_S = 300  # PSP seconds before the confirmations of the switch go out


# -- webhooks during the switch -------------------------------------------------------------
def deposits_confirmed_during_switch(
    worlds: list[CanaryWorld], psp: PspOps
) -> list[tuple[CanaryWorld, Deposit]]:
    """Deposits through every PSP the live wallets were funded through, whose confirmations
    go out a little later, each twice."""
    used = sorted({dep.psp for world in worlds for dep in world.deposits if dep.psp})
    if not used:
        raise ExpectationFailed("the live wallets were funded through no payment provider")
    made = []
    psp.set_faults(webhook_delay_s=CONFIRMATION_DELAY_S, duplicate_webhooks=1)
    try:
        for world in worlds:
            for provider in used:
                amount = Money.whole(35, world.w.currency)
                made.append((world, world.deposit(amount, provider)))
    finally:
        psp.clear_faults()
    return made


def deliver_now(psp: PspOps) -> None:
    """Let the PSP's clock reach the confirmations: it delivers them (or fails to)."""
    psp.advance_clock(CONFIRMATION_DELAY_S + 1, step=True)


def retry_deliveries(psp: PspOps, not_before: float) -> float:
    """Three PSP hours: every retry that is due goes out, once real time has reached
    ``not_before`` (a ``time.monotonic()`` reading). Returns the real seconds waited."""
    waited = max(0.0, not_before - time.monotonic())
    time.sleep(waited)
    psp.advance_clock(3 * 3600, step=True)
    psp.flush()
    return waited


def delivery_findings(psp: PspOps, deposits: list[tuple[CanaryWorld, Deposit]]) -> list[str]:
    """Each confirmation failed while the platform was down, then a retry delivered it."""
    found = []
    duplicated = 0
    for _, dep in deposits:
        ref = str(dep.psp_reference)
        attempts = sorted(psp.attempts_for(ref), key=lambda a: a["seq"])
        ok = [a for a in attempts if 200 <= (a.get("status_code") or 0) < 300]
        if not attempts or _ok(attempts[0]):
            found.append(f"deposit {dep.id}: the PSP did not try to deliver while it was down")
        if not ok:
            found.append(f"deposit {dep.id}: no retry was acknowledged after the platform returned")
        duplicated += len(ok) >= 2
    if deposits and not duplicated:
        found.append("no confirmation was delivered twice, so exactly-once was not put to the test")
    return found


def _ok(attempt: dict[str, Any]) -> bool:
    return 200 <= (attempt.get("status_code") or 0) < 300


def credited_once(client: Target, deposits: list[tuple[CanaryWorld, Deposit]]) -> dict[str, str]:
    statuses = {d.id: client.get_deposit(d.id).status for _, d in deposits}
    for world, dep in deposits:
        if statuses[dep.id] == "succeeded":
            world.w.credited.add(dep.id)
    wrong = {d: s for d, s in statuses.items() if s != "succeeded"}
    if wrong:
        raise ExpectationFailed(f"deposits not credited after the PSP's retries: {wrong}")
    return statuses


# -- PSP failover -------------------------------------------------------------------------
@dataclass
class Failover:
    primary: str
    secondary: str
    refused_withdrawals: list[str] = field(default_factory=list)

    def other(self, provider: str) -> str:
        return self.secondary if provider == self.primary else self.primary


def route(client: Target, provider: str) -> dict[str, Any]:
    client.update_settings(primary_psp=provider)
    seen = client.settings()
    if seen.primary_psp != provider:
        raise ExpectationFailed(f"the platform routes to {seen.primary_psp!r}, not {provider!r}")
    return {"primary_psp": provider}


def refused_by_failed_provider(world: CanaryWorld, failover: Failover) -> dict[str, str]:
    """A routed deposit and withdrawal at the failed PSP are refused and move nothing."""
    client, w = world.client, world.w
    before = client.balance(w.account_id)
    codes = {}
    deposit, withdrawal = Money.whole(20, w.currency), Money.whole(10, w.currency)
    calls: list[tuple[str, Callable[[], Deposit | Withdrawal]]] = [
        ("deposit", lambda: client.deposit(w.account_id, deposit.amount_minor, w.currency)),
        ("withdrawal", lambda: client.withdraw(w.account_id, withdrawal.amount_minor, w.currency)),
    ]
    for what, call in calls:
        try:
            made = call()
        except PlatformError as exc:
            codes[what] = str(exc.code)
            if isinstance(exc.resource, Withdrawal):
                failover.refused_withdrawals.append(exc.resource.id)
            continue
        raise ExpectationFailed(
            f"the {what} was accepted through {made.psp!r} while {failover.primary} is down "
            "and still the primary"
        )
    after = client.balance(w.account_id)
    if after != before:
        raise ExpectationFailed(f"refused requests moved money: {before} → {after}")
    return codes


def routed_deposit(world: CanaryWorld, amount: Money) -> Deposit:
    """A deposit without a PSP: the platform picks its primary."""
    dep = world.client.deposit(world.w.account_id, amount.amount_minor, amount.currency)
    world.w.deposits[dep.id] = amount.amount_minor
    world.deposits.append(dep)
    return dep


def through(world: CanaryWorld, provider: str) -> dict[str, str]:
    """A routed deposit and withdrawal go to ``provider`` and complete."""
    cur = world.w.currency
    dep = routed_deposit(world, Money.whole(60, cur))
    world.settle_deposits()
    wd = world.withdraw(Money.whole(25, cur), None)
    world.settle_payouts()
    wrong = [
        f"{k} went to {v.psp!r}"
        for k, v in (("deposit", dep), ("withdrawal", wd))
        if v.psp != provider
    ]
    if wrong:
        raise ExpectationFailed(f"routed to {provider}, but the " + " and the ".join(wrong))
    if dep.id not in world.w.credited or wd.id not in world.w.paid:
        raise ExpectationFailed(
            f"through {provider}: deposit {world.client.get_deposit(dep.id).status}, "
            f"withdrawal {world.client.get_withdrawal(wd.id).status}"
        )
    return {"deposit": provider, "withdrawal": provider}


def payouts_made_twice(
    psp: PspOps, worlds: list[CanaryWorld], failover: Failover
) -> list[Violation]:
    """Each accepted withdrawal has exactly one payout across both PSPs; a refused one none.

    A payout belongs to the withdrawal whose id the platform gave the PSP with it, under
    whatever metadata key or reference it chose (each provider's ``carried_ids``)."""
    objects = psp.state()["objects"]
    counts: dict[str, int] = {}
    for provider in providers():
        for obj in objects.get(provider.object_kinds["payouts"], []):
            for wid in provider.carried_ids(obj):  # the withdrawal the payout is for
                counts[wid] = counts.get(wid, 0) + 1
    found = []
    for world in worlds:
        for wd in world.withdrawals:
            n = counts.get(wd.id, 0)
            if n != 1:
                found.append(
                    Violation("no payout made twice", f"withdrawal {wd.id}", f"{n} payouts")
                )
    for wid in failover.refused_withdrawals:
        if counts.get(wid, 0):
            found.append(
                Violation(
                    "no payout made twice",
                    f"refused withdrawal {wid}",
                    f"refunded, yet {counts[wid]} payout(s) at the PSPs",
                )
            )
    return found


# -- the kill switch -----------------------------------------------------------------------
@dataclass
class Attempt:
    world: CanaryWorld
    started: float
    ended: float
    withdrawal: Withdrawal | None = None
    refused: str | None = None  # the error code


@dataclass
class KillSwitchRun:
    attempts: list[Attempt] = field(default_factory=list)
    switch_started: float | None = None
    switch_done: float | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[Attempt]:
        return [a for a in self.attempts if a.withdrawal is not None]

    @property
    def refused(self) -> list[Attempt]:
        return [a for a in self.attempts if a.refused is not None]

    def summary(self) -> dict[str, int]:
        return {
            "accepted": len(self.accepted),
            "refused": len(self.refused),
            "errors": len(self.errors),
        }


def withdraw_through_switch(
    worlds: list[CanaryWorld],
    switch_off: Callable[[], object],
    *,
    switch_after: int = 3,
    after_switch: int = 2,
    max_each: int = 8,
    max_seconds: float = 60.0,
) -> KillSwitchRun:
    """One customer per wallet withdrawing in a loop; the switch goes off mid-flight.

    Bounded: at most ``max_each`` attempts per wallet and ``max_seconds`` in all. The switch
    is thrown once ``switch_after`` withdrawals were accepted, while the customers keep
    going; each makes ``after_switch`` attempts after it (a customer who used up its other
    attempts before the switch waits for it, so the refusal is always put to the test).
    """
    run = KillSwitchRun()
    lock = threading.Lock()
    switched = threading.Event()
    deadline = time.monotonic() + max_seconds

    def customer(world: CanaryWorld) -> None:
        cur, made, later = world.w.currency, 0, 0
        while made < max_each and later < after_switch and time.monotonic() < deadline:
            if not switched.is_set() and made >= max_each - after_switch:
                switched.wait(timeout=max(0.0, deadline - time.monotonic()))
            after = switched.is_set()
            t0 = time.perf_counter()
            try:
                wd = world.withdraw(Money.whole(5, cur), None)
                att = Attempt(world, t0, time.perf_counter(), withdrawal=wd)
            except PlatformError as exc:
                att = Attempt(world, t0, time.perf_counter(), refused=str(exc.code or exc.status))
            except Exception as exc:  # a broken request is a finding, reported with the rest
                with lock:
                    run.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                return
            made, later = made + 1, later + after
            with lock:
                run.attempts.append(att)

    threads = [threading.Thread(target=customer, args=(w,), daemon=True) for w in worlds]
    for t in threads:
        t.start()
    while time.monotonic() < deadline and len(run.accepted) < switch_after:
        if not any(t.is_alive() for t in threads):
            break
        time.sleep(0.01)
    run.switch_started = time.perf_counter()
    try:
        switch_off()
    finally:
        run.switch_done = time.perf_counter()
        switched.set()
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
    return run


def switch_findings(run: KillSwitchRun) -> list[str]:
    """Accepted before the switch, refused after it, nothing in between left half-done."""
    found = list(run.errors)
    start, done = run.switch_started or 0.0, run.switch_done or 0.0
    if len(run.accepted) == 0:
        found.append("no withdrawal was accepted before the switch: nothing was in flight")
    for a in run.refused:
        if a.refused != "withdrawals_disabled":
            found.append(f"a withdrawal was refused for {a.refused!r}, not the kill switch")
        elif a.ended < start:
            found.append("a withdrawal was refused as switched off before the switch was thrown")
    for a in run.accepted:
        if a.started > done:
            assert a.withdrawal is not None
            found.append(f"withdrawal {a.withdrawal.id} started after the switch and was accepted")
    if not any(a.started > done for a in run.refused):
        found.append("no withdrawal was attempted after the switch, so the refusal was not shown")
    return found
