"""The exported SLO rules: promtool accepts them, and its rule tests prove the alerts fire on
synthetic incidents (a payout 5xx spike, webhook validation failures) and stay quiet without."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from golive.config import load_config
from golive.monitoring.dashboard import dashboard
from golive.monitoring.rules import Sources, rules_document

REQ = "golive_platform_requests_total"


DOC = rules_document(load_config(cwd=Path(__file__).parent), Sources())
ALERTS = {r["alert"]: r for g in DOC["groups"] for r in g["rules"] if "alert" in r}


def _export(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(DOC, sort_keys=False))
    return path


def _fires(name: str) -> list[dict[str, object]]:
    rule = ALERTS[name]
    return [{"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]}]


def _rule_test(tmp_path: Path, rules: Path, series: list[dict[str, str]],
               tests: list[dict[str, object]]) -> Path:  # fmt: skip
    doc = {
        "rule_files": [str(rules)],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": series, "alert_rule_test": tests}],
    }
    path = tmp_path / "rules_test.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_promtool_accepts_the_rules(promtool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = promtool("check", "rules", _export(tmp_path))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "SUCCESS" in res.stdout


def test_a_payout_5xx_spike_pages_and_a_quiet_hour_does_not(promtool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok = f'{REQ}{{operation="POST /withdrawals",outcome="success"}}'
    bad = f'{REQ}{{operation="POST /withdrawals",outcome="server_error"}}'
    series = [
        {"series": ok, "values": "0+100x180"},  # 100 requests a minute for 3 h
        {"series": bad, "values": "0+0x90 0+30x89"},  # none, then 30 a minute from 1h30
    ]
    tests = [
        {"eval_time": "80m", "alertname": "GolivePayoutErrorsSpike", "exp_alerts": []},
        {"eval_time": "80m", "alertname": "GoliveAvailabilityBudgetBurnFast", "exp_alerts": []},
        {"eval_time": "150m", "alertname": "GolivePayoutErrorsSpike",
         "exp_alerts": _fires("GolivePayoutErrorsSpike")},
        {"eval_time": "150m", "alertname": "GoliveAvailabilityBudgetBurnFast",
         "exp_alerts": _fires("GoliveAvailabilityBudgetBurnFast")},
    ]  # fmt: skip
    res = promtool("test", "rules", _rule_test(tmp_path, _export(tmp_path), series, tests))
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_rule_test_fails_when_an_alert_is_wrongly_expected(promtool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the same harness must be able to fail: a clean platform pages nobody
    series = [{"series": f'{REQ}{{operation="POST /withdrawals",outcome="success"}}',
               "values": "0+100x180"}]  # fmt: skip
    tests = [{"eval_time": "150m", "alertname": "GolivePayoutErrorsSpike",
              "exp_alerts": _fires("GolivePayoutErrorsSpike")}]  # fmt: skip
    res = promtool("test", "rules", _rule_test(tmp_path, _export(tmp_path), series, tests))
    assert res.returncode != 0


def test_webhook_validation_failures_above_one_percent_open_a_ticket(
    promtool, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    series = [
        {"series": 'golive_webhook_deliveries_total{outcome="acknowledged"}',
         "values": "0+98x120"},
        {"series": 'golive_webhook_deliveries_total{outcome="rejected"}', "values": "0+2x120"},
    ]  # fmt: skip
    tests = [
        {"eval_time": "5m", "alertname": "GoliveWebhookValidationFailures", "exp_alerts": []},
        {"eval_time": "60m", "alertname": "GoliveWebhookValidationFailures",
         "exp_alerts": _fires("GoliveWebhookValidationFailures")},
    ]  # fmt: skip
    res = promtool("test", "rules", _rule_test(tmp_path, _export(tmp_path), series, tests))
    assert res.returncode == 0, res.stdout + res.stderr


def test_dashboard_queries_are_valid_and_read_recorded_series(promtool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    board = dashboard(load_config(cwd=tmp_path))
    recorded = {r["record"] for g in rules_document(load_config(cwd=tmp_path), Sources())["groups"]
                for r in g["rules"] if "record" in r}  # fmt: skip
    exprs = [t["expr"] for p in board["panels"] for t in p["targets"]]
    assert exprs
    for expr in exprs:
        assert any(name in expr for name in recorded), expr
    # promtool parses PromQL in rule files: check the panels' queries that way
    as_rules = {"groups": [{"name": "panels", "rules": [
        {"record": f"panel:query{i}", "expr": e} for i, e in enumerate(exprs)]}]}  # fmt: skip
    path = tmp_path / "panels.yml"
    path.write_text(yaml.safe_dump(as_rules))
    res = promtool("check", "rules", path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_export_command_writes_rules_and_dashboard(tmp_path: Path) -> None:
    out = tmp_path / "monitoring"
    res = subprocess.run([sys.executable, "-m", "golive", "slo", "export", "--out", str(out)],
                         cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert res.returncode == 0, res.stderr
    rules = yaml.safe_load((out / "golive-slo-rules.yml").read_text())
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert alerts == ALERTS
    assert alerts["GolivePayoutErrorsSpike"]["labels"]["severity"] == "page"
    assert alerts["GoliveFinanceJobBacklog"]["labels"]["severity"] == "ticket"
    assert json.loads((out / "golive-slo-dashboard.json").read_text())["uid"] == "golive-slo"


def test_promtool_accepts_what_the_export_command_writes(promtool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "golive.toml").write_text("[slo]\navailability = 0.9995\nlatency_p95_ms = 250\n")
    out = tmp_path / "monitoring"
    res = subprocess.run([sys.executable, "-m", "golive", "slo", "export", "--out", str(out)],
                         cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert res.returncode == 0, res.stderr
    rules = out / "golive-slo-rules.yml"
    check = promtool("check", "rules", rules)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS" in check.stdout
    text = rules.read_text()  # the targets of this golive.toml, not the defaults
    assert "99.95%" in text
    assert "golive:latency:p95_seconds_rate5m > 0.25" in text
    # and a broken file is refused: the check can fail
    rules.write_text(rules.read_text().replace("expr: ", "expr: sum(", 1))
    assert promtool("check", "rules", rules).returncode != 0


@pytest.mark.parametrize(
    "args",
    [["--out", ""], ["--requests-metric", "not a metric", "--out", "x"]],
)
def test_export_bad_input_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    res = subprocess.run([sys.executable, "-m", "golive", "slo", "export", *args],
                         cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []
