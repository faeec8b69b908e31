"""The canary and webhook suites catch each platform fault they concern (NO-GO, naming the
failing scenario), and pass (GO) against the platform with no fault."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

# fault → (-k selection of the scenarios it concerns, words of the failing scenario's name)
MATRIX = {
    "webhook-double-credit": ("duplicates", "delivered several times"),
    "webhook-signature-unchecked": ("forged", "wrongly signed"),
    "webhook-stale-accepted": ("replay", "stale timestamp"),
    "braintree-signature-unchecked": ("forged and braintree", "wrongly signed"),
    "hold-overdraft": ("overdraft", "larger than the available balance"),
    "hold-double-burn": ("double_burn", "cannot be burned or released again"),
    "release-leak": ("money_loop and stripe and EUR", "The money loop"),
    "payout-failure-not-refunded": ("payout_failure and stripe", "A failed payout"),
    "float-rounding": ("money_loop and USD", "The money loop"),
    "idempotency-ignored": ("idempotency", "same idempotency key"),
    "slow-endpoint": ("slo", "service level objectives"),
    "currency-mismatch-accepted": ("currency", "another currency"),
}


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_fault_is_caught(golive_run, fault: str) -> None:  # type: ignore[no-untyped-def]
    selection, scenario = MATRIX[fault]
    golive_run("--suite", "canary", "-k", selection, fault=fault).assert_no_go(scenario)


def test_no_fault_is_go(golive_run) -> None:  # type: ignore[no-untyped-def]
    golive_run("--suite", "canary").assert_go()
