"""A run's SLIs as Prometheus text: promtool accepts them, and the numbers are the run's."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from golive.evidence.verify import verify_run
from golive.monitoring.slis import RunSlis, operation

ROOT = Path(__file__).resolve().parents[2]


def _sample_run() -> RunSlis:
    s = RunSlis(latency_target_s=0.5)
    for i in range(40):
        s.request("POST", f"http://127.0.0.1:8000/accounts/{i:032x}/holds", 201, 0.01 * i)
    s.request("POST", "/withdrawals", 503, 0.2)
    s.request("POST", "/withdrawals", None, None)  # no answer: counted, no latency
    s.request("GET", "/accounts/acct_0123456789/balance?currency=EUR", 404, 0.004)
    for status in (200, 200, 200, 401, 500, None):
        s.delivery(status)
    s.payout(True)
    s.payout(False)
    return s


def test_promtool_accepts_the_slis(promtool) -> None:  # type: ignore[no-untyped-def]
    res = promtool("check", "metrics", stdin=_sample_run().to_text())
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_numbers_are_the_runs() -> None:
    families = {f.name: f for f in text_string_to_metric_families(_sample_run().to_text())}
    req = {
        (s.labels["operation"], s.labels["outcome"]): s.value
        for s in families["golive_platform_requests"].samples
    }
    assert req == {
        ("POST /accounts/{id}/holds", "success"): 40,
        ("POST /withdrawals", "server_error"): 1,
        ("POST /withdrawals", "no_answer"): 1,
        ("GET /accounts/{id}/balance", "client_error"): 1,
    }
    holds = [
        s for s in families["golive_platform_request_duration_seconds"].samples
        if s.labels.get("operation") == "POST /accounts/{id}/holds"
    ]  # fmt: skip
    buckets = {s.labels["le"]: s.value for s in holds if s.name.endswith("_bucket")}
    assert buckets["0.5"] == 40  # the latency target is a bucket edge: 0.00 … 0.39 s
    assert buckets["0.1"] == 11  # 0.00 … 0.10 s
    assert buckets["+Inf"] == 40
    hooks = {s.labels["outcome"]: s.value for s in families["golive_webhook_deliveries"].samples}
    assert hooks == {"acknowledged": 3, "rejected": 1, "failed": 2}
    pay = {s.labels["within_sla"]: s.value for s in families["golive_payouts_settled"].samples}
    assert pay == {"true": 1, "false": 1}


def test_operation_labels_stay_bounded() -> None:
    assert operation("post", "http://h:1/accounts/123/holds/456/burn") == (
        "POST /accounts/{id}/holds/{id}/burn"
    )
    assert operation("GET", "/jobs?state=pending") == "GET /jobs"
    assert operation("GET", "/health") == "GET /health"


def _slo_run(promtool, tmp_path: Path, code: int, *args: str):  # type: ignore[no-untyped-def]
    """The canary's SLO scenario through the CLI: its exit ``code``, a valid signed folder
    whose slis.prom promtool accepts. (console output, gates by name, platform requests)"""
    out = tmp_path / "reports"
    cmd = [sys.executable, "-m", "golive", "run", "--suite", "canary", "-k", "service_level",
           "--postgres", "local", "--out", str(out), *args]  # fmt: skip
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert res.returncode == code, res.stdout + res.stderr
    [run] = [p for p in out.iterdir() if p.is_dir()]
    assert verify_run(run).ok
    [prom] = list(run.glob("attachments/*-slis.prom"))
    check = promtool("check", "metrics", stdin=prom.read_text())
    assert check.returncode == 0, check.stdout + check.stderr
    families = {f.name: f for f in text_string_to_metric_families(prom.read_text())}
    requests = int(sum(s.value for s in families["golive_platform_requests"].samples))
    gates = {g["name"]: g for g in json.loads((run / "results.json").read_text())["gates"]}
    return res, gates, requests


@pytest.mark.slow
def test_a_canary_run_writes_its_slis_in_the_signed_folder(promtool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The SLO scenario's window, as the gates judged it, in slis.prom (promtool accepts it)."""
    _, gates, requests = _slo_run(promtool, tmp_path, 0)
    assert f"({requests} samples)" in gates["Availability"]["reason"]


SLO_GATES = ("API latency p95", "Availability", "Webhook success")


@pytest.mark.slow
def test_a_short_canary_run_is_inconclusive_and_its_slis_check_clean(promtool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Five loops cannot prove the targets: INCONCLUSIVE, each SLO gate naming the samples it
    misses; the window's slis.prom, as the gates judged it, passes promtool."""
    config = tmp_path / "golive.toml"
    config.write_text("[load]\nloops = 5\n")
    res, gates, requests = _slo_run(promtool, tmp_path, 3, "--config", str(config))
    assert {gates[name]["status"] for name in SLO_GATES} == {"NODATA"}
    assert gates["Availability"]["value"].endswith(f", {requests} samples)")
    assert re.search(r"2995 samples in all \(\d+ more\)", gates["Availability"]["reason"])
    for name in SLO_GATES:
        assert re.search(r"in all \(\d+ more\)", gates[name]["reason"]), gates[name]["reason"]
        assert re.search(r"\d+ samples", gates[name]["value"]), gates[name]["value"]
        assert f"{name}: {gates[name]['value']}" in res.stderr  # the console lists the gates
