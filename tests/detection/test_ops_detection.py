"""The ops suite (environment and hypercare features) catches the platform faults it
concerns, NO-GO naming the failing scenario, and passes (GO) with no fault."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

# fault → (-k selection of the scenarios it concerns, words of the failing scenario's name)
MATRIX = {
    "job-stuck-on-late-webhook": ("confirmed_late", "A payout confirmed late"),
    "webhook-double-credit": ("delivered_twice", "A deposit webhook delivered twice"),
}


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_fault_is_caught(golive_run, fault: str) -> None:  # type: ignore[no-untyped-def]
    selection, scenario = MATRIX[fault]
    golive_run("--suite", "ops", "-k", selection, fault=fault).assert_no_go(scenario)


def test_no_fault_is_go(golive_run) -> None:  # type: ignore[no-untyped-def]
    golive_run("--suite", "ops").assert_go()
