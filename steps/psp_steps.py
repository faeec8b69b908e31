"""The payment provider: faults it is told to have, its clock, and what it says it delivered."""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, parsers, then, when

from golive.canary.world import CanaryWorld
from golive.errors import ExpectationFailed
from golive.evidence import register_secret
from golive.psp.provider import DEFAULT

_FAILURES: dict[str, dict[str, Any]] = {
    "a 5xx error": {"fail_next_requests": 1},
    "a time-out": {"timeout_rate": 1.0, "timeout_ms": 1500},
}


@given("the payment provider will fail the next payout")
def given_fail_next_payout(world: CanaryWorld) -> None:
    world.psp.set_faults(fail_next_payouts=1)


@given("the payment provider will decline the next payment")
def given_decline_next_payment(world: CanaryWorld) -> None:
    world.psp.set_faults(decline_next_payments=1)


@given(parsers.parse("the payment provider will deliver every webhook {times:d} times"))
def given_duplicates(world: CanaryWorld, times: int) -> None:
    world.psp.set_faults(duplicate_webhooks=times - 1)


@given("the payment provider will deliver webhooks out of order")
def given_reordered(world: CanaryWorld) -> None:
    world.psp.set_faults(reorder_webhooks=True, reorder_window=3)


@given("the payment provider will sign webhooks with the wrong secret")
def given_bad_signature(world: CanaryWorld) -> None:
    world.psp.set_faults(bad_signature=1.0)


@given("the payment provider will sign webhooks with a timestamp an hour old")
def given_stale_timestamp(world: CanaryWorld) -> None:
    world.psp.set_faults(stale_timestamp=1.0)


@given(parsers.parse("the payment provider will answer the next request with {failure}"))
def given_api_failure(world: CanaryWorld, failure: str) -> None:
    if failure not in _FAILURES:
        raise ValueError(f"unknown PSP failure {failure!r}: use one of {', '.join(_FAILURES)}")
    world.psp.set_faults(**_FAILURES[failure])
    world.one_shot_faults = True


@given("the payment provider holds webhooks back for a minute")
def given_webhook_delay(world: CanaryWorld) -> None:
    world.psp.set_faults(webhook_delay_s=60)


@given("the payment provider rotates its webhook secret and signs with the old and the new one")
def given_rotation(world: CanaryWorld) -> None:
    world.new_webhook_secret = world.psp.rotate_secret(DEFAULT)
    register_secret(world.new_webhook_secret)  # it goes to the platform: never in evidence


@when("a minute passes at the payment provider")
def when_minute_passes(world: CanaryWorld) -> None:
    world.psp.advance_clock(61, step=True)


@when("the payment provider retries its deliveries")
def when_psp_retries(world: CanaryWorld) -> None:
    world.psp.advance_clock(3 * 3600, step=True)
    world.settle_deposits()


@then("the payment provider delivered the deposit's webhook more than once")
def then_delivered_more_than_once(world: CanaryWorld) -> None:
    ok = [a for a in world.deposit_attempts() if 200 <= (a.get("status_code") or 0) < 300]
    if len(ok) < 2:
        raise ExpectationFailed(
            f"the PSP delivered the webhook {len(ok)} time(s); the scenario needs duplicates"
        )


@then("the payment provider retried the deposit's webhook")
def then_psp_retried(world: CanaryWorld) -> None:
    attempts = world.deposit_attempts()
    if len(attempts) < 2:
        raise ExpectationFailed(
            f"the PSP made {len(attempts)} delivery attempt(s), expected retries"
        )


@then("the payment provider could not deliver the deposit's webhook")
@then("the platform refused every delivery of the deposit's webhook")
def then_every_delivery_refused(world: CanaryWorld) -> None:
    attempts = world.deposit_attempts()
    accepted = [a for a in attempts if 200 <= (a.get("status_code") or 0) < 300]
    if not attempts:
        raise ExpectationFailed("the PSP made no delivery attempt for the deposit")
    if accepted:
        raise ExpectationFailed(
            f"{len(accepted)} of {len(attempts)} deliveries were acknowledged with a 2xx; "
            "every one should have been refused"
        )


@then("the payment provider charged the customer exactly once")
def then_charged_once(world: CanaryWorld) -> None:
    n = world.psp.succeeded_payments({d.id for d in world.deposits})
    if n != 1:
        raise ExpectationFailed(
            f"the PSP holds {n} succeeded payments for the customer's deposits, expected 1"
        )
