"""Figures carry their unit, and the canary report's header is one field per line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from golive.canary.slo import Judgement, judge_latency, judge_ratio
from golive.evidence.keys import SigningKey
from golive.evidence.verdict import count, ms, percent, seconds

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
