"""The SLO load phase and its gates."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from pytest_bdd import then, when

from golive.canary.load import LoadResult, LoadTarget, run_load, webhook_attempts
from golive.canary.psp_ops import PspOps
from golive.canary.slo import Judgement, MetricResult, judge_latency, judge_ratio
from golive.config import LOAD_WORKERS_ENV, LoadPhase, SloTargets, load_config
from golive.errors import ConfigError, ExpectationFailed
from golive.evidence import GateStatus, attach, record_gate, record_metadata, transcript_hooks
from golive.monitoring.slis import RunSlis
from golive.stack import Stack

_GATE = {
    Judgement.PASS: GateStatus.PASS,
    Judgement.FAIL: GateStatus.FAIL,
    Judgement.NODATA: GateStatus.NODATA,
}
TOP_UP = 24  # loops added when a gate's bounds straddle its target (no count can be named)


@dataclass
class Measured:
    """What the load phase's window holds, per SLI."""

    latencies_ms: list[float]
    requests_ok: int
    requests: int
    deliveries_ok: int
    deliveries: int


def _measure(load_result: LoadResult, psp: PspOps) -> Measured:
    window = load_result.exchanges  # the loops' own requests, as the load processes saw them
    attempts = load_result.attempts
    if attempts is None:  # while the phase runs (sizing): what has been delivered so far
        attempts = webhook_attempts(psp, load_result.worlds)
    # no answer at all counts too; and a request Locust counted that no record shows counts
    # as failed (the records are short, never the platform's failures)
    requests = max(len(window) + load_result.transport_errors, load_result.locust_requests)
    return Measured(
        latencies_ms=[x.duration_ms for x in window],
        requests_ok=sum(1 for x in window if x.status < 500),
        requests=requests,
        deliveries_ok=sum(1 for a in attempts if 200 <= int(a.get("status_code") or 0) < 300),
        deliveries=len(attempts),
    )


def _judge(m: Measured, slo: SloTargets) -> dict[str, MetricResult]:
    c, floor = slo.confidence, slo.min_samples
    return {
        "latency": judge_latency(m.latencies_ms, slo.latency_p95_ms, floor, c),
        "availability": judge_ratio("Availability", m.requests_ok, m.requests,
                                    slo.availability, floor, strict=False, confidence=c),
        "webhooks": judge_ratio("Webhook success", m.deliveries_ok, m.deliveries,
                                slo.webhook_success, floor, strict=True, confidence=c),
    }  # fmt: skip


def _loops_still_needed(load_result: LoadResult, psp: PspOps, slo: SloTargets) -> int:
    """How many more loops would let every gate be decided (0: each already can, one has
    failed, or more samples cannot help: the failure rate seen misses a target)."""
    m = _measure(load_result, psp)
    ran = max(load_result.loops_run, 1)
    samples = {"latency": len(m.latencies_ms), "availability": m.requests,
               "webhooks": m.deliveries}  # fmt: skip
    judged = _judge(m, slo)
    if any(res.judgement is Judgement.FAIL for res in judged.values()):
        return 0  # a gate that failed is NO-GO whatever the others find: stop the load
    wanted = 0
    for key, res in judged.items():
        if res.judgement is not Judgement.NODATA:
            continue
        per_loop = samples[key] / ran
        if res.needed is not None and per_loop > 0:
            wanted = max(wanted, math.ceil((res.needed - samples[key]) / per_loop * 1.1))
        elif res.needed is None and res.value is not None and res.samples > 0:
            continue  # at the rate seen no number of samples decides it: more cannot help
        else:
            wanted = max(wanted, TOP_UP)
    return wanted


@when(
    "the configured number of concurrent money loops run to completion",
    target_fixture="load_result",
)
def when_load_phase(stack: Stack, psp_ops: PspOps) -> LoadResult:
    cfg = load_config()
    # golive's own checks: in the transcripts, outside the measured exchanges
    client = stack.open_target(event_hooks=transcript_hooks("platform"))
    try:
        result = run_load(
            LoadTarget(stack.platform_url, stack.psp_url, stack.adapter),
            psp_ops,
            client,
            loops=cfg.load.loops,
            concurrency=cfg.load.concurrency,
            max_seconds=cfg.load.max_seconds,
            workers=load_workers(cfg.load),
            more=lambda r: _loops_still_needed(r, psp_ops, cfg.slo),
            max_loops=cfg.load.max_loops,
        )
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
    result.attempts = webhook_attempts(psp_ops, result.worlds)  # settled: read once
    record_metadata("load", result.engine())
    _attach_slis(result, cfg.slo)
    return result


def load_workers(load: LoadPhase) -> int:
    """Locust worker processes: ``golive run --load-workers N``, else [load] workers."""
    given = os.environ.get(LOAD_WORKERS_ENV, "").strip()
    if not given:
        return load.workers
    if not given.isdigit() or int(given) < 1:
        raise ConfigError(f"{LOAD_WORKERS_ENV}={given!r} must be a whole number of at least 1")
    return int(given)


def _attach_slis(result: LoadResult, slo: SloTargets) -> None:
    """The window's SLIs in Prometheus' text format (docs/monitoring.md)."""
    slis = RunSlis(latency_target_s=slo.latency_p95_ms / 1000)
    for x in result.exchanges:
        slis.request(x.method, x.url, x.status, x.duration_ms / 1000)
    for _ in range(result.transport_errors):
        slis.request("ANY", "/unanswered", None, None)
    for a in result.attempts or []:
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
                reason=f"{result.reason} ({result.samples} samples)", critical=True,
                statistic=result.statistic)  # fmt: skip
    if result.judgement is Judgement.FAIL:
        raise ExpectationFailed(f"{result.name}: {result.reason}; target {result.target}")


@then("API latency at the 95th percentile is within target")
def then_latency(load_result: LoadResult, psp_ops: PspOps) -> None:
    slo = load_config().slo
    _gate(judge_latency([x.duration_ms for x in load_result.exchanges], slo.latency_p95_ms,
                        slo.min_samples, slo.confidence))  # fmt: skip


@then("availability is within target")
def then_availability(load_result: LoadResult, psp_ops: PspOps) -> None:
    _gate(_judge(_measure(load_result, psp_ops), load_config().slo)["availability"])


@then("webhook delivery success is within target")
def then_webhook_success(load_result: LoadResult, psp_ops: PspOps) -> None:
    _gate(_judge(_measure(load_result, psp_ops), load_config().slo)["webhooks"])
