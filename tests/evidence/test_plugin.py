"""The pytest plugin end to end (pytester): activation, bundle layout, verdicts, keys."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import golive.evidence as evidence
from golive.evidence.fsutil import sha256_file
from golive.evidence.keys import generate_keypair, load_public_key
from golive.evidence.verify import verify_run

from .conftest import only_run, run_folders

ON = ("--golive-evidence=on", "-p", "no:cacheprovider")


def test_on_mode_writes_a_complete_verifiable_bundle(suite: pytest.Pytester) -> None:
    result = suite.runpytest(*ON)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*VERDICT: GO (exit 0)*", "*UNMANAGED key*", "*evidence: *"])
    run = only_run(suite.path)
    for name in (
        "manifest.json",
        "attestation.dsse.json",
        "report.html",
        "canary_report.md",
        "junit.xml",
        "cucumber.json",
        "results.json",
        "signer.pub",
        "transcripts/psp.jsonl",
    ):
        assert (run / name).is_file(), name
    assert not (run / "RUNNING").exists()
    assert list((run / "allure-results").glob("*-result.json"))
    assert [p.name for p in (run / "attachments").iterdir()] == ["0001-balance.json"]
    assert len((run / "transcripts/psp.jsonl").read_text().splitlines()) == 5
    assert "test_deposit_hold_burn_and_withdraw" in (run / "junit.xml").read_text()
    assert json.loads((run / "cucumber.json").read_text())[0]["name"] == "Canary money loop"
    report = verify_run(run)
    assert report.ok, report.problems

    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == "GO"
    assert manifest["target"] == {"name": "refbank", "version": "9.9.9"}
    assert (manifest["release"], manifest["environment"]) == ("rc-42", "staging")
    assert manifest["harness"]["name"] == "golive"
    assert len(manifest["configuration"]["digest"]) == 64
    feature = suite.path / "features" / "money.feature"
    assert {"name": "features/money.feature", "sha256": sha256_file(feature)} in manifest["inputs"]
    assert manifest["seeds"]["hypothesis"] == "random per test"
    assert manifest["started_at"] <= manifest["finished_at"]
    assert manifest["previous"] is None
    assert manifest["sequence"] == 1
    assert manifest["signer"]["managed"] is False
    assert manifest["counts"] == {"passed": 1, "total": 1}
    results = json.loads((run / "results.json").read_text())
    (scenario,) = results["tests"]
    assert [s["status"] for s in scenario["steps"]] == ["passed", "passed", "passed"]
    assert scenario["attachments"] == ["attachments/0001-balance.json"]
    assert "money_flow" not in results  # nothing records it, so no empty section is shown


def test_auto_mode_records_the_readiness_suite(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-p", "no:cacheprovider")
    assert result.ret == 0
    assert len(run_folders(suite.path)) == 1


def test_auto_mode_stays_off_for_project_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{"tests/test_plain": "def test_one():\n    assert True\n"})
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 0
    assert not (pytester.path / "reports").exists()
    assert "golive evidence" not in result.stdout.str()


@pytest.mark.parametrize("how", ["cli", "ini"])
def test_off_mode_does_nothing(suite: pytest.Pytester, how: str) -> None:
    if how == "ini":
        suite.makeini("[pytest]\ngolive_evidence = off\n")
        result = suite.runpytest("-p", "no:cacheprovider")
    else:
        result = suite.runpytest("--golive-evidence=off", "-p", "no:cacheprovider")
    assert result.ret == 0
    assert not (suite.path / "reports").exists()


def test_bad_ini_mode_is_a_usage_error(suite: pytest.Pytester) -> None:
    suite.makeini("[pytest]\ngolive_evidence = sometimes\n")
    result = suite.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'sometimes' is not a mode*"])


def test_failing_scenario_is_no_go(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPECT_MINOR", "1")
    result = suite.runpytest(*ON)
    assert result.ret == 1
    run = only_run(suite.path)
    assert verify_run(run).ok
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == "NO-GO"
    assert (
        "Canary money loop: Deposit, hold, burn and withdraw" in manifest["verdict"]["reasons"][0]
    )
    (scenario,) = json.loads((run / "results.json").read_text())["tests"]
    assert [s["status"] for s in scenario["steps"]] == ["passed", "passed", "failed"]
    assert "9000 == 1" in scenario["message"]


@pytest.mark.parametrize(
    ("gate", "verdict", "code"), [("NODATA", "INCONCLUSIVE", 3), ("FAIL", "NO-GO", 1)]
)
def test_critical_gates_decide(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, gate: str, verdict: str, code: int
) -> None:
    monkeypatch.setenv("GATE_STATUS", gate)
    result = suite.runpytest(*ON)
    assert result.ret == code
    manifest = json.loads((only_run(suite.path) / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == verdict
    assert any("'p95 latency'" in r for r in manifest["verdict"]["reasons"])


def test_no_tests_is_inconclusive(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{"features/test_nothing": "X = 1\n"})
    result = pytester.runpytest(*ON)
    assert result.ret == 3
    manifest = json.loads((only_run(pytester.path) / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == "INCONCLUSIVE"
    assert "no test ran, so nothing was proved" in manifest["verdict"]["reasons"]


def test_configuration_error_in_a_test_is_inconclusive(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        **{
            "properties/test_cfg": (
                "from golive.errors import ConfigError\n"
                "def test_needs_docker():\n    raise ConfigError('no docker here')\n"
            )
        }
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 3
    manifest = json.loads((only_run(pytester.path) / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == "INCONCLUSIVE"


def test_managed_key_and_trusted_verification(
    suite: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private, public = generate_keypair(tmp_path / "keys")
    monkeypatch.setenv("GOLIVE_SIGNING_KEY", str(private))
    result = suite.runpytest(*ON)
    assert result.ret == 0
    assert "UNMANAGED" not in result.stdout.str()
    run = only_run(suite.path)
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["signer"]["managed"] is True
    assert manifest["signer"]["source"] == "GOLIVE_SIGNING_KEY"
    assert verify_run(run, public).ok
    _, stranger = generate_keypair(tmp_path / "other")
    report = verify_run(run, load_public_key(stranger))
    assert not report.ok
    assert any("names key" in p.text for p in report.problems)


def test_failing_hypothesis_example_is_kept(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        **{
            "properties/test_ledger": (
                "from hypothesis import given, strategies as st\n"
                "@given(st.integers(0, 10))\n"
                "def test_small(n):\n    assert n < 7\n"
            )
        }
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 1
    run = only_run(pytester.path)
    (example,) = (run / "hypothesis").iterdir()
    text = example.read_text()
    assert "properties/test_ledger.py::test_small" in text
    # The active profile may or may not shrink: any recorded example must be a failing one.
    found = re.search(r"n=(\d+)", text)
    assert found, text
    assert int(found.group(1)) >= 7, text
    (record,) = json.loads((run / "results.json").read_text())["tests"]
    assert record["hypothesis"] == f"hypothesis/{example.name}"
    assert record["kind"] == "property"


def test_second_run_links_to_the_first(suite: pytest.Pytester) -> None:
    suite.runpytest(*ON)
    suite.runpytest(*ON)
    # Two runs may start within the same second: order them by sequence, not folder name.
    runs = [(json.loads((p / "manifest.json").read_text()), p) for p in run_folders(suite.path)]
    (_, first), (manifest, _second) = sorted(runs, key=lambda mp: mp[0]["sequence"])
    assert manifest["previous"]["sha256"] == sha256_file(first / "manifest.json")
    assert manifest["previous"]["run_id"] == first.name
    assert manifest["sequence"] == 2


def test_api_is_harmless_without_a_run() -> None:
    assert evidence.attach("x", b"data", "text") is None
    evidence.record_gate("g", evidence.GateStatus.PASS, value=None, target=None, reason="r")
    evidence.record_metadata("k", {"v": 1})
    assert isinstance(evidence.transcript_records(), list)
    hooks = evidence.transcript_hooks("platform")
    assert set(hooks) == {"request", "response"}


def test_public_api_is_sorted_and_complete() -> None:
    assert evidence.__all__ == sorted(evidence.__all__)
    for name in evidence.__all__:
        assert hasattr(evidence, name), name


def test_scenario_outline_examples_are_named_and_rendered(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".feature",
        **{
            "features/outline": (
                "Feature: Outlines\n"
                "  Scenario Outline: Deposit <amount>\n"
                "    Given a deposit of <amount>\n\n"
                "    Examples:\n"
                "      | amount |\n"
                "      | 5      |\n"
                "      | 7      |\n"
            )
        },
    )
    (pytester.path / "features" / "test_outline.py").write_text(
        "from pytest_bdd import given, parsers, scenarios\n"
        "scenarios('outline.feature')\n"
        "@given(parsers.parse('a deposit of {amount:d}'))\n"
        "def given_deposit(amount):\n    assert amount in (5, 7)\n"
    )
    assert pytester.runpytest("-p", "no:cacheprovider").ret == 0
    tests = json.loads((only_run(pytester.path) / "results.json").read_text())["tests"]
    assert [t["name"] for t in tests] == ["Deposit 5 [5]", "Deposit 7 [7]"]
    assert [t["steps"][0]["name"] for t in tests] == ["a deposit of 5", "a deposit of 7"]


def test_collect_only_writes_no_evidence(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--collect-only", "--golive-evidence=on", "-p", "no:cacheprovider")
    assert result.ret == 0
    assert not (suite.path / "reports").exists()
