"""The entry points as an operator runs them: `python -m refbank …` and `golive platform serve`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

SECRETS = {
    "REFBANK_STRIPE_API_KEY": "sk_test_do_not_log_me_51Hx",
    "REFBANK_STRIPE_WEBHOOK_SECRETS": "whsec_do_not_log_me_1,whsec_do_not_log_me_2",
    "REFBANK_ADYEN_API_KEY": "AQE_do_not_log_me",
    "REFBANK_ADYEN_HMAC_KEY": "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
}


def refbank(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "refbank", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@contextmanager
def serving(
    dsn: str, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, list[str]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "refbank", "serve", "--dsn", dsn, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.match(r"listening on (http://127\.0\.0\.1:\d+)$", line.strip())
            url = found.group(1) if found else None
        assert url, "".join(lines)
        yield url, lines
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        lines.append(out)


def test_migrate_and_serve_say_what_they_do(fresh_db) -> None:  # type: ignore[no-untyped-def]
    up = refbank("migrate", "--dsn", fresh_db.dsn, "--to", "2")
    assert (up.returncode, up.stdout.strip()) == (0, "schema 0 → 2")
    down = refbank("migrate", "--to", "1", env={"REFBANK_DSN": fresh_db.dsn})
    assert (down.returncode, down.stdout.strip()) == (0, "schema 2 → 1")
    with serving(fresh_db.dsn, "--app-version", "1", env=SECRETS) as (url, lines):
        assert httpx.get(f"{url}/health").json() == {"status": "ok"}
        assert httpx.get(f"{url}/version").json()["schema_version"] == "1"
        bad = httpx.post(
            f"{url}/webhooks/stripe", content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"}
        )
        assert bad.status_code == 401
    log = "".join(lines)
    for secret in ",".join(SECRETS.values()).split(","):
        assert secret not in log


def test_app_v2_on_schema_v1_exits_2_with_the_fix(new_db) -> None:  # type: ignore[no-untyped-def]
    out = refbank("serve", "--dsn", new_db(1), "--app-version", "2", "--port", "0")
    assert out.returncode == 2
    assert "needs schema version 2 but the database is at schema version 1" in out.stderr
    assert "--to 2" in out.stderr


def test_unknown_faults_and_missing_dsn_are_usage_errors() -> None:
    out = refbank(
        "serve",
        "--dsn",
        "postgresql://x@127.0.0.1:1/x",
        env={"GOLIVE_PLATFORM_FAULTS": "hold-overdraft,typo"},
    )
    assert (out.returncode, "unknown fault 'typo'" in out.stderr) == (2, True)
    out = refbank("migrate", "--to", "2", env={"REFBANK_DSN": ""})
    assert (out.returncode, "no database" in out.stderr) == (2, True)


def test_faults_come_from_the_environment_and_flags(new_db) -> None:  # type: ignore[no-untyped-def]
    dsn = new_db(2)
    body = {"owner_ref": "a", "currency": "EUR"}
    for env, flags, replayed in (
        ({}, [], True),
        ({"GOLIVE_PLATFORM_FAULTS": "idempotency-ignored"}, [], False),
        ({}, ["--fault", "idempotency-ignored"], False),
    ):
        with serving(dsn, *flags, env=env) as (url, _):
            key = {"Idempotency-Key": f"cli-{replayed}-{len(env)}-{len(flags)}"}
            ids = {
                httpx.post(f"{url}/accounts", json=body, headers=key).json()["id"] for _ in range(2)
            }
            assert (len(ids) == 1) is replayed


def test_golive_platform_serve_forwards_to_refbank(new_db) -> None:  # type: ignore[no-untyped-def]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "golive",
            "platform",
            "serve",
            "--dsn",
            new_db(1),
            "--app-version",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "needs schema version 2" in out.stderr
