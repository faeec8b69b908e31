"""Money a drill moves: live balances, the canary loop, and money left in flight.

Built on the canary's worlds and loop (golive.canary); every wallet joins the drill's books.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from golive.canary.conservation import conservation_violations
from golive.canary.load import one_loop
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.drills.rollback.book import Book
from golive.drills.rollback.probes import JOB_RESOURCES, resource_status
from golive.errors import ExpectationFailed
from golive.invariants import Violation, unbalanced_transactions
from golive.money import Money
from golive.psp.provider import DEFAULT, SHARED
from golive.target import Deposit, Hold, Target, Withdrawal, iter_entries

# (psp, currency, deposit): the balances a platform has before the release
FIRST, SECOND = SHARED
LIVE_WALLETS = ((FIRST, "EUR", 50_000), (SECOND, "USD", 30_000), (FIRST, "JPY", 20_000))
CANARY = {"1": (SECOND, "EUR", 10_000), "2": (FIRST, "EUR", 12_345)}
DEPOSIT_WEBHOOK_DELAY_S = 600  # PSP seconds before a deposit's confirmation is first sent


@dataclass
class InFlight:
    """What was left unfinished across the switch."""

    holds: list[tuple[CanaryWorld, Hold]] = field(default_factory=list)
    deposits: list[tuple[CanaryWorld, Deposit]] = field(default_factory=list)
    withdrawals: list[tuple[CanaryWorld, Withdrawal]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("holds", "deposits", "withdrawals")}


def new_world(client: Target, psp: PspOps, book: Book) -> CanaryWorld:
    return book.add(CanaryWorld(client, psp))


def live_balances(make: Callable[[], CanaryWorld], psp: PspOps) -> list[CanaryWorld]:
    """Funded wallets with history: a deposit, a burned hold and a paid payout each."""
    made = []
    for provider, currency, amount in LIVE_WALLETS:
        world = make()
        world.fund(Money(amount, currency), provider)
        world.place_hold(Money(amount // 10, currency))
        world.burn()
        world.withdraw(Money(amount // 5, currency), provider)
        made.append(world)
    psp.pass_payout_arrival()
    for world in made:
        world.settle_payouts(advance=False)
    return made


def canary(make: Callable[[], CanaryWorld], psp: PspOps, release: str) -> dict[str, str]:
    """The canary money loop end to end, payout included; every cent accounted for."""
    provider, currency, amount = CANARY.get(release, CANARY["1"])
    world = make()
    one_loop(world, provider, currency, amount)
    psp.pass_payout_arrival()
    world.settle_payouts(advance=False)
    found = conservation_violations(world)
    if found:
        raise ExpectationFailed(
            f"the canary money loop on release {release} broke: " + "; ".join(map(str, found))
        )
    unpaid = [x.id for x in world.withdrawals if x.id not in world.w.paid]
    if unpaid:
        raise ExpectationFailed(f"the canary's payout(s) {unpaid} were not paid")
    return {"release": release, "psp": provider, "wallet": world.w.account_id}


def leave_in_flight(worlds: list[CanaryWorld], psp: PspOps) -> InFlight:
    """Pending holds, deposits whose confirmation is still on its way, payouts in transit."""
    flight = InFlight()
    psp.set_faults(webhook_delay_s=DEPOSIT_WEBHOOK_DELAY_S)
    try:
        for world in worlds:
            cur = world.w.currency
            flight.holds.append((world, world.place_hold(Money.whole(25, cur))))
            flight.holds.append((world, world.place_hold(Money.whole(15, cur))))
            flight.deposits.append((world, world.deposit(Money.whole(40, cur), _psp(world))))
            flight.withdrawals.append((world, world.withdraw(Money.whole(30, cur), _psp(world))))
    finally:
        psp.clear_faults()
    psp.flush()
    return flight


def _psp(world: CanaryWorld) -> str:
    return world.deposits[0].psp if world.deposits else DEFAULT


def resolve_holds(flight: InFlight) -> dict[str, str]:
    """Burn every other pending hold and release the rest; each must resolve exactly once."""
    done = {}
    for i, (world, hold) in enumerate(flight.holds):
        world.hold = hold
        if i % 2 == 0:
            world.burn()
            done[hold.id] = "burned"
        else:
            world.release()
            done[hold.id] = "released"
    return done


def confirm_deposits(flight: InFlight, psp: PspOps) -> dict[str, str]:
    """Let the PSP's delayed confirmations go out; every pending deposit must be credited."""
    psp.advance_clock(DEPOSIT_WEBHOOK_DELAY_S + 1, step=True)
    psp.flush()
    statuses = {}
    for world, dep in flight.deposits:
        status = world.client.get_deposit(dep.id).status
        statuses[dep.id] = status
        if status == "succeeded":
            world.w.credited.add(dep.id)
    late = {d: s for d, s in statuses.items() if s != "succeeded"}
    if late:
        raise ExpectationFailed(f"deposits not credited after their confirmation: {late}")
    return statuses


def complete_payouts(flight: InFlight, psp: PspOps) -> dict[str, str]:
    """Let the payouts in transit arrive; each must end paid, at the platform and the PSP."""
    psp.pass_payout_arrival()
    statuses = {}
    for world, wd in flight.withdrawals:
        world.settle_payouts(advance=False)
        seen = world.client.get_withdrawal(wd.id)
        at_psp = psp.payout_status(seen.psp, str(seen.psp_reference))
        statuses[wd.id] = f"{seen.status} (PSP: {at_psp})"
        if seen.status != "paid" or at_psp != "paid":
            raise ExpectationFailed(
                f"payout of withdrawal {wd.id} did not complete: the platform says "
                f"{seen.status!r}, the PSP {at_psp!r}"
            )
    return statuses


def pending_jobs(client: Target, book: Book) -> list[Violation]:
    """The drill's finance jobs still pending once the PSP has delivered everything."""
    ours = {d.id for w in book.funded() for d in w.deposits}
    ours |= {x.id for w in book.funded() for x in w.withdrawals}
    return [
        Violation(
            "no finance job stuck",
            f"{job.kind} job {job.id}",
            f"still pending since {job.created_at} after the PSP delivered everything; its "
            f"{JOB_RESOURCES.get(job.kind, job.kind)} {job.reference} is "
            f"{resource_status(client, job)}",
        )
        for job in client.jobs(state="pending")
        if job.reference in ours
    ]


def conserved(book: Book) -> list[Violation]:
    """Every wallet's money accounted for, in the ledger and at the PSP (canary check); the
    ledger is read once for all wallets (it holds the platform's whole history)."""
    worlds = book.funded()
    if not worlds:
        return []
    ledger = list(iter_entries(worlds[0].client))
    found = unbalanced_transactions(ledger)
    for world in worlds:
        found += conservation_violations(world, ledger)
    return found
