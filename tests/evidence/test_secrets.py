"""Planted secrets never reach the bundle; a leftover secret-looking thing blocks signing."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from golive.evidence.fsutil import bundle_files
from golive.evidence.keys import SigningKey
from golive.evidence.verify import verify_run

from .conftest import only_run

# Fake credentials shaped like real ones (test-only values).
SECRETS = {
    "STRIPE_SECRET_KEY": "sk_live_51HplantedLiveKey0123456789",
    "STRIPE_TEST_KEY": "sk_test_51HplantedTestKey0123456789",
    "STRIPE_RESTRICTED": "rk_live_51HplantedRestricted012345",
    "STRIPE_WEBHOOK_SECRET": "whsec_plantedWebhookSecret0123456789",
    "ADYEN_API_KEY": "AQEplantedAdyenApiKey0123456789abcdefXYZ+/==-plantedSecondPart012=-zZ9",
    "ADYEN_HMAC_KEY": "9F3A6C1B2D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8",
    "PLATFORM_API_TOKEN": "plain-looking-token-value-42",  # only known through its env name
    # not a secret-looking name: its password is known because the value is a DSN
    "DATABASE_URL": "postgresql://app:Planted-db-pass-77@db.internal:5432/ledger",
}
DB_PASSWORD = "Planted-db-pass-77"
REGISTERED = "my-registered-secret-value"
BEARER = "eyJhbGciOi.plantedBearerToken.signature123"

STEPS = """
import os
import httpx
from pytest_bdd import given, scenarios, then, when
from golive.evidence import GateStatus, attach, record_gate, record_metadata, register_secret
from golive.evidence import transcript_hooks

scenarios("leak.feature")
S = {k: os.environ[k] for k in %(names)r}


def echo(request):
    payload = {"echo": request.content.decode(), "api_key": S["ADYEN_API_KEY"],
               "note": "hmac " + S["ADYEN_HMAC_KEY"]}
    return httpx.Response(200, json=payload,
                          headers={"Set-Cookie": "session=" + S["PLATFORM_API_TOKEN"]})


@given("a platform that leaks", target_fixture="client")
def given_leaky_platform():
    register_secret(%(registered)r)
    record_metadata("config", {"psp_key": S["STRIPE_SECRET_KEY"], "other": %(registered)r})
    return httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(echo),
                        event_hooks=transcript_hooks("platform"))


@when("the harness talks to it")
def when_harness_talks(client):
    body = " ".join(S.values()) + " " + %(registered)r
    client.post("/v1/x?key=" + S["STRIPE_TEST_KEY"], content=body,
                headers={"Authorization": "Bearer " + %(bearer)r,
                         "X-API-Key": S["ADYEN_API_KEY"], "Stripe-Signature": "t=1,v1=abc"})
    attach("dump.txt", "config dump: " + body, "text")
    attach("dump.json", {"k": S["STRIPE_WEBHOOK_SECRET"]}.__repr__(), "json")
    record_gate("leak gate", GateStatus.PASS, value=S["STRIPE_RESTRICTED"], target=None,
                reason="reason with " + S["PLATFORM_API_TOKEN"])


@then("nothing leaks")
def then_nothing_leaks():
    assert False, "failure message with " + " ".join(S.values()) + " " + %(registered)r
"""

FEATURE = """\
Feature: Leaks
  Scenario: A leaky platform
    Given a platform that leaks
    When the harness talks to it
    Then nothing leaks
"""


def _forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, json.dumps(secret)[1:-1].encode(), base64.b64encode(raw).rstrip(b"=")]


def test_planted_secrets_never_reach_the_bundle(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    pytester.makefile(".feature", **{"features/leak": FEATURE})
    (pytester.path / "features" / "test_leak.py").write_text(
        STEPS % {"names": list(SECRETS), "registered": REGISTERED, "bearer": BEARER}
    )
    result = pytester.runpytest("--golive-evidence=on", "-p", "no:cacheprovider")
    assert result.ret == 1  # the Then step fails on purpose: NO-GO
    run = only_run(pytester.path)
    files = bundle_files(run)
    # everything that should be there is there (so the check below covers real content)
    for name in (
        "transcripts/platform.jsonl",
        "junit.xml",
        "cucumber.json",
        "report.html",
        "canary_report.md",
        "results.json",
        "manifest.json",
        "attestation.dsse.json",
    ):
        assert name in files
    assert any(f.startswith("allure-results/") for f in files)
    assert len([f for f in files if f.startswith("attachments/")]) == 2
    planted = [*SECRETS.values(), REGISTERED, BEARER, DB_PASSWORD]
    for rel in files:
        data = (run / rel).read_bytes()
        if rel == "attestation.dsse.json":  # its payload is base64: look inside too
            data += base64.b64decode(json.loads(data)["payload"])
        for secret in planted:
            for form in _forms(secret):
                assert form not in data, f"{secret[:8]}… found in {rel}"
    transcript = (run / "transcripts/platform.jsonl").read_text()
    assert "[REDACTED:header]" in transcript
    assert verify_run(run).ok  # redacted in time, so the scan let it be signed


def test_secret_scan_refuses_to_sign(pytester: pytest.Pytester) -> None:
    key_block = (
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeFakeFakeFakeFakeFakeFakeFake\n"
    )
    pytester.makepyfile(
        **{
            "properties/test_dump": (
                "from golive.evidence import attach\n"
                "def test_attaches_a_key():\n"
                f"    attach('settings', 'settings:\\n' + {key_block!r}, 'text')\n"
            )
        }
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 3
    run = only_run(pytester.path)
    assert not (run / "attestation.dsse.json").exists()
    assert not (run / "RUNNING").exists()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == "INCONCLUSIVE"
    assert manifest["signing"]["signed"] is False
    reason = next(r for r in manifest["verdict"]["reasons"] if "NOT signed" in r)
    assert "attachments/0001-settings.txt at byte 10: looks like a private-key-block" in reason
    assert "MC4CAQ" not in json.dumps(manifest)
    report = verify_run(run)
    assert not report.ok
    assert any(
        "NOT signed" in p.text and "attachments/0001-settings.txt" in p.text
        for p in report.problems
    )
    assert "NOT SIGNED" in (run / "report.html").read_text()


def test_redaction_of_third_party_output_keeps_files_valid(tmp_path: Path) -> None:
    from golive.evidence.finalize import _redact_in_place
    from golive.evidence.redact import Redactor

    (tmp_path / "allure-results").mkdir()
    doc = {"message": "boom sk_live_abcdefghijklmnop123"}
    (tmp_path / "allure-results" / "x-result.json").write_text(json.dumps(doc))
    _redact_in_place(tmp_path, Redactor())
    clean = json.loads((tmp_path / "allure-results" / "x-result.json").read_text())
    assert clean == {"message": "boom [REDACTED:stripe-key]"}


def test_secret_registered_after_an_attachment_is_still_redacted(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        **{
            "properties/test_late": (
                "from golive.evidence import attach, register_secret\n"
                "def test_late():\n"
                "    attach('log', 'token=late-registered-value-1', 'text')\n"
                "    register_secret('late-registered-value-1')\n"
            )
        }
    )
    assert pytester.runpytest("-p", "no:cacheprovider").ret == 0
    run = only_run(pytester.path)
    for rel in bundle_files(run):
        assert b"late-registered-value-1" not in (run / rel).read_bytes(), rel
    assert verify_run(run).ok
    allure = [json.loads(p.read_bytes()) for p in (run / "allure-results").glob("*-result.json")]
    assert "properties/test_late.py::test_late" in {r["fullName"] for r in allure}


def test_scan_names_file_and_offset_of_dsn_credentials_never_the_value(tmp_path: Path) -> None:
    from golive.evidence.finalize import scan_bundle
    from golive.evidence.redact import Redactor

    registered = "registered-db-password-7"
    redactor = Redactor()
    redactor.register(registered)
    files = {
        "junit.xml": b'<failure message="connect postgresql://golive:hunter2-pw@db:5432/x"/>',
        "cucumber.json": b'[{"note": "host=db password=hunter3-pw"}]',
        "allure-results/a-attachment.txt": b"x" + base64.b64encode(b"ab" + registered.encode()),
        "transcripts/platform.jsonl": b'{"url": "https://u:' + quote(registered).encode() + b'@h"}',
    }
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    problems = scan_bundle(tmp_path, redactor, sorted(files))
    text = "\n".join(problems)
    at = files["junit.xml"].index(b"hunter2")
    assert f"junit.xml at byte {at}: looks like a url-password" in problems
    at = files["cucumber.json"].index(b"hunter3")
    assert f"cucumber.json at byte {at}: looks like a password" in problems
    assert any(p.startswith("allure-results/a-attachment.txt at byte ") for p in problems)
    at = files["transcripts/platform.jsonl"].index(quote(registered).encode())
    assert f"transcripts/platform.jsonl at byte {at}: looks like a url-password" in problems
    for secret in ("hunter2", "hunter3", registered, quote(registered)):
        assert secret not in text


def test_a_secret_left_in_the_manifest_stops_signing_even_of_a_no_go(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """The manifest is scanned too: a DSN in the recorded configuration means no signature,
    exit 3 (INCONCLUSIVE, though a test failed), the offset named and the value not."""
    import time

    from golive.evidence.finalize import RunContext, finalize
    from golive.evidence.manifest import create_run_dir
    from golive.evidence.recorder import Recorder
    from golive.evidence.redact import Redactor
    from golive.evidence.results import TestRecord

    reports = tmp_path / "reports"
    run_dir = create_run_dir(reports)
    failed = TestRecord(
        nodeid="properties/test_x.py::test_x", name="test_x", kind="property",
        location="properties/test_x.py:1", phases={"call": "failed"}, outcome="failed",
    )  # fmt: skip
    dsn = "postgresql://golive:manifest-only-pw@db:5432/ledger"
    ctx = RunContext(
        run_dir=run_dir, reports_dir=reports, key=signing_key,
        recorder=Recorder(run_dir, redactor=Redactor()), started_at=time.time(),
        harness={"name": "golive", "version": "0", "commit": None, "dirty": None},
        configuration={"args": ["--postgres", dsn], "digest": "0"},
        inputs=[], seeds={}, records=[failed],
    )  # fmt: skip
    verdict = finalize(ctx)
    assert verdict.exit_code == 3
    assert verdict.verdict.value == "INCONCLUSIVE"
    assert any("1 test(s) failed" in r for r in verdict.reasons)  # the NO-GO reason is kept
    assert not (run_dir / "attestation.dsse.json").exists()
    manifest_text = (run_dir / "manifest.json").read_text()
    offset = manifest_text.encode().index(b"manifest-only-pw")
    refusal = next(r for r in verdict.reasons if "NOT signed" in r)
    assert f"manifest.json at byte {offset}: looks like a url-password" in refusal
    assert "manifest-only-pw" not in refusal
    report = verify_run(run_dir)
    assert not report.ok
