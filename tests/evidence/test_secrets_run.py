"""A real `golive run` with planted credentials leaves no trace of them in its run folder.

The secrets come in through the environment (Stripe, Adyen, HMAC keys, PGPASSWORD,
GOLIVE_TARGET_DB, GOLIVE_POSTGRES), the configuration (`--postgres` with a password-bearing
DSN, which is also the harness's own database; golive.toml) and an answer of the platform's
database (an [invariants] query that returns them as a row, so they reach a gate reason and
an attachment). Every file of the bundle is searched for them as written, JSON-escaped,
URL-encoded and base64-encoded (at each byte alignment), the signed payload included.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from golive.evidence.verify import verify_run
from golive.postgres import Instance

ROOT = Path(__file__).resolve().parents[2]

# Test-only values shaped like real credentials.
DSN_PASSWORD = "Pl@nted-DSN/pass%word-1"  # needs URL-encoding inside a DSN
TARGET_DB_PASSWORD = "Planted-target-db-pass-2"
PGPASSWORD = "Planted-pgpassword-3"
STRIPE_LIVE = "sk_live_51HplantedLiveKey0123456789abcdef"
WHSEC = "whsec_plantedWebhookSecret0123456789AB"
ADYEN_API = "AQEplantedAdyenApiKey0123456789abcdefXYZ+/==-plantedSecondPart012=-zZ9"
HMAC = "9F3A6C1B2D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8"
PLANTED = [DSN_PASSWORD, TARGET_DB_PASSWORD, PGPASSWORD, STRIPE_LIVE, WHSEC, ADYEN_API, HMAC]
ROLE = "golive_leak_probe"


def forms(secret: str) -> list[bytes]:
    """The secret as written, JSON-escaped, URL-encoded, and base64 at every alignment."""
    raw = secret.encode()
    out = [raw, json.dumps(secret)[1:-1].encode(), quote(secret, safe="").encode()]
    out.append(quote_plus(secret).encode())
    for shift in range(3):  # the characters that only the secret's own bytes decide
        encoded = base64.b64encode(b"\0" * shift + raw)
        part = encoded[-(-8 * shift // 6) : 8 * (shift + len(raw)) // 6]
        out += [part, part.replace(b"+", b"-").replace(b"/", b"_")]
    return out


@pytest.fixture
def leaky_dsn(pg_instance: Instance) -> Iterator[str]:
    """A DSN of the shared server for a role whose password is planted."""
    pg_instance.execute(f"CREATE ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{DSN_PASSWORD}'")
    try:
        yield (
            f"postgresql://{ROLE}:{quote(DSN_PASSWORD, safe='')}@{pg_instance.host}:"
            f"{pg_instance.port}/postgres"
        )
    finally:
        pg_instance.execute(f"DROP ROLE IF EXISTS {ROLE}")


@pytest.fixture
def suite_root(tmp_path: Path) -> Path:
    """This checkout's canary suite, plus a golive.toml whose invariant query answers with
    every planted secret (a database answer of the platform, in the evidence as a gate)."""
    root = tmp_path / "suite"
    root.mkdir()
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    for name in ("steps", "fixtures", "docs", "features"):
        (root / name).symlink_to(ROOT / name)
    row = ", ".join(f"'{s}' AS s{i}" for i, s in enumerate(PLANTED))
    (root / "golive.toml").write_text(
        f'[invariants]\nuse_defaults = false\nqueries = {{ planted_answer = "SELECT {row}" }}\n'
    )
    return root


@pytest.mark.slow
def test_a_canary_run_leaves_no_planted_secret_anywhere(
    leaky_dsn: str, suite_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    target_db = f"postgresql://readonly:{TARGET_DB_PASSWORD}@127.0.0.1:9/platform"
    env = {
        **os.environ,
        "STRIPE_SECRET_KEY": STRIPE_LIVE,
        "STRIPE_WEBHOOK_SECRET": WHSEC,
        "ADYEN_API_KEY": ADYEN_API,
        "ADYEN_HMAC_KEY": HMAC,
        "PGPASSWORD": PGPASSWORD,
        "GOLIVE_TARGET_DB": target_db,
        "GOLIVE_POSTGRES": f"host=127.0.0.1 port=9 user=x password='{TARGET_DB_PASSWORD}'",
    }
    env.pop("GOLIVE_PLATFORM_FAULTS", None)
    cmd = [sys.executable, "-m", "golive", "run", "--suite", "canary", "-k", "secret_rotation"]
    cmd += ["--postgres", leaky_dsn, "--out", str(out), "--suite-root", str(suite_root)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    runs = [p for p in out.iterdir() if p.is_dir()] if out.is_dir() else []
    assert len(runs) == 1, res.stdout + res.stderr
    run = runs[0]
    manifest = json.loads((run / "manifest.json").read_text())
    # the planted answer fails the critical invariants gate: a signed NO-GO, not a refusal
    assert res.returncode == 1, res.stdout + res.stderr
    assert manifest["verdict"]["verdict"] == "NO-GO", manifest["verdict"]
    answer = next(r for r in manifest["verdict"]["reasons"] if "planted_answer" in r)
    assert answer.count("[REDACTED:") == len(PLANTED), answer  # each one arrived, masked
    assert manifest["signing"]["signed"] is True
    assert verify_run(run).ok, verify_run(run).problems

    files = sorted(p for p in run.rglob("*") if p.is_file())
    names = {p.relative_to(run).as_posix() for p in files}
    for expected in ("junit.xml", "cucumber.json", "report.html", "results.json"):
        assert expected in names
    assert any(n.startswith("allure-results/") for n in names)
    assert any(n.startswith("transcripts/") for n in names)
    assert any(n.startswith("attachments/") for n in names)
    # the places the password used to be are there, masked
    allure = b"".join(p.read_bytes() for p in files if "allure-results" in p.parts)
    assert b"database_dsn='postgresql://" in allure
    assert b"[REDACTED:url-password]" in allure
    args = manifest["configuration"]["args"]
    assert args[args.index("--postgres") + 1].startswith(f"postgresql://{ROLE}:[REDACTED")

    for path in files:
        data = path.read_bytes()
        if path.name == "attestation.dsse.json":  # the signed payload is base64: look inside
            data += base64.b64decode(json.loads(data)["payload"])
        for secret in PLANTED:
            for form in forms(secret):
                assert form not in data, f"{secret[:6]}… ({form[:6]!r}…) in {path.name}"
