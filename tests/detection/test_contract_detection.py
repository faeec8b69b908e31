"""The contract's limit scenario catches a platform whose balances pass 2^63-1 (NO-GO naming
it), and is GO on the platform without the fault. The wallets near the limit are booked by
the embedded platform's `seed_balance` operation (`golive platform seed-balance`)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

FAULT = "balance-numeric"
SELECTION = "seed_balance"  # features/contract/limits.feature
SCENARIO = "past the largest balance"


def test_fault_is_caught(golive_run) -> None:  # type: ignore[no-untyped-def]
    golive_run("--suite", "full", "-k", SELECTION, fault=FAULT).assert_no_go(SCENARIO)


def test_no_fault_is_go(golive_run) -> None:  # type: ignore[no-untyped-def]
    golive_run("--suite", "full", "-k", SELECTION).assert_go()
