"""The SLO load phase and its gates."""

from __future__ import annotations

from pytest_bdd import then, when

from golive.canary.load import LoadResult, run_load, webhook_attempts
from golive.canary.psp_ops import PspOps
from golive.canary.slo import Judgement, MetricResult, judge_latency, judge_ratio
from golive.canary.world import CanaryWorld
from golive.config import load_config
from golive.errors import ExpectationFailed
from golive.evidence import (
    GateStatus,
    attach,
    record_gate,
    transcript_hooks,
    transcript_records,
)
from golive.monitoring.slis import RunSlis
from golive.stack import Stack

_GATE = {
    Judgement.PASS: GateStatus.PASS,
    Judgement.FAIL: GateStatus.FAIL,
    Judgement.NODATA: GateStatus.NODATA,
}


@when(
    "the configured number of concurrent money loops run to completion",
    target_fixture="load_result",
)
def when_load_phase(stack: Stack, psp_ops: PspOps) -> LoadResult:
    cfg = load_config().load

    def make_world() -> CanaryWorld:
        client = stack.open_target(event_hooks=transcript_hooks("platform"))
        return CanaryWorld(client, psp_ops)

    result = run_load(
        make_world,
        psp_ops,
        loops=cfg.loops,
        concurrency=cfg.concurrency,
        max_seconds=cfg.max_seconds,
    )
    for w in result.worlds:
        w.client.close()
    _attach_slis(result, psp_ops)
    return result


def _attach_slis(result: LoadResult, psp: PspOps) -> None:
    """The load window's SLIs in Prometheus' text format, `slis.prom` (docs/monitoring.md)."""
    slis = RunSlis(latency_target_s=load_config().slo.latency_p95_ms / 1000)
    for x in _window(result):
        slis.request(x.method, x.url, x.status, x.duration_ms / 1000)
    for _ in range(result.transport_errors):
        slis.request("ANY", "/unanswered", None, None)
    for a in webhook_attempts(psp, result.worlds):
        slis.delivery(int(a["status_code"]) if a.get("status_code") else None)
    attach("slis", slis.to_text(), "prom")


@then("every loop ends with its money accounted for")
def then_loops_conserved(load_result: LoadResult) -> None:
    if load_result.failures:
        raise ExpectationFailed(
            f"{len(load_result.failures)} finding(s) in {load_result.loops_run} loops:\n"
            + "\n".join(f"  {f}" for f in load_result.failures[:20])
        )


def _gate(result: MetricResult) -> None:
    record_gate(result.name, _GATE[result.judgement], value=result.shown, target=result.target,
                reason=f"{result.reason} ({result.samples} samples)", critical=True)  # fmt: skip
    if result.judgement is Judgement.FAIL:
        raise ExpectationFailed(f"{result.name}: {result.reason}; target {result.target}")


def _window(load_result: LoadResult) -> list:  # type: ignore[type-arg]
    return [
        x for x in transcript_records("platform")
        if load_result.started <= x.started_at <= load_result.loops_finished
    ]  # fmt: skip


@then("API latency at the 95th percentile is within target")
def then_latency(load_result: LoadResult) -> None:
    slo = load_config().slo
    _gate(
        judge_latency(
            [x.duration_ms for x in _window(load_result)], slo.latency_p95_ms, slo.min_samples
        )
    )


@then("availability is within target")
def then_availability(load_result: LoadResult) -> None:
    slo = load_config().slo
    window = _window(load_result)
    good = sum(1 for x in window if x.status < 500)
    total = len(window) + load_result.transport_errors  # requests that got no answer at all
    _gate(judge_ratio("Availability", good, total, slo.availability, slo.min_samples, strict=False))


@then("webhook delivery success is within target")
def then_webhook_success(load_result: LoadResult, psp_ops: PspOps) -> None:
    slo = load_config().slo
    attempts = webhook_attempts(psp_ops, load_result.worlds)
    good = sum(1 for a in attempts if 200 <= int(a.get("status_code") or 0) < 300)  # type: ignore[call-overload]
    _gate(
        judge_ratio(
            "Webhook success",
            good,
            len(attempts),
            slo.webhook_success,
            slo.min_samples,
            strict=True,
        )
    )
