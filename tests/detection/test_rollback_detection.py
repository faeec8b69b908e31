"""The rollback drills catch each platform fault they concern (NO-GO, naming the failing
check), and all five pass (GO) against the platform with no fault.

Each run is the real CLI, `golive run --suite rollback`, in a subprocess whose environment
switches the fault on for the platform and its migration command; the drills are not told.
All runs share one Postgres instance (tests/detection/conftest.py).
"""

from __future__ import annotations

import json

import pytest

from golive.evidence.verify import verify_run

pytestmark = pytest.mark.slow

# fault → (-k selection of the drill it concerns, the check the NO-GO must name)
MATRIX = {
    "downgrade-drops-data": ("release_rollback", "every transaction balances"),
    "job-stuck-on-late-webhook": ("webhooks_during_switch", "no finance job stuck"),
    "webhook-double-credit": ("webhooks_during_switch", "every deposit credited exactly once"),
}
DRILLS = ("release_rollback", "failed_upgrade", "webhooks_during_switch", "psp_failover",
          "kill_switch")  # fmt: skip


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_fault_is_caught_and_the_failing_check_named(golive_run, fault: str) -> None:  # type: ignore[no-untyped-def]
    selection, check = MATRIX[fault]
    result = golive_run("--suite", "rollback", "-k", selection, fault=fault)
    assert result.code == 1, result.explain()
    assert result.verdict == "NO-GO", result.explain()
    gates = [r for r in result.reasons if "rollback drill:" in r]
    assert gates, result.explain()
    assert any(check in r for r in gates), result.explain()


def test_all_five_drills_pass_without_a_fault(golive_run) -> None:  # type: ignore[no-untyped-def]
    result = golive_run("--suite", "rollback")
    assert result.code == 0, result.explain()
    assert result.verdict == "GO", result.explain()
    assert result.run_dir is not None
    assert verify_run(result.run_dir).ok, verify_run(result.run_dir).problems
    journals = sorted(result.run_dir.glob("attachments/*rollback-journal-*.json"))
    names = {json.loads(p.read_text())["drill"].split("-")[0] for p in journals}
    assert names == set(DRILLS), names
    for path in journals:
        journal = json.loads(path.read_text())
        assert journal["status"] == "completed", journal["findings"]
        assert journal["rollback_seconds"] is not None
        phases = [s["phase"] for s in journal["steady_states"]]
        assert phases[0] == "before the change"
        assert phases[-1] == "after the rollback"
    [matrix] = result.run_dir.glob("attachments/*rollback-matrix.md")
    text = matrix.read_text()
    assert text.count("| completed, rolled back in") == len(DRILLS), text
