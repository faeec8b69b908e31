"""junit.xml, cucumber.json and allure-results/ carry golive's meaning: scenario titles,
every collected test, the gates and a verdict; an interrupted run never looks green."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped, TestCase

from golive.evidence.keys import SigningKey
from golive.evidence.verify import verify_run

from .conftest import build_bundle, only_run

FEATURE = """\
Feature: Payouts
  Scenario Outline: A payout through <psp>
    Given a wallet funded through <psp>
    When a payout of 10 EUR is sent
    Then the payout is paid

    Examples:
      | psp    |
      | stripe |
      | adyen  |
"""

STEPS = """\
import httpx
from pytest_bdd import given, parsers, scenarios, then, when
from golive.evidence import GateStatus, attach, record_gate, record_metadata, transcript_hooks

scenarios("payouts.feature")


class Wallet:
    def __repr__(self):
        return "Wallet(FIXTURE-REPR-MARKER)"


@given(parsers.parse("a wallet funded through {psp}"), target_fixture="wallet")
def given_wallet(psp):
    record_metadata("release", "rc-42")
    record_metadata("target", {"name": "refbank", "version": "9.9.9"})
    return Wallet()


@when("a payout of 10 EUR is sent")
def when_payout(wallet):
    client = httpx.Client(base_url="http://127.0.0.1:9", event_hooks=transcript_hooks("psp"),
                          transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})))
    client.post("/v1/payouts", json={"amount": 1000})
    attach("payout-journal", '{"paid": 1000}', "json")


@then("the payout is paid")
def then_paid(wallet):
    record_gate("p95 latency", GateStatus.PASS, value="12.0 ms", target="< 500 ms", reason="ok")
    record_gate("RPO", GateStatus.NODATA, value=None, target="<= 5 s", reason="no commit times")
    record_gate("UNLOGGED tables", GateStatus.FAIL, value="1 UNLOGGED table",
                target="0 UNLOGGED tables", reason="audit_log", critical=False)
"""

PROPERTY = "def test_ledger_balances():\n    assert 1 + 1 == 2\n"


@pytest.fixture
def run(pytester: pytest.Pytester) -> Path:
    pytester.makefile(".feature", **{"features/payouts": FEATURE})
    (pytester.path / "features" / "test_payouts.py").write_text(STEPS)
    pytester.makepyfile(**{"properties/test_ledger": PROPERTY})
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 3, result.stdout.str()  # a critical gate without data
    return only_run(pytester.path)


def _cases(path: Path) -> dict[str, TestCase]:
    return {case.name: case for suite in JUnitXml.fromfile(str(path)) for case in suite}


def _allure(run_dir: Path) -> list[dict[str, Any]]:
    folder = run_dir / "allure-results"
    return [json.loads(p.read_bytes()) for p in sorted(folder.glob("*-result.json"))]


def _labels(result: dict[str, Any]) -> dict[str, str]:
    return {label["name"]: label["value"] for label in result["labels"]}


def test_junit_names_gates_verdict_and_run_id(run: Path) -> None:
    cases = _cases(run / "junit.xml")
    assert set(cases) == {
        "Payouts: A payout through stripe [stripe]",
        "Payouts: A payout through adyen [adyen]",
        "properties/test_ledger.py::test_ledger_balances",
        "Gate: p95 latency",
        "Gate: RPO",
        "Gate: UNLOGGED tables",
        "verdict",
    }
    assert cases["Payouts: A payout through stripe [stripe]"].is_passed
    assert cases["Gate: p95 latency"].is_passed
    assert isinstance(cases["Gate: RPO"].result[0], Failure)  # critical and NO DATA
    assert "no commit times" in (cases["Gate: RPO"].result[0].message or "")
    assert isinstance(cases["Gate: UNLOGGED tables"].result[0], Skipped)  # non-critical
    verdict = cases["verdict"].result[0]
    assert isinstance(verdict, Failure)
    assert (verdict.message or "").startswith("INCONCLUSIVE (exit 3)")
    xml = JUnitXml.fromfile(str(run / "junit.xml"))
    assert [s.name for s in xml] == ["golive readiness", "golive gates", "golive verdict"]
    for suite in xml:
        props = {p.name: p.value for p in suite.properties()}
        assert props["golive.run_id"] == run.name
        assert props["golive.verdict"] == "INCONCLUSIVE"
        assert props["golive.release"] == "rc-42"
        assert props["golive.target.version"] == "9.9.9"
    assert verify_run(run).ok


def test_allure_labels_attachments_environment_and_no_fixture_reprs(run: Path) -> None:
    results = {r["name"]: r for r in _allure(run)}
    assert set(results) == {
        "A payout through stripe",
        "A payout through adyen",
        "properties/test_ledger.py::test_ledger_balances",
        "Gate: p95 latency",
        "Gate: RPO",
        "Gate: UNLOGGED tables",
        "Go-live verdict",
    }
    stripe = results["A payout through stripe"]
    assert _labels(stripe) | {"feature": "Payouts", "story": "A payout through stripe"} == (
        _labels(stripe)
    )
    assert _labels(stripe)["severity"] == "critical"
    assert _labels(results["Gate: RPO"])["severity"] == "critical"
    assert _labels(results["Gate: UNLOGGED tables"])["severity"] == "minor"
    assert results["Gate: RPO"]["status"] == "broken"
    assert results["Go-live verdict"]["status"] == "failed"
    assert results["properties/test_ledger.py::test_ledger_balances"]["status"] == "passed"
    names = {a["name"]: a for a in stripe["attachments"]}
    assert {"payout-journal", "HTTP transcript (psp)"} <= set(names)
    journal = run / "allure-results" / names["payout-journal"]["source"]
    assert journal.read_text() == '{"paid": 1000}'
    transcript = run / "allure-results" / names["HTTP transcript (psp)"]["source"]
    assert "/v1/payouts" in transcript.read_text()
    params = [p for step in stripe["steps"] for p in step.get("parameters", [])]
    assert {p["name"] for p in params} == {"psp"}  # the step's own argument, no fixture
    for path in (run / "allure-results").iterdir():
        assert b"FIXTURE-REPR-MARKER" not in path.read_bytes(), path.name
    env = (run / "allure-results" / "environment.properties").read_text().splitlines()
    assert "release=rc-42" in env
    assert "target.name=refbank" in env
    assert f"run_id={run.name}" in env


def test_cucumber_has_the_verdict_and_the_gates(run: Path) -> None:
    features = json.loads((run / "cucumber.json").read_text())
    verdict = next(f for f in features if f["name"] == "golive verdict")
    by_name = {e["name"]: e["steps"][0]["result"] for e in verdict["elements"]}
    assert by_name["verdict"]["status"] == "failed"
    assert by_name["Gate: RPO"]["status"] == "failed"
    assert by_name["Gate: p95 latency"]["status"] == "passed"


SLOW_FEATURE = """\
Feature: Interrupted
  Scenario: The first one
    Given nothing

  Scenario: The slow one
    Given nothing
    When it takes its time

  Scenario: The last one
    Given nothing
"""

SLOW_STEPS = """\
import os, pathlib, time
from pytest_bdd import given, scenarios, when

scenarios("slow.feature")


@given("nothing")
def given_nothing():
    pass


@when("it takes its time")
def when_slow():
    pathlib.Path(os.environ["STARTED_MARKER"]).write_text("started")
    for _ in range(600):  # bounded: at most 60 s if nobody interrupts
        time.sleep(0.1)
"""


@pytest.fixture
def aborted(pytester: pytest.Pytester) -> Path:
    pytester.makefile(".feature", **{"features/slow": SLOW_FEATURE})
    (pytester.path / "features" / "test_slow.py").write_text(SLOW_STEPS)
    marker = pytester.path / "started.marker"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "features"],
        cwd=pytester.path,
        env={**os.environ, "STARTED_MARKER": str(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the slow scenario never started:\n" + proc.communicate()[0].decode())
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out = proc.communicate(timeout=120)[0].decode(errors="replace")
    assert proc.returncode == 3, out
    return only_run(pytester.path)


def test_a_sigterm_leaves_a_junit_file_that_reads_as_failed(aborted: Path) -> None:
    xml = JUnitXml.fromfile(str(aborted / "junit.xml"))
    assert xml.failures + xml.errors > 0
    cases = _cases(aborted / "junit.xml")
    assert cases["Interrupted: The first one"].is_passed
    (interrupted,) = cases["Interrupted: The slow one"].result
    assert isinstance(interrupted, Error)
    assert "SIGTERM" in (interrupted.message or "")
    (never,) = cases["Interrupted: The last one"].result
    assert isinstance(never, Skipped)
    assert (never.message or "").startswith("not run: the run stopped before it started")
    assert "SIGTERM" in (never.message or "")
    assert isinstance(cases["verdict"].result[0], Failure)
    assert "ABORTED" in (cases["verdict"].result[0].message or "")
    assert verify_run(aborted).ok


def test_a_sigterm_is_not_green_in_cucumber_or_allure(aborted: Path) -> None:
    features = json.loads((aborted / "cucumber.json").read_text())
    scenarios = {e["name"]: e for f in features for e in f["elements"]}
    # the step results of a scenario cut off mid-call are unknown: the first says why
    (first, second) = scenarios["The slow one"]["steps"]
    assert first["result"]["status"] == "failed"
    assert "SIGTERM" in first["result"]["error_message"]
    assert second["result"]["status"] == "skipped"
    last = scenarios["The last one"]["steps"][0]["result"]
    assert last["status"] == "skipped"
    assert last["error_message"].startswith("not run")
    assert scenarios["verdict"]["steps"][0]["result"]["status"] == "failed"
    status = {r["name"]: r["status"] for r in _allure(aborted)}
    assert status["Interrupted: The slow one"] == "broken"
    assert status["Interrupted: The last one"] == "skipped"
    assert status["Go-live verdict"] == "failed"


def _allure_cli() -> str | None:
    found = shutil.which("allure")
    if found is None and os.environ.get("GOLIVE_REQUIRE_ALLURE") == "1":
        pytest.fail("GOLIVE_REQUIRE_ALLURE=1 but `allure` (npm allure@3) is not on PATH")
    return found


@pytest.mark.slow
def test_allure_3_lists_every_test_of_the_run(run: Path, tmp_path: Path) -> None:
    allure = _allure_cli()
    if allure is None:
        pytest.skip("Allure 3 (npm `allure`) is not installed; .ci/run installs it")
    out = tmp_path / "allure-report"
    subprocess.run(
        [allure, "generate", str(run / "allure-results"), "-o", str(out)],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=300,
    )
    stats = json.loads((out / "summary.json").read_text())["stats"]
    results = json.loads((run / "results.json").read_text())
    expected = len(results["tests"]) + len(results["gates"]) + 1  # and the verdict
    assert stats["total"] == expected == 10  # each scenario records the three gates
    assert stats.get("passed") == 5  # 2 scenarios, 1 property, 2 gates
    assert stats.get("failed") == 1  # the verdict
    assert stats.get("broken") == 2  # the critical gate without data
    assert stats.get("skipped") == 2  # the non-critical gate


def test_a_test_s_transcript_slice_in_allure_is_capped(tmp_path: Path) -> None:
    from golive.evidence.allure_results import SLICE_LIMIT, _transcripts_by_test

    (tmp_path / "transcripts").mkdir()
    line = json.dumps({"test": "t.py::t", "pad": "x" * 1000})
    other = json.dumps({"test": "t.py::other"})
    lines = [line] * 3000 + [other]
    (tmp_path / "transcripts" / "platform.jsonl").write_text("\n".join(lines) + "\n")
    slices = _transcripts_by_test(tmp_path)
    data = slices["t.py::t"]["platform"]
    assert SLICE_LIMIT - 2000 < len(data) <= SLICE_LIMIT + 200
    assert (
        data.splitlines()[-1]
        .decode()
        .endswith("transcripts/platform.jsonl in the run folder has them all")
    )
    assert slices["t.py::other"]["platform"] == other.encode() + b"\n"


def test_a_ci_file_that_cannot_be_completed_makes_the_run_inconclusive(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    run_dir = build_bundle(
        tmp_path / "reports", signing_key, files={"junit.xml": b"<testsuites><testsuite"}
    )
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == "INCONCLUSIVE"
    assert any("junit.xml could not be completed" in r for r in manifest["verdict"]["reasons"])
    assert verify_run(run_dir).ok


def test_a_bundle_with_ci_files_gets_the_verdict_in_each(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    draft = b'<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="0"/></testsuites>'
    run_dir = build_bundle(
        tmp_path / "reports", signing_key, files={"junit.xml": draft, "cucumber.json": b"[]"}
    )
    cases = _cases(run_dir / "junit.xml")
    assert cases["Canary: Deposit"].is_passed
    assert cases["Gate: p95 latency"].is_passed
    assert cases["verdict"].is_passed  # GO
    features = json.loads((run_dir / "cucumber.json").read_text())
    assert [f["name"] for f in features] == ["golive verdict"]  # no feature_uri: not Gherkin
    assert verify_run(run_dir).ok


def test_completing_twice_gives_the_same_files(run: Path, tmp_path: Path) -> None:
    """The secret scan can change the verdict; the formats are then written again."""
    from datetime import datetime

    from golive.evidence.ciformats import CiRun, environment, write_ci_formats
    from golive.evidence.recorder import Attachment
    from golive.evidence.results import TestRecord
    from golive.evidence.verdict import Gate, VerdictResult

    copy = tmp_path / run.name
    shutil.copytree(run, copy)
    manifest = json.loads((run / "manifest.json").read_text())
    results = json.loads((run / "results.json").read_text())
    started = datetime.fromisoformat(manifest["started_at"].replace("Z", "+00:00"))
    again = CiRun(
        run_id=run.name,
        verdict=VerdictResult.from_dict(manifest["verdict"]),
        records=[TestRecord.from_dict(t) for t in results["tests"]],
        gates=[Gate.from_dict(g) for g in results["gates"]],
        environment=environment(results["metadata"], manifest["harness"], run.name),
        started_at=started.timestamp(),
        attachments=[Attachment(**a) for a in results["attachments"]],
    )
    assert write_ci_formats(copy, again) == []
    first = _snapshot(copy)
    assert write_ci_formats(copy, again) == []
    assert _snapshot(copy) == first
    assert set(first) == set(_snapshot(run))  # the same files as the run's own pass


def _snapshot(run_dir: Path) -> dict[str, bytes]:
    paths = [run_dir / "junit.xml", run_dir / "cucumber.json"]
    paths += sorted((run_dir / "allure-results").iterdir())
    return {p.relative_to(run_dir).as_posix(): p.read_bytes() for p in paths}
