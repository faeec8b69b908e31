"""Fixtures for the evidence tests: a small readiness suite for pytester runs, and signed
bundles built directly through `finalize` (fast, no pytest session inside)."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from golive.evidence.finalize import RunContext, finalize
from golive.evidence.keys import SigningKey
from golive.evidence.manifest import create_run_dir
from golive.evidence.recorder import Exchange, Recorder
from golive.evidence.redact import Redactor
from golive.evidence.results import StepRecord, TestRecord
from golive.evidence.verdict import GateStatus


def pytest_configure(config: pytest.Config) -> None:
    # pytester drives the plugin in child sessions; registered here (not via pytest_plugins,
    # which only the root conftest may use) so only these tests depend on it.
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
    # pytester's in-process runs drop modules first imported inside them; importing the
    # plugins (and hypothesis, which its plugin imports lazily) here keeps each run ~1 s.
    for entry in entry_points(group="pytest11"):
        importlib.import_module(entry.value.split(":")[0])
    importlib.import_module("hypothesis")


FEATURE = """\
Feature: Canary money loop
  Scenario: Deposit, hold, burn and withdraw
    Given a funded wallet of 100 EUR
    When the customer withdraws 10 EUR
    Then the available balance is 90 EUR
"""

STEPS = """\
import os
import httpx
from pytest_bdd import given, scenarios, then, when
from golive.evidence import (GateStatus, attach, record_gate, record_metadata,
                             transcript_hooks)

scenarios("money.feature")


def psp_handler(request):
    return httpx.Response(200, json={"id": "po_1", "status": "paid"})


@given("a funded wallet of 100 EUR", target_fixture="wallet")
def given_funded_wallet():
    record_metadata("target", {"name": "refbank", "version": "9.9.9"})
    record_metadata("release", "rc-42")
    record_metadata("environment", "staging")
    return {"available": 10_000}


@when("the customer withdraws 10 EUR")
def when_withdraws(wallet):
    client = httpx.Client(base_url="http://127.0.0.1:9", event_hooks=transcript_hooks("psp"),
                          transport=httpx.MockTransport(psp_handler))
    for i in range(5):
        client.post("/v1/payouts", json={"amount": 1000, "currency": "eur"},
                    headers={"Idempotency-Key": f"k{i}"})
    wallet["available"] -= 1_000
    attach("balance.json", '{"available": %d}' % wallet["available"], "json")


@then("the available balance is 90 EUR")
def then_available_balance(wallet):
    status = GateStatus[os.environ.get("GATE_STATUS", "PASS")]
    record_gate("p95 latency", status, value="12 ms", target="< 500 ms", reason="from transcripts")
    assert wallet["available"] == int(os.environ.get("EXPECT_MINOR", "9000"))
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A tiny readiness suite (one feature) in a pytester folder."""
    pytester.makefile(".feature", **{"features/money": FEATURE})
    (pytester.path / "features" / "test_money.py").write_text(STEPS)
    return pytester


def run_folders(root: Path) -> list[Path]:
    reports = root / "reports"
    return sorted(p for p in reports.iterdir() if p.is_dir()) if reports.is_dir() else []


def only_run(root: Path) -> Path:
    folders = run_folders(root)
    assert len(folders) == 1, folders
    return folders[0]


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate(), "--golive-key")


def build_bundle(
    reports: Path,
    key: SigningKey,
    *,
    outcome: str = "passed",
    redactor: Redactor | None = None,
    metadata: dict[str, object] | None = None,
    gate: GateStatus = GateStatus.PASS,
    files: dict[str, bytes] | None = None,
    recording: Callable[[Recorder], None] | None = None,
) -> Path:
    """A small but complete signed bundle, made without a pytest session (`files`: written
    into the run folder first, as pytest's reporters would; `recording`: what the run
    records besides, e.g. gates)."""
    run_dir = create_run_dir(reports)
    for name, data in (files or {}).items():
        (run_dir / name).write_bytes(data)
    rec = Recorder(run_dir, redactor=redactor or Redactor())
    for name, value in (metadata or {}).items():
        rec.metadata[name] = value
    rec.attach("notes", "all good\n", "text")
    rec.attach("chart", '<svg width="10" height="10"><rect width="5" height="5"/></svg>', "svg")
    value = None if gate is GateStatus.NODATA else "12 ms"
    rec.record_gate("p95 latency", gate, value=value, target="< 500 ms", reason="measured")
    if recording is not None:
        recording(rec)
    for i in range(3):
        exchange = Exchange("psp", "POST", "http://127.0.0.1:9/v1/x", 200, time.time(), 5.0 + i)
        rec.add_exchange(exchange, b'{"peer": "psp", "duration_ms": %d}' % (5 + i))
    start = time.time() - 2
    record = TestRecord(
        nodeid="features/test_money.py::test_deposit",
        name="Deposit",
        kind="scenario",
        location="features/test_money.py:1",
        feature="Canary",
        feature_file="features/m.feature",
        steps=[StepRecord("Given", "a funded wallet", 3, "passed", 0.01)],
        phases={"setup": "passed", "call": outcome, "teardown": "passed"},
        outcome=outcome,
        duration_s=0.5,
        started_at=start,
        finished_at=start + 0.5,
    )
    ctx = RunContext(
        run_dir=run_dir,
        reports_dir=reports,
        key=key,
        recorder=rec,
        started_at=start,
        harness={"name": "golive", "version": "0.0.test", "commit": None, "dirty": None},
        configuration={"args": [], "digest": "0" * 64},
        inputs=[{"name": "features/m.feature", "sha256": "1" * 64}],
        seeds={"hypothesis": 1},
        records=[record],
    )
    finalize(ctx)
    return run_dir
