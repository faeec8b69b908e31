"""`golive platform start|stop|deploy|migrate|set-webhook-secrets|seed-balance`: refusals and no-ops
that need no running platform (tests/operations/test_external_refbank.py runs them all)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from golive.postgres.base import free_port


def golive(*args: str, state: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFBANK_", "GOLIVE_"))}
    return subprocess.run(
        [sys.executable, "-m", "golive", "platform", *args, "--state", str(state)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["start"], "no database for the platform"),
        (["deploy", "--release", "2"], "no database for the platform"),
        (["migrate", "--schema", "1"], "no database for the platform"),
        (
            ["seed-balance", "--account", str(uuid.uuid4()), "--amount", "1", "--currency", "EUR"],
            "no database for the platform",
        ),
    ],
)
def test_without_a_database_nothing_starts(tmp_path: Path, args: list[str], words: str) -> None:
    out = golive(*args, state=tmp_path / "state")
    assert out.returncode == 2
    assert words in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "state" / "platform.pid").exists()


def test_stopping_what_does_not_run_is_a_no_op(tmp_path: Path) -> None:
    (tmp_path / "platform.pid").write_text("999999999\n")  # stale
    out = golive("stop", state=tmp_path)
    assert (out.returncode, out.stdout) == (0, "not running\n")
    assert not (tmp_path / "platform.pid").exists()


def test_secrets_for_a_stopped_platform_apply_at_its_next_start(tmp_path: Path) -> None:
    secrets = tmp_path / "s.env"
    secrets.write_text("STRIPE_WEBHOOK_SECRETS=whsec_abcdefghijkl\n")
    out = golive("set-webhook-secrets", "--file", str(secrets), state=tmp_path / "state")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "webhook secrets set (1 Stripe secret(s)); they apply at the next start\n"
    env_file = tmp_path / "state" / "platform.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert "whsec_abcdefghijkl" not in out.stdout + out.stderr


def test_a_bad_secrets_file_is_refused(tmp_path: Path) -> None:
    secrets = tmp_path / "s.env"
    secrets.write_text("STRIPE_WEBHOOK_SECRET=whsec_abcdefghijkl\n")
    out = golive("set-webhook-secrets", "--file", str(secrets), state=tmp_path / "state")
    assert out.returncode == 2
    assert "STRIPE_WEBHOOK_SECRET is not a webhook secret" in out.stderr
    assert not (tmp_path / "state" / "platform.env").exists()


def test_a_failed_migration_is_one_line_and_its_output_is_kept(tmp_path: Path) -> None:
    dsn = f"postgresql://golive@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    out = golive("migrate", "--schema", "1", "--dsn", dsn, state=tmp_path)
    assert out.returncode == 1
    assert out.stderr.startswith("error: the migration to schema 1 failed (exit 1): ")
    assert "Traceback" not in out.stderr
    assert f"(all of it: {tmp_path / 'migrate.log'})" in " ".join(out.stderr.split())
    assert "Traceback" in (tmp_path / "migrate.log").read_text()  # refbank's own, kept
