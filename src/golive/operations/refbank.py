"""golive's operations for the reference platform (refbank) run as an ordinary service.

What `golive platform start|stop|deploy|migrate|set-webhook-secrets|seed-balance` do. A state folder
keeps what a service manager would: the platform's environment (``platform.env``, owner
only: it holds the DSN and the webhook secrets), its pid and its log. The environment is
recorded by the first ``start`` (every ``REFBANK_*`` variable and ``GOLIVE_PLATFORM_FAULTS``)
and reused by every later operation, so an operation run from another shell — golive's —
does not change the platform's configuration. golive never imports refbank: it runs
``python -m refbank`` and meets it at /health.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from golive.envcheck.envfile import read_env_file
from golive.errors import ConfigError, PlatformFault
from golive.operations.secrets import read_secrets_file

MODULE = "refbank"
FAULTS_VAR = "GOLIVE_PLATFORM_FAULTS"
STATE_ENV = "GOLIVE_PLATFORM_STATE"
DEFAULT_STATE = Path(".golive-platform")
LOG_TAIL = 2000


class PlatformCommandFailed(PlatformFault):
    """The platform did not start, stop or migrate as asked."""


def _platform_var(name: str) -> bool:
    return name.startswith("REFBANK_") or name == FAULTS_VAR


def _quoted(value: str) -> str:
    for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("$", "\\$"), ("\n", "\\n")):
        value = value.replace(char, escaped)
    return f'"{value}"'


def _alive(pid: int) -> bool:
    """``pid`` runs and is the reference platform (not a pid the system gave out again)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process: not ours
    proc = Path(f"/proc/{pid}")
    if not proc.exists():  # no /proc (macOS): trust the pid
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return False
    return state != "Z" and MODULE.encode() in cmdline


@dataclass
class PlatformState:
    """The state folder of one platform instance."""

    folder: Path

    @classmethod
    def at(cls, folder: Path | None) -> PlatformState:
        chosen = folder or Path(os.environ.get(STATE_ENV) or DEFAULT_STATE)
        if chosen.exists() and not chosen.is_dir():
            raise ConfigError(
                f"--state {str(chosen)!r} is a file; name the platform's state folder"
            )
        return cls(chosen)

    @property
    def env_file(self) -> Path:
        return self.folder / "platform.env"

    @property
    def pid_file(self) -> Path:
        return self.folder / "platform.pid"

    @property
    def log_file(self) -> Path:
        return self.folder / "platform.log"

    # -- the platform's environment ---------------------------------------------------------
    def recorded(self) -> dict[str, str] | None:
        if not self.env_file.exists():
            return None
        return {name: var.value for name, var in read_env_file(self.env_file).vars.items()}

    def settings(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The recorded environment, or (first start) the platform's part of ``environ``."""
        saved = self.recorded()
        if saved is not None:
            return saved
        environ = os.environ if environ is None else environ
        return {FAULTS_VAR: ""} | {k: v for k, v in environ.items() if _platform_var(k)}

    def record(self, settings: Mapping[str, str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        text = "".join(f"{k}={_quoted(v)}\n" for k, v in sorted(settings.items()))
        fd = os.open(self.env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)

    def environment(self, settings: Mapping[str, str]) -> dict[str, str]:
        """This process's environment with the platform's part replaced by ``settings``."""
        base = {k: v for k, v in os.environ.items() if not _platform_var(k)}
        return base | dict(settings)

    # -- the process ------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The running platform's pid, or None (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if _alive(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def log_size(self) -> int:
        try:
            return self.log_file.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int) -> str:
        """The end of what the platform logged after ``offset`` (at most LOG_TAIL chars)."""
        try:
            with open(self.log_file, "rb") as fh:
                fh.seek(max(offset, self.log_size() - 4 * LOG_TAIL))
                return fh.read().decode("utf-8", "replace").strip()[-LOG_TAIL:]
        except OSError:
            return ""


def url_of(settings: Mapping[str, str]) -> str:
    host = settings.get("REFBANK_HOST") or "127.0.0.1"
    port = settings.get("REFBANK_PORT") or "8000"
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _listening(url: str) -> bool:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, int(port))) == 0


def start(state: PlatformState, changes: Mapping[str, str], *, timeout_s: float = 60.0) -> str:
    """Start the platform with the recorded settings plus ``changes``; restart it when it
    runs with other settings. Returns what was done."""
    before = state.settings()
    settings = before | {k: v for k, v in changes.items() if v}
    if not settings.get("REFBANK_DSN"):
        raise ConfigError(
            f"no database for the platform in {state.folder}: give --dsn DSN (or set REFBANK_DSN) "
            "on its first start"
        )
    running = state.pid()
    if running is not None and settings == before and state.recorded() is not None:
        return f"already running (pid {running}) at {url_of(settings)}"
    if running is not None:
        stop(state)
    url = url_of(settings)
    if _listening(url):  # else its /health could pass for the new platform's
        raise PlatformCommandFailed(f"something else already listens on {url}; stop it first")
    state.folder.mkdir(parents=True, exist_ok=True)
    offset = state.log_size()
    with open(state.log_file, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", MODULE, "serve"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=state.environment(settings), start_new_session=True,
        )  # fmt: skip
    state.pid_file.write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            state.pid_file.unlink(missing_ok=True)
            said = state.log_since(offset).splitlines()[-1:] or ["(nothing)"]
            raise PlatformCommandFailed(
                f"the platform exited with code {proc.returncode} during start-up: {said[0]} "
                f"(its log: {state.log_file}; its recorded settings are unchanged)"
            )
        if _healthy(url):
            state.record(settings)  # only settings the platform started with are kept
            release = settings.get("REFBANK_APP_VERSION", "1")
            return f"started release {release} (pid {proc.pid}) at {url}"
        time.sleep(0.1)
    stop(state)
    raise PlatformCommandFailed(f"the platform did not answer {url}/health within {timeout_s:g} s")


def stop(state: PlatformState, *, now: bool = False, timeout_s: float = 15.0) -> str:
    """Stop the platform (SIGTERM, SIGKILL after ``timeout_s``; ``now``: SIGKILL at once)."""
    pid = state.pid()
    if pid is None:
        return "not running"
    signals = [signal.SIGKILL] if now else [signal.SIGTERM, signal.SIGKILL]
    for sig in signals:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)
        if not _alive(pid):
            state.pid_file.unlink(missing_ok=True)
            return f"stopped (pid {pid})" + (" at once" if now else "")
    raise PlatformCommandFailed(f"the platform (pid {pid}) did not stop after SIGKILL")


def deploy(state: PlatformState, release: str, *, timeout_s: float = 60.0) -> str:
    """Switch the app to ``release``: stop, start the release; nothing when it already runs."""
    settings = state.settings()
    if state.pid() is not None and settings.get("REFBANK_APP_VERSION") == release:
        return f"already release {release}"
    stop(state)
    return start(state, {"REFBANK_APP_VERSION": release}, timeout_s=timeout_s)


def migrate(
    state: PlatformState, schema: str, *, dsn: str | None = None, lock_timeout_ms: int | None = None
) -> str:
    """``python -m refbank migrate --to SCHEMA`` on the platform's database; what it did.

    ``dsn`` (recorded for later operations) is needed when the platform never started. With
    ``lock_timeout_ms`` a migration that meets a lock fails instead of stalling the platform
    (``PGOPTIONS``, as deploys do). Its whole output is appended to ``migrate.log``.
    """
    from golive.drills.rollback.schema import MIGRATION_APP_NAME

    settings = state.settings()
    if dsn:
        settings["REFBANK_DSN"] = dsn
        state.record(settings)
    if not settings.get("REFBANK_DSN"):
        raise ConfigError(
            f"no database for the platform in {state.folder}: give --dsn DSN (or set REFBANK_DSN)"
        )
    env = state.environment(settings)
    if lock_timeout_ms is not None:
        env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={lock_timeout_ms}".strip()
    env["PGAPPNAME"] = MIGRATION_APP_NAME  # so a drill's lock watcher sees its locks
    argv = [sys.executable, "-m", MODULE, "migrate", "--to", schema]
    out = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    log = state.folder / "migrate.log"
    state.folder.mkdir(parents=True, exist_ok=True)
    with open(log, "a") as fh:
        fh.write(f"$ refbank migrate --to {schema}\n{out.stdout}{out.stderr}")
    if out.returncode == 0:
        return out.stdout.strip() or f"schema {schema}"
    last = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1].strip()
    if out.returncode == 2:  # refbank refused its arguments or settings
        raise ConfigError(f"refbank refused the migration to schema {schema!r}: {last}")
    raise PlatformCommandFailed(
        f"the migration to schema {schema} failed (exit {out.returncode}): {last} "
        f"(all of it: {log})"
    )


def seed_balance(state: PlatformState, account: str, amount: int, currency: str) -> str:
    """``python -m refbank seed``: book ``amount`` onto ``account`` in the platform's database
    directly (a balanced deposit whose counter-leg is a clearing account of its own); what
    refbank said. A test fixture for balances no PSP would take the platform to."""
    settings = state.settings()
    if not settings.get("REFBANK_DSN"):
        raise ConfigError(f"no database for the platform in {state.folder}: start it first")
    argv = [sys.executable, "-m", MODULE, "seed", "--account", account,
            "--amount", str(amount), "--currency", currency]  # fmt: skip
    out = subprocess.run(
        argv, env=state.environment(settings), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode == 0:
        return out.stdout.strip()
    last = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1].strip()
    if out.returncode == 2:
        raise ConfigError(last.removeprefix("refbank: error: "))
    raise PlatformCommandFailed(last.removeprefix("refbank: "))


def set_webhook_secrets(state: PlatformState, secrets_file: Path) -> str:
    """Take the webhook secrets in ``secrets_file``; restart the platform if it runs."""
    secrets = read_secrets_file(secrets_file)
    changes: dict[str, str] = {}
    if secrets.stripe:
        changes["REFBANK_STRIPE_WEBHOOK_SECRETS"] = ",".join(secrets.stripe)
    if secrets.adyen_hmac_key:
        changes["REFBANK_ADYEN_HMAC_KEY"] = secrets.adyen_hmac_key
    what = f"{len(secrets.stripe)} Stripe secret(s)" + (
        ", the Adyen HMAC key" if secrets.adyen_hmac_key else ""
    )
    if state.pid() is None:
        state.record(state.settings() | changes)
        return f"webhook secrets set ({what}); they apply at the next start"
    return f"webhook secrets set ({what}); " + start(state, changes)


def _pg_tool(name: str) -> str:
    from golive.postgres.binaries import find_binaries

    return str(find_binaries().tool(name))


def backup(state: PlatformState, dest: Path) -> int:
    """``pg_dump -Fc`` of the platform's database into ``dest``; pg_dump's exit code."""
    dsn = state.settings().get("REFBANK_DSN")
    if not dsn:
        raise ConfigError(f"no database for the platform in {state.folder}: start it first")
    argv = [_pg_tool("pg_dump"), "-Fc", "--no-password", "--file", str(dest), "--dbname", dsn]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, check=False).returncode


def restore_into(dsn: str, source: Path) -> int:
    """``pg_restore`` of ``source`` into the (empty) database ``dsn``, all or nothing."""
    if not source.is_file():
        raise ConfigError(f"--from {str(source)!r} is not a file; give the path backup wrote")
    argv = [
        _pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
        "--single-transaction", "--no-password", "--dbname", dsn, str(source),
    ]  # fmt: skip
    return subprocess.run(argv, stdin=subprocess.DEVNULL, check=False).returncode
