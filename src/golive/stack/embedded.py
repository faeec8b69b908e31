"""The embedded default target: the reference platform run as a subprocess on loopback.

golive never imports the reference platform; it runs its module entry point and meets it
at the HTTP contract. The environment is passed through unchanged (the platform reads its
own fault switches from it; golive does not). Its deployment settings (database, PSP
addresses, keys and webhook secrets) are written to an env file, as a deployment would keep
them, and the platform is started from what that file says: the env readiness scenarios
check the same file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from golive.envcheck.envfile import read_env_file, write_env_file
from golive.errors import TargetUnreachable
from golive.postgres import cleanup
from golive.postgres.base import free_port
from golive.tls import tls_context

MODULE = "refbank"  # the reference platform's package (src/refbank)


def migrate(dsn: str, to: str) -> None:
    """Run the reference platform's own migration command (upgrade or downgrade)."""
    out = subprocess.run(
        [sys.executable, "-m", MODULE, "migrate", "--dsn", dsn, "--to", to],
        capture_output=True, text=True, timeout=300, env=os.environ.copy(),
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(
            f"migration to schema {to} failed (exit {out.returncode}): {out.stderr[-2000:]}"
        )


@dataclass
class PspWiring:
    """Where the platform finds the PSP, and the secrets it shares with it."""

    stripe_api_base: str
    stripe_api_key: str
    stripe_webhook_secrets: list[str]
    adyen_api_base: str
    adyen_api_key: str
    adyen_hmac_key: str
    adyen_merchant_account: str = "GoLiveCanaryECOM"
    others: dict[str, str] = field(default_factory=dict)  # further providers (wire_others)

    def __repr__(self) -> str:  # the keys and secrets never show in logs or evidence
        return (
            f"PspWiring(stripe_api_base={self.stripe_api_base!r}, "
            f"adyen_api_base={self.adyen_api_base!r}, "
            f"adyen_merchant_account={self.adyen_merchant_account!r}, secrets=[REDACTED])"
        )

    def env(self) -> dict[str, str]:
        return {
            "REFBANK_STRIPE_API_BASE": self.stripe_api_base,
            "REFBANK_STRIPE_API_KEY": self.stripe_api_key,
            "REFBANK_STRIPE_WEBHOOK_SECRETS": ",".join(self.stripe_webhook_secrets),
            "REFBANK_ADYEN_API_BASE": self.adyen_api_base,
            "REFBANK_ADYEN_API_KEY": self.adyen_api_key,
            "REFBANK_ADYEN_HMAC_KEY": self.adyen_hmac_key,
            "REFBANK_ADYEN_MERCHANT_ACCOUNT": self.adyen_merchant_account,
            **self.others,
        }


class EmbeddedPlatform:
    """Start, stop and switch versions of the reference platform on a fixed loopback port."""

    def __init__(
        self, *, dsn: str, psp: PspWiring, app_version: str = "2",
        port: int | None = None, log_path: Path | None = None,
        extra_env: Mapping[str, str] | None = None, env_file: Path | None = None,
    ) -> None:  # fmt: skip
        self.dsn = dsn
        self.psp = psp
        self.app_version = app_version
        self.port = port or free_port()
        self.log_path = log_path
        self.extra_env = dict(extra_env or {})
        self.env_file = env_file  # the platform's settings, rewritten at every start
        self.proc: subprocess.Popen[bytes] | None = None
        self._token: int | None = None

    def __repr__(self) -> str:  # no DSN, no PSP secrets
        state = "running" if self.running else "stopped"
        return f"<EmbeddedPlatform app v{self.app_version} at {self.url} ({state})>"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def settings(self) -> dict[str, str]:
        """The deployment settings the platform starts with (secrets included)."""
        return self.psp.env() | {"REFBANK_DSN": self.dsn, "REFBANK_APP_VERSION": self.app_version}

    def _settings_as_deployed(self) -> dict[str, str]:
        if self.env_file is None:
            return self.settings()
        write_env_file(self.env_file, self.settings())
        return {name: var.value for name, var in read_env_file(self.env_file).vars.items()}

    def start(self, *, timeout: float = 60.0) -> None:
        env = os.environ.copy() | self._settings_as_deployed() | self.extra_env
        argv = [
            sys.executable,
            "-m",
            MODULE,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        finally:
            if self.log_path:
                log.close()  # type: ignore[union-attr]
        # Ended by the clean-up watchdog if golive dies without stopping it (SIGKILL).
        orphans = cleanup.Orphans(pids=(cleanup.process(self.proc.pid),))
        self._token = cleanup.register(self.stop, orphans)
        self._wait_healthy(timeout)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:] if self.log_path else ""
                raise TargetUnreachable(
                    f"the embedded platform (app v{self.app_version}) exited with code "
                    f"{self.proc.returncode} during start-up:\n{tail}"
                )
            try:
                health = httpx.get(f"{self.url}/health", timeout=1, verify=tls_context())
                if health.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise TargetUnreachable(f"the embedded platform did not answer /health within {timeout}s")

    def stop(self) -> None:
        if self._token is not None:
            cleanup.unregister(self._token)
            self._token = None
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self, *, app_version: str | None = None) -> None:
        """Switch the app (same port, same database): stop, then start the given version."""
        self.stop()
        if app_version:
            self.app_version = app_version
        self.start()
