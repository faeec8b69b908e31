"""The properties catch each ledger fault they concern, and pass with no fault.

One stub PSP, one platform process and one Postgres instance serve the whole matrix: for
each fault the platform restarts on a fresh clone of the migrated database with the fault
switched on in its own environment. The properties are never told which fault is on.
Budgets are small and fixed (derandomized, no shrinking) so the matrix stays short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import Phase
from hypothesis.errors import FlakyFailure
from hypothesis.stateful import run_state_machine_as_test

from golive.canary.psp_ops import PspOps
from golive.driver import PlatformClient
from golive.errors import InvariantViolation
from golive.invariants.sql import REFERENCE_CHECKS, run_checks
from golive.postgres import Templates
from golive.properties import (
    BankConfig,
    LedgerMachine,
    PropertyContext,
    check_history,
    profile_settings,
    run_bank,
    run_bursts,
)
from golive.stack import Stack, embedded_stack, migrate

pytestmark = pytest.mark.slow

FAULT_ENV = "GOLIVE_PLATFORM_FAULTS"  # read by the platform only; set here for its process
# fault → the properties that concern it (each must fail)
MATRIX: dict[str, tuple[str, ...]] = {
    "transfer-not-atomic": ("machine", "workload"),
    "hold-race": ("machine", "workload"),
    "hold-overdraft": ("machine",),
    "hold-double-burn": ("machine", "workload"),
    "release-leak": ("machine",),
    "float-rounding": ("machine",),
}
MACHINE = profile_settings(
    "ci", max_examples=30, stateful_step_count=15, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate],
)  # fmt: skip
WORKLOAD = BankConfig(
    accounts=3, workers=4, ops_per_worker=30, max_seconds=20.0, seed=7, burst_every=5
)  # six bursts: each kind twice
# faults that only one new class of property catches (issue 21): same-key concurrency, the
# exact model; the SQL invariants and the old checks see nothing wrong
NEW_CLASSES: dict[str, str] = {
    "idempotency-check-then-act": "bursts",
    "fee-half-even": "machine",
}
FEE_MACHINE = profile_settings(
    "ci", max_examples=10, stateful_step_count=15, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate],
)  # fmt: skip


@pytest.fixture(scope="module")
def shared_stack(
    pg_templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    db = pg_templates.clone("refbank-schema-2", lambda dsn: migrate(dsn, "2"))
    log_dir: Path = tmp_path_factory.mktemp("detection-platform")
    with embedded_stack(db.dsn, app_version="2", log_dir=log_dir) as s:
        yield s


@pytest.fixture
def platform_with(
    shared_stack: Stack, pg_templates: Templates
) -> Iterator[Callable[[str | None], Stack]]:
    """Restart the platform with ``fault`` on, on a fresh copy of the migrated database."""
    made = []

    def switch(fault: str | None) -> Stack:
        db = pg_templates.clone("refbank-schema-2", lambda dsn: migrate(dsn, "2"))
        made.append(db)
        platform = shared_stack.platform
        assert platform is not None
        platform.dsn = shared_stack.database_dsn = db.dsn
        platform.extra_env[FAULT_ENV] = fault or ""
        platform.restart()
        return shared_stack

    yield switch
    for db in made:
        db.drop()


@pytest.fixture
def psp(shared_stack: Stack) -> Iterator[PspOps]:
    ops = PspOps(shared_stack.psp_url)
    ops.clear_faults()
    yield ops
    ops.clear_faults()
    ops.close()


def machine_finding(stack: Stack, psp: PspOps, budget: object = MACHINE) -> str | None:
    """What the state machine found (None: it passed). A harness crash is not a finding."""
    client = PlatformClient(stack.platform_url)
    try:
        probe = PropertyContext(client, psp)
        run_state_machine_as_test(lambda: LedgerMachine(probe), settings=budget)  # type: ignore[arg-type]
    except InvariantViolation as exc:
        return str(exc)
    except FlakyFailure as exc:  # found, then not again on the replay: still a finding
        found = [e for e in exc.exceptions if isinstance(e, InvariantViolation)]
        if not found:
            raise
        return str(found[0])
    finally:
        client.close()
    return None


def workload_finding(stack: Stack, psp: PspOps) -> str | None:
    history = run_bank(lambda: PlatformClient(stack.platform_url), psp, WORKLOAD)
    report = check_history(history)
    return None if report.ok else ", ".join(report.summary())


def sql_findings(stack: Stack) -> list[str]:
    assert stack.database_dsn is not None
    results = run_checks(stack.database_dsn, REFERENCE_CHECKS)
    assert [r.error for r in results if r.error] == []
    return [r.check.name for r in results if not r.passed]


PROPERTIES = {"machine": machine_finding, "workload": workload_finding}


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_fault_is_caught(
    platform_with: Callable[[str | None], Stack], psp: PspOps, fault: str
) -> None:
    stack = platform_with(fault)
    for name in MATRIX[fault]:
        finding = PROPERTIES[name](stack, psp)
        assert finding, f"the {name} property did not notice {fault}"
    assert sql_findings(stack), f"the SQL invariants did not notice {fault}"


def test_no_fault_passes(platform_with: Callable[[str | None], Stack], psp: PspOps) -> None:
    stack = platform_with(None)
    assert machine_finding(stack, psp) is None
    assert workload_finding(stack, psp) is None
    assert sql_findings(stack) == []


def bursts_finding(stack: Stack, psp: PspOps) -> str | None:
    found = run_bursts(lambda: PlatformClient(stack.platform_url), psp, only=("place_hold",))
    return ", ".join(sorted({a.kind for a in found})) or None


def fee_finding(stack: Stack, psp: PspOps) -> str | None:
    return machine_finding(stack, psp, FEE_MACHINE)


NEW_PROPERTIES = {"bursts": bursts_finding, "machine": fee_finding}


@pytest.mark.parametrize("fault", sorted(NEW_CLASSES))
def test_a_fault_only_a_new_class_catches(
    platform_with: Callable[[str | None], Stack], psp: PspOps, fault: str
) -> None:
    stack = platform_with(fault)
    finding = NEW_PROPERTIES[NEW_CLASSES[fault]](stack, psp)
    assert finding, f"the {NEW_CLASSES[fault]} property did not notice {fault}"
    assert sql_findings(stack) == [], f"the SQL invariants were expected to miss {fault}"


def test_the_new_classes_pass_with_no_fault(
    platform_with: Callable[[str | None], Stack], psp: PspOps
) -> None:
    stack = platform_with(None)
    assert bursts_finding(stack, psp) is None
    assert fee_finding(stack, psp) is None
