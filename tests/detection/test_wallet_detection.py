"""golive catches the hordak wallet's own seeded faults (examples/hordak-wallet/FAULTS.md):
with a fault given to start.sh, the suite that should catch it is NO-GO with a reason naming
the broken behaviour. golive is never told which fault is on: only the wallet reads
HORDAK_WALLET_FAULTS."""

from __future__ import annotations

import pytest

from tests.examples.wallet import needs_postgres, running_wallet, verdict_lines

pytestmark = [pytest.mark.slow, needs_postgres]

# fault → (suite, -k selection, the failing scenario's words, words of the broken behaviour)
MATRIX = {
    # "12.29" goes through float and is cut to 12.28: a cent too little is captured
    "float-amounts": ("canary", "money_loop and stripe and EUR", "The money loop",
                      "shows available/held/pending = 57.72"),
    # the post_save receiver runs twice: a 100.00 top-up credits 200.00
    "signal-double-credit": ("canary", "money_loop and stripe and EUR", "The money loop",
                             "shows available/held/pending = 200.00"),
    # construct_event(tolerance=None): an hour-old, validly signed event is accepted
    "webhook-replay-window": ("canary", "replay", "stale timestamp",
                              "were acknowledged with a 2xx"),
    # the release-2 migration's reverse deletes the reservations carrying a fee quote
    "lossy-downgrade": ("rollback", "release_rollback", "The new release is rolled back",
                        "pending holds burn and release"),
    # two transfers at once both spend the same money: the account goes below zero (and the
    # wallet answers 500 on it from then on); caught by the workload's transfer burst
    "non-atomic-transfer": ("properties", "bank_workload", "concurrent bank workload",
                            "target 0 anomalies"),
}  # fmt: skip


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_wallet_fault_is_caught(fault: str) -> None:
    suite, selection, scenario, behaviour = MATRIX[fault]
    with running_wallet(fault) as wallet:
        run = wallet.golive_run(suite, selection, timeout=600)
    said = verdict_lines(run)
    assert run.returncode == 1, said
    assert "VERDICT: NO-GO" in said, said
    assert scenario in said, said
    assert behaviour in said, said
