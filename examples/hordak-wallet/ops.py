"""The wallet's operations, as golive's [target.operations] run them (plain commands).

    .venv/bin/python ops.py start [--port P] | stop [--now] | deploy --release N
        | migrate --schema S [--lock-timeout-ms MS] | set-webhook-secrets --file F
        | backup --to F | restore-into --dsn D --from F | use-database --dsn D

The wallet's environment lives in STATE/wallet.env (STATE is $WALLET_STATE or
./.wallet-state), written once by start.sh: every operation runs the wallet with it, so the
settings and faults it was started with survive deploys and restarts. Exit 0 when done,
1 with one line on stderr when not.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATE = Path(os.environ.get("WALLET_STATE") or HERE / ".wallet-state")
ENV_FILE = STATE / "wallet.env"
PID_FILE = STATE / "gunicorn.pid"
LOG = STATE / "wallet.log"
SCHEMAS = {"1": "0001", "2": "0002"}


class Failed(Exception):
    pass


def read_env() -> dict[str, str]:
    if not ENV_FILE.exists():
        raise Failed(f"{ENV_FILE} does not exist: run start.sh first")
    out = {}
    for line in ENV_FILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


def write_env(env: dict[str, str]) -> None:
    tmp = ENV_FILE.with_suffix(".tmp")
    tmp.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    tmp.chmod(0o600)
    tmp.replace(ENV_FILE)


def _process_env(env: dict[str, str]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("WALLET_", "HORDAK_"))}
    return keep | env | {"DJANGO_SETTINGS_MODULE": "walletsite.settings"}


def pid() -> int | None:
    """The running gunicorn master start() recorded (not a process that reused its pid)."""
    try:
        n = int(PID_FILE.read_text())
        cmdline = Path(f"/proc/{n}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return n if b"gunicorn" in cmdline else None


def url(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env.get('WALLET_PORT', '8100')}"


def answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/status", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def start(port: str | None = None, timeout: float = 60.0) -> None:
    env = read_env()
    if port and port != env.get("WALLET_PORT"):
        stop()
        env["WALLET_PORT"] = port
        write_env(env)
    if pid():
        return
    if answers(url(env)):
        raise Failed(f"something else answers on {url(env)}")
    log = LOG.open("ab")
    proc = subprocess.Popen(
        [
            str(HERE / ".venv/bin/gunicorn"),
            "walletsite.wsgi",
            "--bind",
            f"127.0.0.1:{env.get('WALLET_PORT', '8100')}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
        ],
        cwd=HERE,
        env=_process_env(env),
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    PID_FILE.write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failed(f"the wallet exited with {proc.returncode}: {_last_words()}")
        if answers(url(env)):
            return
        time.sleep(0.2)
    stop(now=True)
    raise Failed(f"the wallet did not answer within {timeout:.0f} s: {_last_words()}")


def _last_words() -> str:
    try:
        return " | ".join(LOG.read_text(errors="replace").strip().splitlines()[-3:])[-600:]
    except OSError:
        return "(no log)"


def stop(now: bool = False) -> None:
    n = pid()
    if n is None:
        PID_FILE.unlink(missing_ok=True)
        return
    os.killpg(n, signal.SIGKILL if now else signal.SIGTERM)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and pid():
        with contextlib.suppress(ChildProcessError):
            os.waitpid(n, os.WNOHANG)  # reap it when it is our child
        time.sleep(0.1)
    if pid():
        os.killpg(n, signal.SIGKILL)
        time.sleep(0.5)
    PID_FILE.unlink(missing_ok=True)


def restart_if_running() -> None:
    if pid():
        stop()
        start()


def deploy(release: str) -> None:
    if release not in ("1", "2"):
        raise Failed(f"release {release!r} does not exist (1 or 2)")
    env = read_env()
    if env.get("WALLET_RELEASE") == release and pid():
        return
    env["WALLET_RELEASE"] = release
    write_env(env)
    stop()
    start()


def migrate(schema: str, lock_timeout_ms: str | None = None) -> None:
    if schema not in SCHEMAS:
        raise Failed(f"schema {schema!r} does not exist (1 or 2)")
    env = _process_env(read_env())
    if lock_timeout_ms:
        env["PGOPTIONS"] = f"-c lock_timeout={int(lock_timeout_ms)}"
    env["PGAPPNAME"] = "golive drill migration"  # golive's failed-upgrade drill watches its locks
    run = subprocess.run(
        [
            str(HERE / ".venv/bin/python"),
            "manage.py",
            "migrate",
            "wallet",
            SCHEMAS[schema],
            "--no-input",
        ],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    with LOG.open("a") as f:
        f.write(run.stdout + run.stderr)
    if run.returncode:
        raise Failed(f"migrate to {schema} failed: {(run.stderr or run.stdout).strip()[-400:]}")


def set_webhook_secrets(file: str) -> None:
    given = {}
    for line in Path(file).read_text().splitlines():
        k, sep, v = line.partition("=")
        if sep:
            given[k.strip()] = v.strip()
    env = read_env()
    if "STRIPE_WEBHOOK_SECRETS" in given:
        env["WALLET_STRIPE_WEBHOOK_SECRETS"] = given["STRIPE_WEBHOOK_SECRETS"]
    if "ADYEN_HMAC_KEY" in given:
        env["WALLET_ADYEN_HMAC_KEY"] = given["ADYEN_HMAC_KEY"]
    write_env(env)
    restart_if_running()


def _pg(tool: str) -> str:
    pgbin = STATE / "pgbin"
    if pgbin.exists() and (Path(pgbin.read_text().strip()) / tool).exists():
        return str(Path(pgbin.read_text().strip()) / tool)
    found = shutil.which(tool)
    if not found:
        raise Failed(f"{tool} not found (set PG_BIN for start.sh, or put it on PATH)")
    return found


def backup(to: str) -> None:
    dsn = read_env()["WALLET_DATABASE_URL"]
    run = subprocess.run([_pg("pg_dump"), "-Fc", "-f", to, dsn], capture_output=True, text=True)
    if run.returncode:
        raise Failed(f"pg_dump failed: {run.stderr.strip()[-400:]}")


def restore_into(dsn: str, source: str) -> None:
    run = subprocess.run(
        [_pg("pg_restore"), "--single-transaction", "--no-owner", "-d", dsn, source],
        capture_output=True,
        text=True,
    )
    if run.returncode:
        raise Failed(f"pg_restore failed: {run.stderr.strip()[-400:]}")


def use_database(dsn: str) -> None:
    env = read_env()
    env["WALLET_DATABASE_URL"] = dsn
    write_env(env)
    stop()
    start()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="ops.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="op", required=True)
    sub.add_parser("start").add_argument("--port")
    sub.add_parser("stop").add_argument("--now", action="store_true")
    sub.add_parser("deploy").add_argument("--release", required=True)
    m = sub.add_parser("migrate")
    m.add_argument("--schema", required=True)
    m.add_argument("--lock-timeout-ms")
    sub.add_parser("set-webhook-secrets").add_argument("--file", required=True)
    sub.add_parser("backup").add_argument("--to", required=True)
    r = sub.add_parser("restore-into")
    r.add_argument("--dsn", required=True)
    r.add_argument("--from", dest="source", required=True)
    sub.add_parser("use-database").add_argument("--dsn", required=True)
    a = p.parse_args(argv)
    STATE.mkdir(parents=True, exist_ok=True)
    try:
        {
            "start": lambda: start(a.port),
            "stop": lambda: stop(a.now),
            "deploy": lambda: deploy(a.release),
            "migrate": lambda: migrate(a.schema, a.lock_timeout_ms),
            "set-webhook-secrets": lambda: set_webhook_secrets(a.file),
            "backup": lambda: backup(a.to),
            "restore-into": lambda: restore_into(a.dsn, a.source),
            "use-database": lambda: use_database(a.dsn),
        }[a.op]()
    except (Failed, OSError, subprocess.SubprocessError) as exc:
        print(f"ops.py {a.op}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
