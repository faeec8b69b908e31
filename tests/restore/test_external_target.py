"""The logical restore drill on an external target: refbank started by
examples/external-refbank/start.sh (its own Postgres, process and port) and driven only
through its API and the example's [target.operations]. The restored database must be the
target's own (a customer made on the target before the drill is in it), and the canary
must have run on it through the target, which is then put back on its own database.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.config_target import PspSettings
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.scenario import seed_books
from golive.drills.restore.seed import SeedAccount
from golive.drills.restore.target import DrillTarget
from golive.money import Money
from golive.operations import parse_operations
from golive.postgres import Provider
from golive.postgres.base import free_port
from golive.stack import external_stack

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "external-refbank"
CUSTOMERS = [SeedAccount(f"ext-{i}", Money(40_000, "EUR"), "stripe") for i in range(6)]


@pytest.fixture
def external_refbank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DrillTarget]:
    """start.sh on free ports; the example's operations, run with its state folder."""
    port, pg_port, psp_port = free_port(), free_port(), free_port()
    monkeypatch.setenv("GOLIVE_PSP_STRIPE_WEBHOOK_SECRET", f"whsec_{secrets.token_hex(24)}")
    monkeypatch.setenv("GOLIVE_PSP_ADYEN_HMAC_KEY", secrets.token_hex(32))
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GOLIVE_PLATFORM_STATE": str(tmp_path / "state"),
        "REFBANK_PORT": str(port),
        "EXAMPLE_PG_PORT": str(pg_port),
        "GOLIVE_PSP_PORT": str(psp_port),
    }
    run = subprocess.run(
        [str(EXAMPLE / "start.sh")], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    table = tomllib.loads((EXAMPLE / "golive.toml").read_text())["target"]["operations"]
    url = f"http://127.0.0.1:{port}"
    dsn = f"postgresql://golive@127.0.0.1:{pg_port}/refbank"
    try:
        with external_stack(url, psp=PspSettings(port=psp_port), database=dsn) as stack:
            yield DrillTarget(
                url, stack.psp_url, parse_operations(table, cwd=EXAMPLE), dsn,
                connect=stack.open_target, env=env,
            )  # fmt: skip
    finally:
        subprocess.run([str(EXAMPLE / "stop.sh")], env=env, capture_output=True, timeout=120)


def test_the_logical_drill_restores_the_targets_own_database(
    external_refbank: DrillTarget, local_provider: Provider, tmp_path: Path
) -> None:
    target = external_refbank
    client = target.client()
    try:
        marker = client.create_account(f"made-on-the-target-{secrets.token_hex(4)}", "EUR")
    finally:
        client.close()
    with RestoreDrill(
        local_provider, kind="logical", workdir=tmp_path / "drill", target=target,
        options=DrillOptions(workers=1),
    ) as drill:  # fmt: skip
        drill.require_target()
        drill.use_books(seed_books(target, CUSTOMERS, transfers=10))
        drill.logical_backup()
        drill.disaster()
        assert drill.restore_logical(), drill.findings
        assert drill.restored is not None
        rows = drill.restored.execute(
            f"SELECT owner_ref FROM accounts WHERE id = '{marker.id}'", drill.restored_db
        )
        assert rows == [(marker.owner_ref,)], "the restore holds the target's own customer"
        drill.verify()
        drill.run_canary()
        report = drill.finish()
        restored_dsn = drill.restored.dsn(drill.restored_db)
    assert report.verdict == "GO", report.summary()
    assert report.facts["engine"].startswith("operations")
    ran = [(op["operation"], " ".join(op["argv"])) for op in report.facts["operations"]]
    assert [name for name, _ in ran] == ["backup", "kill", "restore_into", "use_database"]
    assert all(argv.startswith("golive platform") for _, argv in ran), ran
    assert restored_dsn.split("@")[-1] in ran[-1][1]  # the canary ran on the restored database
    # put back on its own database: the customer is there, the canary's accounts are not
    recorded = (Path(target.env["GOLIVE_PLATFORM_STATE"]) / "platform.env").read_text()  # type: ignore[index]
    assert target.database in recorded
    client = target.client()
    try:
        assert client.balance(marker.id).currency == "EUR"
    finally:
        client.close()
