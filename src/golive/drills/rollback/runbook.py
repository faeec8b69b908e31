"""The drills' steps as typed functions over a ``DrillCase`` (steps/rollback_steps.py calls them).

Everything that changes the platform runs as a journaled activity of the drill; every
check after a change runs as a journaled verification, so the journal tells the whole story.
"""

from __future__ import annotations

import time
from typing import Any

from golive.canary.world import CanaryWorld
from golive.drills.rollback import incidents, money
from golive.drills.rollback.case import DrillCase
from golive.drills.rollback.deploy import migration_output
from golive.drills.rollback.schema import (
    LockHolder,
    MigrationLocks,
    MigrationWatcher,
    fingerprint_digest,
    schema_differences,
    schema_fingerprint,
)
from golive.drills.steady_state import Phase
from golive.errors import ExpectationFailed
from golive.invariants import Violation
from golive.money import Money
from golive.target import Deposit


def require_none(found: list[Violation] | list[str], what: str) -> int:
    """Raise naming the (first ten) findings; 0 when there are none (the journaled output)."""
    if found:
        raise ExpectationFailed(f"{what}: " + "; ".join(map(str, found[:10])))
    return 0


# -- the common frame ------------------------------------------------------------------------
def open_live_balances(case: DrillCase) -> None:
    prev = case.plan.previous

    def live() -> dict[str, Any]:
        seen = case.deployment.expect(app=prev.version, schema=prev.schema)
        worlds = case.notes["live"] = money.live_balances(case.new_world, case.psp)
        wallets = {w.w.account_id: str(Money(w.w.available, w.w.currency)) for w in worlds}
        return {"release": seen, "available": wallets}

    case.drill.act(f"open live balances on release {prev.version}", live)


def live_worlds(case: DrillCase) -> list[CanaryWorld]:
    worlds: list[CanaryWorld] = case.notes.get("live", [])
    if not worlds:
        raise ExpectationFailed("the drill has no live balances (add the Background step)")
    return worlds


def steady_state_before(case: DrillCase) -> None:
    case.psp.flush()
    if case.dsn:  # the schema before the change, for "the schema is exactly the one before"
        case.notes["schema"] = schema_fingerprint(case.dsn)
        case.drill.journal.context["schema_before"] = fingerprint_digest(case.notes["schema"])
    case.drill.require(Phase.BEFORE)


def steady_state_after_change(case: DrillCase) -> None:
    case.psp.flush()
    case.drill.require(Phase.AFTER_CHANGE)


def roll_back(case: DrillCase) -> None:
    case.drill.require_rolled_back()


def steady_state_back(case: DrillCase) -> None:
    case.drill.require_steady_state_back()


def within_target(case: DrillCase) -> None:
    case.drill.require_within_target()


def no_job_stuck(case: DrillCase) -> None:
    case.psp.flush()
    case.drill.verify(
        "no finance job stuck",
        lambda: require_none(money.pending_jobs(case.client, case.book), "finance jobs stuck"),
    )


def money_conserved(case: DrillCase) -> None:
    case.drill.verify(
        "money conserved and agrees with the PSP",
        lambda: require_none(money.conserved(case.book), "money not conserved"),
    )


def canary_on(case: DrillCase, which: str) -> None:
    release = case.plan.new if which == "new" else case.plan.previous
    case.drill.verify(
        f"canary money loop on release {release.version}",
        lambda: money.canary(case.new_world, case.psp, release.version),
    )


# -- release and roll back ---------------------------------------------------------------
def deploy_new_release(case: DrillCase) -> None:
    dep, plan = case.deployment, case.plan
    case.drill.change(
        f"deploy release {plan.new.version}: migrate to schema {plan.new.schema}, switch the app",
        lambda: dep.upgrade(plan),
        rollback=dep.rollback_actions(plan),
    )


def leave_money_in_flight(case: DrillCase) -> None:
    def leave() -> dict[str, int]:
        case.flight = money.leave_in_flight(live_worlds(case), case.psp)
        return case.flight.summary()

    case.drill.act("leave money in flight", leave)


def _flight(case: DrillCase) -> money.InFlight:
    if case.flight is None:
        raise ExpectationFailed("no money was left in flight in this drill")
    return case.flight


def runs_previous_release(case: DrillCase) -> None:
    plan = case.plan
    case.drill.verify(
        f"the platform runs release {plan.previous.version} on schema {plan.rollback_schema}",
        lambda: case.deployment.expect(app=plan.previous.version, schema=plan.rollback_schema),
    )


def schema_as_before(case: DrillCase) -> None:
    def same() -> str:
        now = schema_fingerprint(case.database)
        require_none(
            schema_differences(case.notes["schema"], now), "the schema differs from before"
        )
        return fingerprint_digest(now)

    if case.plan.rollback_schema != case.plan.previous.schema:
        raise ExpectationFailed(
            f"the drill rolls back to schema {case.plan.rollback_schema}, not the previous "
            f"release's schema {case.plan.previous.schema}: the schema cannot be as before"
        )
    case.drill.verify("the schema is the one before the release", same)


def holds_resolve(case: DrillCase) -> None:
    case.drill.verify("pending holds burn and release", lambda: money.resolve_holds(_flight(case)))


def deposits_credited(case: DrillCase) -> None:
    case.drill.verify(
        "pending deposits credited on confirmation",
        lambda: money.confirm_deposits(_flight(case), case.psp),
    )


def payouts_complete(case: DrillCase) -> None:
    case.drill.verify(
        "payouts in transit complete", lambda: money.complete_payouts(_flight(case), case.psp)
    )


# -- a failed upgrade ----------------------------------------------------------------------
def lock_a_migrated_table(case: DrillCase) -> None:
    def hold() -> dict[str, str]:
        holder = LockHolder(case.database, case.lock_table).hold()
        case.cleanups.append(holder.release)
        return {"locked": case.lock_table}

    case.drill.act(f"a long report holds a lock on {case.lock_table}", hold)


def deploy_fails_partway(case: DrillCase) -> None:
    dep, plan = case.deployment, case.plan
    with MigrationWatcher(case.database) as watcher:
        err = case.drill.attempt_change(
            f"deploy release {plan.new.version}: migrate to schema {plan.new.schema}, "
            "switch the app",
            lambda: dep.upgrade(plan),
            rollback=dep.rollback_actions(plan),
        )
    if err is None:
        raise ExpectationFailed(
            "the upgrade succeeded although a session held a lock on a table it alters: the "
            "failure was not injected, so the drill proves nothing"
        )
    if "lock timeout" not in migration_output(err):
        raise ExpectationFailed(f"the upgrade failed, but not on the lock timeout: {err}")
    case.drill.verify(
        "the migration stopped partway", lambda: _partway(watcher.locks, case.lock_table)
    )


def _partway(locks: MigrationLocks, locked: str) -> dict[str, object]:
    """It had altered other tables when it stopped, waiting for the locked one."""
    if locked not in locks.waited or not locks.held - {locked}:
        raise ExpectationFailed(
            f"the migration did not stop partway: it altered {sorted(locks.held)} and waited "
            f"for {sorted(locks.waited)} ({locks.samples} samples of its locks)"
        )
    return locks.to_dict()


# -- webhooks during the switch -------------------------------------------------------------
def deposits_confirmed_during_switch(case: DrillCase) -> None:
    def make() -> dict[str, int]:
        made = incidents.deposits_confirmed_during_switch(live_worlds(case), case.psp)
        case.notes["switch_deposits"] = made
        # every job of these deposits was opened before this moment: a retry after it plus the
        # confirmation window is late for the platform, whatever the speed of the machine
        case.notes["confirmations_late_at"] = time.monotonic() + case.late_webhook_s
        return {"deposits": len(made)}

    case.drill.act("deposits whose confirmations go out during the switch", make)


def roll_back_while_psp_delivers(case: DrillCase) -> None:
    case.deployment.during_downtime.append(lambda: incidents.deliver_now(case.psp))
    case.drill.require_rolled_back()


def psp_retries(case: DrillCase) -> None:
    """The retries reach the platform after its confirmation window (an outage outlasts it)."""

    def retry() -> dict[str, float]:
        late_at = case.notes.get("confirmations_late_at", 0.0)
        return {"waited_s": round(incidents.retry_deliveries(case.psp, late_at), 3)}

    case.drill.act("the payment providers retry, after the confirmation window", retry)


def _switch_deposits(case: DrillCase) -> list[tuple[CanaryWorld, Deposit]]:
    made: list[tuple[CanaryWorld, Deposit]] = case.notes.get("switch_deposits", [])
    if not made:
        raise ExpectationFailed("no deposit was made during the switch in this drill")
    return made


def deliveries_failed_then_retried(case: DrillCase) -> None:
    case.drill.verify(
        "deliveries failed while down, retries acknowledged",
        lambda: require_none(
            incidents.delivery_findings(case.psp, _switch_deposits(case)), "delivery"
        ),
    )


def credited_exactly_once(case: DrillCase) -> None:
    def once() -> dict[str, str]:
        statuses = incidents.credited_once(case.client, _switch_deposits(case))
        require_none(case.book.wallet_mismatches(), "deposits not credited exactly once")
        return statuses

    case.drill.verify("every deposit credited exactly once", once)
