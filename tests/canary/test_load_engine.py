"""The load engine against the embedded platform: Locust runs the money loops in its own
processes, and every loop, exchange and failure comes back (a few loops each)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from golive.canary.load import LoadResult, LoadTarget, run_load, webhook_attempts
from golive.canary.psp_ops import PspOps
from golive.stack import Stack
from golive.target import Target

pytestmark = pytest.mark.slow


@pytest.fixture
def client(stack: Stack) -> Iterator[Target]:
    target = stack.open_target()
    yield target
    getattr(target, "close", lambda: None)()


def _run(stack: Stack, psp: PspOps, client: Target, **kw: int | float) -> LoadResult:
    where = LoadTarget(stack.platform_url, stack.psp_url, stack.adapter)
    opts = {"concurrency": 2, "max_seconds": 60.0} | kw
    return run_load(where, psp, client, **opts)  # type: ignore[arg-type]


@pytest.mark.parametrize("workers", [1, 2])
def test_every_loop_comes_back_settled_and_counted(
    stack: Stack, psp_ops: PspOps, client: Target, workers: int
) -> None:
    result = _run(stack, psp_ops, client, loops=5, workers=workers)
    assert result.failures == []
    assert result.loops_run == 5
    assert len(result.worlds) == 5
    for world in result.worlds:
        assert world.w.credited == {d.id for d in world.deposits}  # its own webhook, credited
        assert world.w.paid == {w.id for w in world.withdrawals}  # settled after the load
    # each loop: account, deposit, credit poll(s), 2 holds, burn, release, withdrawal
    assert len(result.exchanges) >= 8 * 5
    assert result.locust_requests == len(result.exchanges)  # Locust counted what we recorded
    assert result.engine()["workers"] == workers
    attempts = webhook_attempts(psp_ops, result.worlds)
    assert len(attempts) >= 2 * 5  # a payment's and a payout's event per loop, at least
    assert psp_ops.faults()["*"]["webhook_delay_s"] == 2.0  # the baseline is back


def test_a_loop_the_platform_refuses_is_a_finding_not_a_lost_loop(
    stack: Stack, psp_ops: PspOps, client: Target
) -> None:
    psp_ops.set_faults(decline_next_payments=1)  # that loop's hold then finds no money
    result = _run(stack, psp_ops, client, loops=3)
    assert result.loops_run == 3
    assert len([f for f in result.failures if f.startswith("loop ")]) == 1, result.failures


def test_a_sized_phase_stops_at_its_time_bound(
    stack: Stack, psp_ops: PspOps, client: Target
) -> None:
    asked = []

    def more(r: LoadResult) -> int:
        asked.append(r.loops_run)
        return 1_000  # the gates always want more

    result = run_load(LoadTarget(stack.platform_url, stack.psp_url, stack.adapter), psp_ops,
                      client, loops=0, concurrency=2, max_seconds=3.0, more=more,
                      max_loops=5_000)  # fmt: skip
    assert result.loops_run < 1_000
    assert asked
    assert asked[0] == 12
