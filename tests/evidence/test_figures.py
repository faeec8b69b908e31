"""Figures carry their unit, and the canary report's header is one field per line."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from golive.canary.slo import Judgement, judge_latency, judge_ratio
from golive.evidence.ciformats import gate_message
from golive.evidence.keys import SigningKey
from golive.evidence.recorder import Recorder
from golive.evidence.verdict import Gate, GateStatus, count, ms, percent, seconds
from golive.evidence.verify import verify_run
from golive.run.console import print_verdict

from .conftest import build_bundle

UNIT = re.compile(r"^-?\d+(\.\d+)? (ms|s|%|[a-zA-Z].*)( \(.*\))?$")  # a bound may follow


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (ms(24.64), "24.6 ms"),
        (seconds(3.25), "3.2 s"),
        (seconds(0.1234, 3), "0.123 s"),
        (percent(1.0), "100.00 %"),
        (percent(0.999), "99.90 %"),
        (percent(0.99999), "99.99 %"),  # not rounded up to a perfect score
        (count(1, "finding"), "1 finding"),
        (count(3, "anomaly", "anomalies"), "3 anomalies"),
    ],
)
def test_formatters(shown: str, expected: str) -> None:
    assert shown == expected


def test_slo_gates_show_their_unit() -> None:
    latency = judge_latency([10.0, 20.0, 24.64], target_ms=500, min_samples=3)
    assert latency.shown == "24.6 ms (3 samples: too few for a 95% upper bound)"
    availability = judge_ratio("Availability", 3000, 3000, 0.999, 10, strict=False)
    assert (availability.judgement, availability.shown) == (
        Judgement.PASS, "100.00 % (95% lower bound 99.90 %, 3000 samples)")  # fmt: skip
    assert availability.target == "≥ 99.90 %"
    nodata = judge_ratio("Webhook success", 0, 0, 0.995, 10, strict=True)
    assert nodata.shown == "0 samples"
    for shown in (latency.shown, availability.shown, nodata.shown):
        assert UNIT.match(shown), shown


def test_canary_report_header_renders_one_field_per_line(run: Path) -> None:
    md = (run / "canary_report.md").read_text()
    html = MarkdownIt("commonmark").enable("table").render(md)
    header = html.split("<h2>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", header, re.S)
    fields = [re.sub(r"<[^>]+>", "", r).split()[0] for r in rows[1:]]
    assert fields == ["Date", "Release", "Environment", "Phase", "Target", "Run"]


@pytest.fixture
def run(tmp_path: Path, signing_key: SigningKey) -> Path:
    return build_bundle(tmp_path / "reports", signing_key)


def test_an_slo_gate_shows_estimate_bound_samples_and_unit_in_every_view(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    latency = judge_latency([float(i % 40) for i in range(600)], 500, 50)
    availability = judge_ratio("Availability", 1000, 1000, 0.999, 50, strict=False)
    slos = [latency, availability]

    def record(rec: Recorder) -> None:
        for r in slos:
            status = GateStatus.PASS if r.judgement is Judgement.PASS else GateStatus.NODATA
            rec.record_gate(r.name, status, value=r.shown, target=r.target, reason=r.reason,
                            statistic=r.statistic)  # fmt: skip

    run = build_bundle(tmp_path / "reports", signing_key, recording=record)
    gates = {g["name"]: g for g in json.loads((run / "results.json").read_text())["gates"]}
    shown = gates["Availability"]["value"]
    assert shown == "100.00 % (95% lower bound 99.70 %, 1000 samples)"
    assert gates["Availability"]["statistic"] == {
        "unit": "share", "estimate": 1.0, "bound": pytest.approx(0.05 ** (1 / 1000)),
        "side": "lower", "confidence": 0.95, "samples": 1000, "needed": 2995,
    }  # fmt: skip
    assert gates["API latency p95"]["value"] == "37.0 ms (95% upper bound 38.0 ms, 600 samples)"
    assert gates["API latency p95"]["statistic"]["unit"] == "ms"
    assert "statistic" not in gates["p95 latency"]  # a gate not judged on samples
    assert verify_run(run).ok
    for view in ("report.html", "canary_report.md"):
        text = (run / view).read_text()
        for r in slos:
            assert r.shown in text, (view, r.shown)
    # JUnit, Allure and Cucumber word a gate with gate_message; the verdict reasons likewise
    message = gate_message(Gate.from_dict(gates["Availability"]))
    assert f"(measured {shown}, target ≥ 99.90 %)" in message
    manifest = json.loads((run / "manifest.json").read_text())
    assert any(f"measured {shown}" in reason for reason in manifest["verdict"]["reasons"])
    console = Console(record=True, width=200, file=io.StringIO())
    print_verdict(console, run, manifest["verdict"]["verdict"], verbose=False)
    text = console.export_text()
    assert f"NODATA Availability: {shown}; target ≥ 99.90 %" in text
    assert f"PASS   API latency p95: {latency.shown}; target p95 < 500 ms" in text
