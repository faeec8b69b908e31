"""The embedded default target: the reference platform run as a service on loopback.

golive never imports the reference platform: it runs it with golive's own operations for it
(golive.operations.refbank: ``python -m refbank serve`` in the background, its environment,
pid and log in a state folder) and meets it at the HTTP contract. The environment is passed
through unchanged (the platform reads its own fault switches from it; golive does not). Its
deployment settings (database, PSP addresses, keys and webhook secrets) are written to an env
file, as a deployment would keep them, and the platform is started from what that file says:
the env readiness scenarios check the same file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from golive.envcheck.envfile import read_env_file, write_env_file
from golive.errors import TargetUnreachable
from golive.operations import refbank
from golive.postgres import cleanup
from golive.postgres.base import free_port

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
    """The reference platform as a service on a fixed loopback port, run with golive's own
    operations for it (``golive platform``) in a state folder, so the commands of
    ``refbank_operations(platform.state)`` switch, stop and start this very process."""

    def __init__(
        self, *, dsn: str, psp: PspWiring, app_version: str = "2",
        port: int | None = None, log_path: Path | None = None,
        extra_env: Mapping[str, str] | None = None, env_file: Path | None = None,
        state: Path | None = None,
    ) -> None:  # fmt: skip
        self.dsn = dsn
        self.psp = psp
        self.app_version = app_version
        self.port = port or free_port()
        self.log_path = log_path  # where the platform's log is copied when it stops
        self.extra_env = dict(extra_env or {})
        self.env_file = env_file  # the platform's settings, rewritten at every start
        self._given_state = state  # the state folder; None: a private one per start
        self._state: Path | None = state
        self._token: int | None = None

    def __repr__(self) -> str:  # no DSN, no PSP secrets
        state = "running" if self.running else "stopped"
        return f"<EmbeddedPlatform app v{self.app_version} at {self.url} ({state})>"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state(self) -> Path:
        """The state folder `golive platform --state` operates on."""
        if self._state is None:
            self._state = Path(tempfile.mkdtemp(prefix="golive-platform-"))
        return self._state

    @property
    def running(self) -> bool:
        return self._state is not None and refbank.PlatformState(self._state).pid() is not None

    def settings(self) -> dict[str, str]:
        """The deployment settings the platform starts with (secrets included)."""
        return self.psp.env() | {"REFBANK_DSN": self.dsn, "REFBANK_APP_VERSION": self.app_version}

    def _settings_as_deployed(self) -> dict[str, str]:
        if self.env_file is None:
            return self.settings()
        write_env_file(self.env_file, self.settings())
        return {name: var.value for name, var in read_env_file(self.env_file).vars.items()}

    def start(self, *, timeout: float = 60.0) -> None:
        """Record the settings in the state folder and start the platform from them."""
        state = refbank.PlatformState(self.state)
        if state.pid() is not None:
            refbank.stop(state)
        passed = {k: v for k, v in os.environ.items() if k.startswith("REFBANK_")}
        listen = {"REFBANK_HOST": "127.0.0.1", "REFBANK_PORT": str(self.port)}
        faults = {refbank.FAULTS_VAR: os.environ.get(refbank.FAULTS_VAR, "")}
        state.record(faults | passed | self._settings_as_deployed() | listen | dict(self.extra_env))
        try:
            refbank.start(state, {}, timeout_s=timeout)
        except refbank.PlatformCommandFailed as exc:
            self._keep_log()
            raise TargetUnreachable(
                f"the embedded platform (app v{self.app_version}) did not start: {exc}"
            ) from None
        pid = state.pid()
        # Ended by the clean-up watchdog if golive dies without stopping it (SIGKILL).
        orphans = cleanup.Orphans(pids=(cleanup.process(pid),) if pid else ())
        self._token = cleanup.register(self.stop, orphans)

    def stop(self, *, now: bool = False) -> None:
        """Stop whatever release runs in the state folder (an operation may have switched it)."""
        if self._token is not None:
            cleanup.unregister(self._token)
            self._token = None
        if self._state is None:
            return
        refbank.stop(refbank.PlatformState(self._state), now=now)
        self._keep_log()
        if self._given_state is None:  # a private folder: it holds the secrets
            shutil.rmtree(self._state, ignore_errors=True)
            self._state = None

    def kill(self) -> None:
        """Take the platform down at once, as a crash would."""
        self.stop(now=True)

    def _keep_log(self) -> None:
        if self.log_path is None or self._state is None:
            return
        log = refbank.PlatformState(self._state).log_file
        if log.is_file():
            shutil.copyfile(log, self.log_path)

    def restart(self, *, app_version: str | None = None) -> None:
        """Switch the app (same port, same database): stop, then start the given version."""
        self.stop()
        if app_version:
            self.app_version = app_version
        self.start()
