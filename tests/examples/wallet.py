"""The hordak wallet example for tests: started by its own start.sh on free loopback ports,
driven through its API, its adapter, its operations and `golive run`, stopped by stop.sh."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from golive.postgres.base import free_port

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hordak-wallet"
START_TIMEOUT = 900  # the first start installs the wallet's requirements into its .venv

needs_postgres = pytest.mark.skipif(
    shutil.which("initdb") is None and not list(Path("/usr/lib/postgresql").glob("*/bin")),
    reason="no Postgres server binaries",
)


@dataclass
class Wallet:
    url: str
    env: dict[str, str]  # the environment start.sh was given (ports, secrets, faults)
    state: Path
    config: Path  # a golive.toml beside the example's, with this wallet's port and state

    def ops(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """One of the wallet's operations, as golive.toml runs it."""
        return subprocess.run(
            [str(EXAMPLE / ".venv/bin/python"), "ops.py", *args],
            cwd=EXAMPLE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def golive_run(
        self, suite: str, keyword: str | None = None, *, timeout: float = 1200
    ) -> subprocess.CompletedProcess[str]:
        """`golive run` against this wallet (preflight asks it through its adapter)."""
        out = self.state / "runs"
        argv = [
            sys.executable,
            "-m",
            "golive",
            "run",
            "--config",
            str(self.config),
            "--suite",
            suite,
            "--out",
            str(out),
        ]
        if keyword:
            argv += ["-k", keyword]
        env = self.env | {"PYTHONPATH": str(EXAMPLE)}
        return subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )


@contextlib.contextmanager
def running_wallet(faults: str = "") -> Iterator[Wallet]:
    """start.sh with ``HORDAK_WALLET_FAULTS=faults`` on free ports; stop.sh afterwards."""
    state = Path(tempfile.mkdtemp(prefix="hordak-wallet-test-"))
    port = free_port()
    env = os.environ | {
        "WALLET_STATE": str(state),
        "WALLET_PORT": str(port),
        "EXAMPLE_PG_PORT": str(free_port()),
        "GOLIVE_PSP_PORT": str(free_port()),
        "GOLIVE_PSP_STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(24),
        "GOLIVE_PSP_ADYEN_HMAC_KEY": secrets.token_hex(32).upper(),
        "HORDAK_WALLET_FAULTS": faults,
    }
    config = EXAMPLE / f"golive.local-{state.name}.toml"
    text = (EXAMPLE / "golive.toml").read_text()
    text = text.replace("http://127.0.0.1:8100", f"http://127.0.0.1:{port}")
    text = text.replace('".wallet-state/wallet.env"', f'"{state}/wallet.env"')
    text = text.replace("@127.0.0.1:55442/", f"@127.0.0.1:{env['EXAMPLE_PG_PORT']}/")
    config.write_text(text)
    try:
        started = subprocess.run(
            [str(EXAMPLE / "start.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
        )
        assert started.returncode == 0, started.stderr[-2000:]
        yield Wallet(f"http://127.0.0.1:{port}", env, state, config)
    finally:
        subprocess.run([str(EXAMPLE / "stop.sh")], env=env, capture_output=True, timeout=120)
        config.unlink(missing_ok=True)
        shutil.rmtree(state, ignore_errors=True)


def verdict_lines(run: subprocess.CompletedProcess[str]) -> str:
    """The verdict and its reasons, for assertion messages."""
    text = run.stdout + run.stderr
    return text[text.find("VERDICT") :][:3000] if "VERDICT" in text else text[-3000:]
