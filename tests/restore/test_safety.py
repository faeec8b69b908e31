"""A drill refuses a server golive did not create unless it is marked disposable — before it
touches anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.drills.restore import RestoreDrill, run_logical_drill
from golive.drills.restore.safety import require_disposable
from golive.drills.restore.seed import SeedAccount
from golive.errors import ExitCode, ProviderUnavailable, UnsafeTarget
from golive.money import Money
from golive.postgres import Instance
from golive.postgres.dsn import DsnProvider


def databases(server: Instance) -> list[str]:
    return sorted(str(r[0]) for r in server.execute("SELECT datname FROM pg_database"))


@pytest.mark.parametrize("kind", ["logical", "pitr", "dump", "basebackup"])
def test_a_dsn_not_marked_disposable_is_refused(
    server: Instance, tmp_path: Path, kind: str
) -> None:
    before = databases(server)
    provider = DsnProvider(server.dsn(), disposable=False)
    try:
        with pytest.raises(UnsafeTarget) as err:
            RestoreDrill(provider, kind=kind, workdir=tmp_path / "drill")
    finally:
        provider.close()
    assert err.value.exit_code == ExitCode.USAGE
    assert "GOLIVE_PG_DISPOSABLE=1" in str(err.value)
    assert f"{server.host}:{server.port}" in str(err.value)
    assert databases(server) == before, "nothing may be created on a refused server"


def test_a_whole_drill_is_refused_with_nothing_touched(server: Instance, tmp_path: Path) -> None:
    before = databases(server)
    provider = DsnProvider(server.dsn(), disposable=False)
    try:
        with pytest.raises(UnsafeTarget):
            run_logical_drill(
                provider,
                tmp_path,
                accounts=[SeedAccount("x", Money(100, "EUR"), "stripe")],
                transfers=1,
            )
    finally:
        provider.close()
    assert databases(server) == before
    assert not (tmp_path / "ledger.dump").exists()


def test_disposable_servers_pass_the_check(server: Instance, tmp_path: Path) -> None:
    require_disposable(server, "destroy it")  # golive made it: disposable
    provider = DsnProvider(server.dsn(), disposable=True)
    try:
        RestoreDrill(provider, kind="logical", workdir=tmp_path).close()
        # a DSN server cannot archive WAL: a usage error, still before any change
        before = databases(server)
        with pytest.raises(ProviderUnavailable, match="--postgres local"):
            RestoreDrill(provider, kind="pitr", workdir=tmp_path)
        assert databases(server) == before
    finally:
        provider.close()
