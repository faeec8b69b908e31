"""examples/external-refbank: start.sh brings refbank up as an ordinary service, the
operations of its golive.toml drive it, and stop.sh leaves nothing running."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from golive.evidence.redact import Redactor
from golive.operations import OperationFailed, SecretsFile, parse_operations, write_secrets_file
from golive.postgres.base import free_port

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "external-refbank"
NEW_SECRET = "whsec_" + "n3w" * 10

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("initdb") is None and not list(Path("/usr/lib/postgresql").glob("*/bin")),
        reason="no Postgres server binaries",
    ),
]


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def gone(pid: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not running(pid):
            return True
        time.sleep(0.1)
    return False


def stripe_webhook(url: str, secret: str) -> str:
    """POST an empty event signed with ``secret``; the platform's error code."""
    body = b"{}"
    t = str(int(time.time()))
    sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    reply = httpx.post(
        f"{url}/webhooks/stripe", content=body, headers={"Stripe-Signature": f"t={t},v1={sig}"}
    )
    return str(reply.json()["error"]["code"])


def replays(url: str) -> bool:
    """Whether a retried POST with the same Idempotency-Key gives back the same account."""
    key = {"Idempotency-Key": f"golive-{time.monotonic_ns()}"}
    body = {"owner_ref": "ops-example", "currency": "EUR"}
    ids = [httpx.post(f"{url}/accounts", json=body, headers=key).json()["id"] for _ in (1, 2)]
    return ids[0] == ids[1]


def example_env(tmp_path: Path) -> dict[str, str]:
    """Free ports, a state folder of the test's own, this golive first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFBANK_", "GOLIVE_"))}
    return env | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "GOLIVE_PLATFORM_STATE": str(tmp_path / "state"),
        "REFBANK_PORT": str(free_port()),
        "EXAMPLE_PG_PORT": str(free_port()),
    }


@pytest.fixture
def example(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The example started with a fault switched on; stopped (and checked) at the end."""
    env = example_env(tmp_path)
    port = env["REFBANK_PORT"]
    started = subprocess.run(
        [EXAMPLE / "start.sh"],
        env=env | {"GOLIVE_PLATFORM_FAULTS": "idempotency-ignored"},
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        yield f"http://127.0.0.1:{port}", env
    finally:
        state = tmp_path / "state"
        pids = (
            [int((state / "platform.pid").read_text())] if (state / "platform.pid").exists() else []
        )
        pgdata = (
            Path((state / "pgdata").read_text().strip()) if (state / "pgdata").exists() else None
        )
        if pgdata and (pgdata / "data" / "postmaster.pid").exists():
            pids.append(int((pgdata / "data" / "postmaster.pid").read_text().split()[0]))
        stopped = subprocess.run(
            [EXAMPLE / "stop.sh"], env=env, capture_output=True, text=True, timeout=120
        )
        assert stopped.returncode == 0, stopped.stderr[-2000:]
        assert pids
        assert all(gone(pid) for pid in pids), pids
        assert pgdata is not None
        assert not pgdata.exists()
        assert not (state / "platform.env").exists()


def test_the_example_is_driven_by_its_operations(
    example: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, env = example
    assert httpx.get(f"{url}/health").status_code == 200
    assert httpx.get(f"{url}/version").json()["app_version"] == "2"
    assert not replays(url)  # the fault given to start.sh is on

    config = tomllib.loads((EXAMPLE / "golive.toml").read_text())
    ops = parse_operations(config["target"]["operations"], cwd=EXAMPLE)
    assert set(ops.names) >= {"deploy", "migrate", "stop", "start", "set_webhook_secrets",
                              "seed_balance"}  # fmt: skip
    redactor = Redactor()

    def run(name: str, **values: str) -> dict[str, object]:
        return ops.run(name, values, env=env, redactor=redactor).to_dict()

    run("deploy", release="1")
    assert httpx.get(f"{url}/version").json() == {
        "app_version": "1", "schema_version": "2", "contract": "1.0",
    }  # fmt: skip
    run("migrate", schema="1", lock_timeout_ms="3000")
    assert httpx.get(f"{url}/version").json()["schema_version"] == "1"
    run("migrate", schema="2", lock_timeout_ms="3000")
    entry = run("deploy", release="2")
    assert entry["exit_code"] == 0
    assert "started release 2" in str(entry["stdout_tail"])
    assert httpx.get(f"{url}/version").json()["app_version"] == "2"
    # golive's environment has no GOLIVE_PLATFORM_FAULTS: the platform kept its own
    assert not replays(url)

    run("stop")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/health", timeout=2)
    run("start")
    assert httpx.get(f"{url}/health").status_code == 200

    assert stripe_webhook(url, NEW_SECRET) == "invalid_signature"
    secrets = write_secrets_file(tmp_path / "secrets.env", SecretsFile((NEW_SECRET,), ""))
    redactor.register(NEW_SECRET)
    entry = run("set_webhook_secrets", secrets_file=str(secrets))
    assert NEW_SECRET not in json.dumps(entry)
    assert stripe_webhook(url, NEW_SECRET) == "malformed_event"  # past the signature check

    body = {"owner_ref": "before-the-backup", "currency": "EUR"}
    account = httpx.post(f"{url}/accounts", json=body, headers={"Idempotency-Key": "b1"}).json()
    run("backup", backup=str(tmp_path / "ledger.dump"))
    server = f"postgresql://golive@127.0.0.1:{env['EXAMPLE_PG_PORT']}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute("CREATE DATABASE refbank_restored")
    run("restore_into", backup=str(tmp_path / "ledger.dump"), dsn=f"{server}/refbank_restored")
    run("use_database", dsn=f"{server}/refbank_restored")
    with psycopg.connect(f"{server}/refbank_restored") as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", ("refbank",))
        assert row.fetchone() == (0,)  # the platform left the database it was backed up from
    assert httpx.get(f"{url}/accounts/{account['id']}").json()["owner_ref"] == "before-the-backup"

    entry = run("seed_balance", account=account["id"], amount=str(2**63 - 2), currency="EUR")
    assert str(entry["stdout_tail"]).strip().endswith(f"its balance is {2**63 - 2}")
    assert httpx.get(f"{url}/accounts/{account['id']}/balance").json()["available"] == 2**63 - 2
    with pytest.raises(OperationFailed, match=r"past 2\^63-1"):
        run("seed_balance", account=account["id"], amount="2", currency="EUR")


def test_a_start_that_fails_stops_what_it_started(tmp_path: Path) -> None:
    env = example_env(tmp_path)
    with socket.socket() as busy:  # something else holds refbank's port
        busy.bind(("127.0.0.1", int(env["REFBANK_PORT"])))
        busy.listen()
        out = subprocess.run(
            [EXAMPLE / "start.sh"], env=env, capture_output=True, text=True, timeout=180
        )
    assert out.returncode == 1, out.stderr[-2000:]
    assert f"something else already listens on http://127.0.0.1:{env['REFBANK_PORT']}" in out.stderr
    assert "Postgres stopped and removed" in out.stderr
    assert not (tmp_path / "state" / "pgdata").exists()
    assert not (tmp_path / "state" / "platform.env").exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(env["EXAMPLE_PG_PORT"]))) != 0
