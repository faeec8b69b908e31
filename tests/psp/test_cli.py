"""`golive psp serve`: serves on loopback, writes secrets only where asked, refuses bad config."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

GOLIVE = [sys.executable, "-m", "golive", "psp", "serve"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOLIVE_PSP_")}
    return {**env, **extra}


def test_serve_runs_and_keeps_secrets_out_of_the_output(tmp_path: Path) -> None:
    secrets_file = tmp_path / "secrets.json"
    env = _env(GOLIVE_PSP_STRIPE_WEBHOOK_SECRET="whsec_from_the_environment")
    proc = subprocess.Popen(
        [
            *GOLIVE,
            "--port",
            "0",
            "--speed",
            "60",
            "--secrets-out",
            str(secrets_file),
            "--stripe-webhook-url",
            "http://127.0.0.1:9/stripe",
            "--adyen-webhook-url",
            "http://127.0.0.1:9/adyen",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        assert "golive psp stub on http://127.0.0.1:" in banner
        base = banner.split()[4]
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/_stub/health", trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        clock = httpx.get(f"{base}/_stub/clock", trust_env=False).json()
        assert clock["speed"] == 60
        endpoints = httpx.get(f"{base}/_stub/webhook-endpoints", trust_env=False).json()
        assert {e["provider"] for e in endpoints["endpoints"]} == {"stripe", "adyen"}
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    secrets = json.loads(secrets_file.read_text())
    assert secrets["stripe_webhook_secret"] == "whsec_from_the_environment"
    assert len(bytes.fromhex(secrets["adyen_hmac_key"])) == 32  # generated
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    everything = banner + out + err
    assert "whsec_from_the_environment" not in everything
    assert secrets["adyen_hmac_key"] not in everything


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "loopback"),
        (["--speed", "-1"], "positive number"),
        (["--adyen-webhook-url", "http://127.0.0.1:9/a", "--adyen-hmac-key", "nothex"], "hex"),
        (["--stripe-webhook-url", "http://example.com/h"], "loopback"),
        (["--stripe-api-key", "sk_live_x"], "test-mode"),
    ],
)
def test_bad_configuration_exits_2(args: list[str], message: str) -> None:
    done = subprocess.run(
        [*GOLIVE, "--port", "0", *args], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "sk_live_x" not in done.stderr
