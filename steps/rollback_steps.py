"""Deploying, rolling back and operating the platform: the rollback drills' steps.

Each step calls one function of golive.drills.rollback.runbook(_ops) with the drill's
case (the ``drill_case`` fixture of features/rollback/conftest.py). The drills' typed
options (golive.drills.rollback.options) are registered here, a plugin of the root conftest.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, then, when

from golive.drills.rollback import runbook as rb
from golive.drills.rollback import runbook_ops as ops
from golive.drills.rollback.case import DrillCase
from golive.drills.rollback.options import add_options


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


# -- the frame of every drill ---------------------------------------------------------------
@given("the platform runs the previous release with live balances")
def given_previous_release_live(drill_case: DrillCase) -> None:
    rb.open_live_balances(drill_case)


@given(
    "the platform has answered requests made with idempotency keys, to be retried after the change"
)
def given_requests_remembered(drill_case: DrillCase) -> None:
    case = drill_case
    case.drill.act(
        "make requests with idempotency keys, to retry after the change",
        lambda: case.memory.record(case.client, case.psp.deliver_due),
    )


@given("the steady state holds before the change")
def given_steady_state(drill_case: DrillCase) -> None:
    rb.steady_state_before(drill_case)


@then("the steady state still holds after the change")
def then_steady_after_change(drill_case: DrillCase) -> None:
    rb.steady_state_after_change(drill_case)


@then("the steady state is back, with the effects of the completed operations")
def then_steady_state_back(drill_case: DrillCase) -> None:
    rb.steady_state_back(drill_case)


@then("the rollback finished within the rollback time target")
def then_within_target(drill_case: DrillCase) -> None:
    rb.within_target(drill_case)


@then("no finance job is stuck")
def then_no_job_stuck(drill_case: DrillCase) -> None:
    rb.no_job_stuck(drill_case)


@then("money is conserved in every wallet and agrees with the payment provider")
def then_money_conserved(drill_case: DrillCase) -> None:
    rb.money_conserved(drill_case)


@then(parsers.parse("the canary money loop passes on the {which} release"))
def then_canary_passes(drill_case: DrillCase, which: str) -> None:
    rb.canary_on(drill_case, "new" if which == "new" else "previous")


# -- release and roll back ---------------------------------------------------------------
@when("the new release is deployed: the schema is migrated, then the app is switched")
def when_new_release_deployed(drill_case: DrillCase) -> None:
    rb.deploy_new_release(drill_case)


@when("money is left in flight: pending holds, pending deposits and payouts in transit")
def when_money_in_flight(drill_case: DrillCase) -> None:
    rb.leave_money_in_flight(drill_case)


@when("the new release is rolled back to the previous release")
@when("the failed upgrade is rolled back to the previous release")
def when_rolled_back(drill_case: DrillCase) -> None:
    rb.roll_back(drill_case)


@then("the platform runs the previous release on the schema it was rolled back to")
def then_runs_previous_release(drill_case: DrillCase) -> None:
    rb.runs_previous_release(drill_case)


@then("the schema is exactly the one before the release")
def then_schema_as_before(drill_case: DrillCase) -> None:
    rb.schema_as_before(drill_case)


@then("the pending holds can still be burned or released")
def then_holds_resolve(drill_case: DrillCase) -> None:
    rb.holds_resolve(drill_case)


@then("the pending deposits are credited when the payment provider confirms them")
def then_deposits_credited(drill_case: DrillCase) -> None:
    rb.deposits_credited(drill_case)


@then("the payouts in transit complete")
def then_payouts_complete(drill_case: DrillCase) -> None:
    rb.payouts_complete(drill_case)


# -- a failed upgrade ----------------------------------------------------------------------
@given("a long report holds a lock on a table the migration alters")
def given_lock_held(drill_case: DrillCase) -> None:
    rb.lock_a_migrated_table(drill_case)


@when("the new release is deployed and its schema migration fails partway on the lock")
def when_upgrade_fails(drill_case: DrillCase) -> None:
    rb.deploy_fails_partway(drill_case)


# -- webhooks during the switch -------------------------------------------------------------
@when(
    "customers deposit through both payment providers, whose confirmations go out during "
    "the switch, each twice"
)
def when_deposits_during_switch(drill_case: DrillCase) -> None:
    rb.deposits_confirmed_during_switch(drill_case)


@when("the new release is rolled back while the payment providers deliver the confirmations")
def when_rolled_back_during_delivery(drill_case: DrillCase) -> None:
    rb.roll_back_while_psp_delivers(drill_case)


@when("the payment providers retry their deliveries")
def when_psp_retry(drill_case: DrillCase) -> None:
    rb.psp_retries(drill_case)


@then(
    "the payment providers' first deliveries failed while the platform was down and their "
    "retries were acknowledged"
)
def then_deliveries_retried(drill_case: DrillCase) -> None:
    rb.deliveries_failed_then_retried(drill_case)


@then("each deposit made during the switch is credited exactly once")
def then_credited_once(drill_case: DrillCase) -> None:
    rb.credited_exactly_once(drill_case)


# -- PSP failover ---------------------------------------------------------------------------
@given(parsers.parse("the platform routes new deposits and payouts to {provider}"))
def given_routes_to(drill_case: DrillCase, provider: str) -> None:
    ops.routes_to(drill_case, provider)


@when(parsers.parse("{provider} fails and answers every request with a server error"))
def when_provider_fails(drill_case: DrillCase, provider: str) -> None:
    ops.provider_fails(drill_case, provider)


@then(
    parsers.parse("a deposit and a withdrawal routed to {provider} are refused and move no money")
)
def then_refused_at_failed(drill_case: DrillCase, provider: str) -> None:
    ops.refused_at_failed_provider(drill_case)


@when(parsers.parse("the operator routes new deposits and payouts to {provider}"))
def when_failover(drill_case: DrillCase, provider: str) -> None:
    ops.failover_to(drill_case, provider)


@then(parsers.parse("new deposits and payouts go through {provider} and complete"))
def then_through_provider(drill_case: DrillCase, provider: str) -> None:
    ops.deposits_and_payouts_through(drill_case, provider)


@when(parsers.parse("{provider} recovers and the operator routes deposits and payouts back to it"))
def when_route_back(drill_case: DrillCase, provider: str) -> None:
    ops.recover_and_route_back(drill_case, provider)


@then("no payout was made twice")
def then_no_payout_twice(drill_case: DrillCase) -> None:
    ops.no_payout_twice(drill_case)


# -- the kill switch -----------------------------------------------------------------------
@when("customers withdraw concurrently and the operator switches withdrawals off mid-flight")
def when_kill_switch(drill_case: DrillCase) -> None:
    ops.withdraw_through_kill_switch(drill_case)


@then(
    "every withdrawal was either accepted in full or refused as switched off without moving money"
)
def then_accepted_or_refused(drill_case: DrillCase) -> None:
    ops.accepted_or_refused(drill_case)


@then("the withdrawals accepted before the switch complete")
def then_accepted_complete(drill_case: DrillCase) -> None:
    ops.accepted_complete(drill_case)


@when("the operator switches withdrawals back on")
def when_switch_back_on(drill_case: DrillCase) -> None:
    rb.roll_back(drill_case)


@then("a new withdrawal is accepted and completes")
def then_new_withdrawal(drill_case: DrillCase) -> None:
    ops.new_withdrawal_completes(drill_case)
