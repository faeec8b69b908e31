"""A real `golive run` with planted credentials leaves no trace of them in its run folder.

The secrets come in through the environment (Stripe, Adyen, HMAC keys, PGPASSWORD,
GOLIVE_TARGET_DB, GOLIVE_POSTGRES, the webhook secrets shared with an external platform),
the configuration (`--postgres` with a password-bearing DSN, which is then the harness's own
database; golive.toml) and an answer of the platform's database (an [invariants] query that
returns them as a row, so they reach a gate reason and an attachment). Two runs: the
embedded target, and `--target URL` whose GOLIVE_TARGET_DB carries the planted password.
Every file of the bundle is searched for them as written, JSON-escaped, URL-encoded and
base64-encoded (at each byte alignment), the signed payload included.
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
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from golive.evidence.verify import verify_run
from golive.postgres import Instance, create_database
from golive.postgres.base import free_port
from golive.stack import EmbeddedPlatform, PspWiring, migrate

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


def planted_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "STRIPE_SECRET_KEY": STRIPE_LIVE,
        "STRIPE_WEBHOOK_SECRET": WHSEC,
        "ADYEN_API_KEY": ADYEN_API,
        "ADYEN_HMAC_KEY": HMAC,
        "PGPASSWORD": PGPASSWORD,
        "GOLIVE_POSTGRES": f"host=127.0.0.1 port=9 user=x password='{TARGET_DB_PASSWORD}'",
        **extra,
    }
    env.pop("GOLIVE_PLATFORM_FAULTS", None)
    return env


def run_canary(
    env: dict[str, str], out: Path, suite_root: Path, *args: str
) -> tuple[Path, dict[str, Any]]:
    """`golive run --suite canary ARGS` from the suite's folder (its golive.toml is the
    caller's): the run folder and its manifest, a signed NO-GO (the planted answer fails the
    critical invariants gate) in which every secret arrived masked."""
    cmd = [sys.executable, "-m", "golive", "run", "--suite", "canary", "--out", str(out),
           "--suite-root", str(suite_root), *args]  # fmt: skip
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, cwd=suite_root)
    runs = [p for p in out.iterdir() if p.is_dir()] if out.is_dir() else []
    assert len(runs) == 1, res.stdout + res.stderr
    run = runs[0]
    manifest = json.loads((run / "manifest.json").read_text())
    assert res.returncode == 1, res.stdout + res.stderr
    assert manifest["verdict"]["verdict"] == "NO-GO", manifest["verdict"]
    answer = next(r for r in manifest["verdict"]["reasons"] if "planted_answer" in r)
    assert answer.count("[REDACTED:") == len(PLANTED), answer  # each one arrived, masked
    assert manifest["signing"]["signed"] is True
    assert verify_run(run).ok, verify_run(run).problems
    return run, manifest


def assert_no_trace(run: Path) -> list[str]:
    """Search every file of the run folder; returns the names of the files searched."""
    files = sorted(p for p in run.rglob("*") if p.is_file())
    for path in files:
        data = path.read_bytes()
        if path.name == "attestation.dsse.json":  # the signed payload is base64: look inside
            data += base64.b64decode(json.loads(data)["payload"])
        for secret in PLANTED:
            for form in forms(secret):
                assert form not in data, f"{secret[:6]}… ({form[:6]!r}…) in {path.name}"
    names = [p.relative_to(run).as_posix() for p in files]
    for expected in ("junit.xml", "cucumber.json", "report.html", "results.json"):
        assert expected in names
    for folder in ("allure-results/", "transcripts/", "attachments/"):
        assert any(n.startswith(folder) for n in names), folder
    return names


@pytest.mark.slow
def test_a_canary_run_leaves_no_planted_secret_anywhere(
    leaky_dsn: str, suite_root: Path, tmp_path: Path
) -> None:
    """Embedded target: the harness's own database is reached with the planted password."""
    target_db = f"postgresql://readonly:{TARGET_DB_PASSWORD}@127.0.0.1:9/platform"
    env = planted_env(GOLIVE_TARGET_DB=target_db)
    run, manifest = run_canary(
        env, tmp_path / "out", suite_root, "-k", "secret_rotation", "--postgres", leaky_dsn,
    )  # fmt: skip
    files = assert_no_trace(run)
    # Allure used to carry the Stack fixture's repr (with the DSN) as a step parameter: no
    # fixture repr is a parameter any more (and the repr masks it: test_secrets_masking.py)
    allure = b"".join((run / n).read_bytes() for n in files if n.startswith("allure-results/"))
    assert b"database_dsn=" not in allure
    args = manifest["configuration"]["args"]
    assert args[args.index("--postgres") + 1].startswith(f"postgresql://{ROLE}:[REDACTED")


@pytest.fixture
def external_platform(leaky_dsn: str, pg_instance: Instance) -> Iterator[tuple[str, str, int]]:
    """A platform golive did not start (the reference platform, run here as a stand-in), on
    a database reached with the planted password: (its URL, GOLIVE_TARGET_DB, PSP port)."""
    db = create_database(pg_instance)
    dsn = leaky_dsn.rsplit("/", 1)[0] + "/" + db.name
    migrate(dsn, "2")
    psp = f"http://127.0.0.1:{free_port()}"
    wiring = PspWiring(f"{psp}/stripe", "sk_test_51HplantedPlatformKey0123456789", [WHSEC],
                       f"{psp}/adyen", ADYEN_API, HMAC)  # fmt: skip
    platform = EmbeddedPlatform(dsn=dsn, psp=wiring)
    platform.start()
    try:
        yield platform.url, dsn, int(psp.rsplit(":", 1)[1])
    finally:
        platform.stop()
        db.drop()


@pytest.mark.slow
def test_an_external_target_run_leaves_no_trace_of_its_database_password(
    external_platform: tuple[str, str, int], leaky_dsn: str, suite_root: Path, tmp_path: Path
) -> None:
    """`--target URL` with GOLIVE_TARGET_DB: the production-database case of issue 17. The
    invariants run on the target's database with the planted password; the webhook secrets
    the platform shares with the stub PSP are planted too."""
    url, target_db, psp_port = external_platform
    env = planted_env(
        GOLIVE_TARGET_DB=target_db,
        GOLIVE_POSTGRES=leaky_dsn,  # preflight connects to it: a live server, planted password
        DATABASE_URL=f"postgresql://app:{TARGET_DB_PASSWORD}@127.0.0.1:9/bank",  # one more DSN
        GOLIVE_PSP_PORT=str(psp_port),
        GOLIVE_PSP_STRIPE_WEBHOOK_SECRET=WHSEC,
        GOLIVE_PSP_ADYEN_HMAC_KEY=HMAC,
    )
    run, manifest = run_canary(
        env, tmp_path / "out", suite_root, "-k", "hold_larger", "--target", url,
    )  # fmt: skip
    assert manifest["counts"]["passed"] >= 1  # the scenario really ran against the target
    assert_no_trace(run)
