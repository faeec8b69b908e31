"""The operator drills' steps: PSP failover and the withdrawal kill switch."""

from __future__ import annotations

from typing import Any

from golive.drills.rollback import incidents
from golive.drills.rollback.case import DrillCase
from golive.drills.rollback.drill import RollbackAction
from golive.drills.rollback.runbook import live_worlds, require_none
from golive.errors import ExpectationFailed
from golive.psp.provider import SHARED


# -- PSP failover ---------------------------------------------------------------------------
def _failover(case: DrillCase) -> incidents.Failover:
    found = case.notes.get("failover")
    if not isinstance(found, incidents.Failover):
        raise ExpectationFailed("no primary payment provider was set in this drill")
    return found


def routes_to(case: DrillCase, provider: str) -> None:
    backup = next(p for p in SHARED if p != provider)  # the other shared provider
    case.notes["failover"] = incidents.Failover(provider, backup)
    case.drill.act(f"route to {provider}", lambda: incidents.route(case.client, provider))


def provider_fails(case: DrillCase, provider: str) -> None:
    fo = _failover(case)
    if provider != fo.primary:
        raise ExpectationFailed(f"{provider} is not the primary ({fo.primary}) in this drill")
    case.drill.change(
        f"{provider} fails: every request answered with a server error",
        lambda: case.psp.set_faults(provider=provider, error_rate_5xx=1.0),
        rollback=[
            RollbackAction(
                f"route back to {provider}", lambda: incidents.route(case.client, provider)
            ),
            RollbackAction(f"{provider} recovers", lambda: case.psp.clear_faults(provider)),
        ],
    )  # registered first, run last: the provider recovers, then traffic goes back to it


def recover_and_route_back(case: DrillCase, provider: str) -> None:
    if provider != _failover(case).primary:
        raise ExpectationFailed(f"{provider} is not the primary that failed in this drill")
    case.drill.require_rolled_back()


def refused_at_failed_provider(case: DrillCase) -> None:
    fo = _failover(case)
    world = live_worlds(case)[0]
    case.drill.verify(
        f"requests routed to the failed {fo.primary} are refused",
        lambda: incidents.refused_by_failed_provider(world, fo),
    )


def failover_to(case: DrillCase, provider: str) -> None:
    case.drill.act(f"fail over to {provider}", lambda: incidents.route(case.client, provider))


def deposits_and_payouts_through(case: DrillCase, provider: str) -> None:
    world = live_worlds(case)[1]
    case.drill.verify(
        f"deposits and payouts through {provider}", lambda: incidents.through(world, provider)
    )


def no_payout_twice(case: DrillCase) -> None:
    fo = _failover(case)
    case.drill.verify(
        "no payout made twice",
        lambda: require_none(
            incidents.payouts_made_twice(case.psp, case.book.funded(), fo), "payouts made twice"
        ),
    )


# -- the kill switch -----------------------------------------------------------------------
def _switch(case: DrillCase, enabled: bool) -> dict[str, Any]:
    case.client.update_settings(withdrawals_enabled=enabled)
    seen = case.client.settings()
    if seen.withdrawals_enabled is not enabled:
        raise ExpectationFailed(f"withdrawals_enabled is {seen.withdrawals_enabled!r}")
    return {"withdrawals_enabled": enabled}


def withdraw_through_kill_switch(case: DrillCase) -> None:
    worlds = live_worlds(case)

    def switch_off() -> None:
        case.drill.change(
            "switch withdrawals off",
            lambda: _switch(case, False),
            rollback=[RollbackAction("switch withdrawals back on", lambda: _switch(case, True))],
        )

    def run() -> dict[str, int]:
        case.notes["kill_switch"] = incidents.withdraw_through_switch(worlds, switch_off)
        return case.notes["kill_switch"].summary()  # type: ignore[no-any-return]

    case.drill.act("customers withdraw while the switch goes off", run)


def _run(case: DrillCase) -> incidents.KillSwitchRun:
    found = case.notes.get("kill_switch")
    if not isinstance(found, incidents.KillSwitchRun):
        raise ExpectationFailed("no withdrawals ran through the kill switch in this drill")
    return found


def accepted_or_refused(case: DrillCase) -> None:
    def check() -> dict[str, int]:
        run = _run(case)
        require_none(incidents.switch_findings(run), "the kill switch")
        require_none(case.book.wallet_mismatches(), "refused withdrawals moved money")
        return run.summary()

    case.drill.verify("every withdrawal accepted in full or refused with no effect", check)


def accepted_complete(case: DrillCase) -> None:
    def paid() -> dict[str, str]:
        case.psp.pass_payout_arrival()
        out = {}
        for a in _run(case).accepted:
            assert a.withdrawal is not None
            a.world.settle_payouts(advance=False)
            wid = a.withdrawal.id
            out[wid] = a.world.client.get_withdrawal(wid).status
        unpaid = {k: v for k, v in out.items() if v != "paid"}
        if unpaid:
            raise ExpectationFailed(
                f"withdrawals accepted before the switch did not complete: {unpaid}"
            )
        return out

    case.drill.verify("accepted withdrawals complete", paid)


def new_withdrawal_completes(case: DrillCase) -> None:
    world = live_worlds(case)[2]

    def one() -> str:
        from golive.money import Money

        cur = world.w.currency
        wd = world.withdraw(Money.whole(7, cur), None)
        world.settle_payouts()
        if wd.id not in world.w.paid:
            raise ExpectationFailed(f"the new withdrawal {wd.id} did not complete")
        return wd.id

    case.drill.verify("a new withdrawal is accepted and completes", one)
