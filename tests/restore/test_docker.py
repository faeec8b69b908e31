"""The same backups and restores with Postgres in containers, whose client tools may run
inside the container (``docker exec``): dumps and base backups stream through stdout, and
pg_verifybackup reads a staged copy in the instance's shared folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from golive.drills.restore import physical as phys
from golive.drills.restore.checksums import compare_sums, table_sums
from golive.drills.restore.logical import dump_database, restore_dump
from golive.drills.restore.reference import take_reference
from golive.drills.restore.tools import in_container
from golive.postgres import InstanceSpec, Provider
from tests.restore.conftest import make_ledger

pytestmark = pytest.mark.docker
SETTINGS = {"track_commit_timestamp": "on"}


class ToolsInside:
    """The provider, with every instance's client tools run by ``docker exec``."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.kind = provider.kind

    def start_instance(self, spec: InstanceSpec | None = None, *, name: str | None = None) -> Any:
        inst = self.provider.start_instance(spec, name=name)
        inst.client = inst.exec_client  # type: ignore[attr-defined, method-assign]
        return inst


@pytest.mark.parametrize("tools", ["host", "container"])
def test_dump_base_backup_and_recovery_in_containers(
    docker_provider: Provider, tmp_path: Path, tools: str
) -> None:
    provider: Any = ToolsInside(docker_provider) if tools == "container" else docker_provider
    primary = provider.start_instance(InstanceSpec(settings=SETTINGS, archive=True))
    assert in_container(primary, "pg_dump") is (tools == "container")
    restored = []
    try:
        primary.execute("CREATE DATABASE bank")
        make_ledger(primary, "bank", wallets=8, posts=20)
        base = phys.take_base_backup(primary, tmp_path / "base")
        run = phys.verify_base_backup(primary, base.path)
        assert run.ok, run.describe()
        primary.execute("SELECT post(1, 2, 7)", "bank")  # after the backup: only WAL has it
        dump_file = tmp_path / "bank.dump"
        ref, dump = take_reference(
            primary, "bank", restore_point="rp",
            alongside=lambda snap: dump_database(primary, "bank", dump_file, snapshot=snap),
        )  # fmt: skip
        assert dump is not None
        assert ref.restore_point_lsn is not None
        segment = phys.segment_name(1, ref.restore_point_lsn - 1)
        primary.execute("SELECT pg_switch_wal()")
        archive = primary.archive_dir
        assert archive is not None
        for _ in range(600):
            if (archive / segment).exists():
                break
            primary.execute("SELECT pg_sleep(0.1)")
        primary.execute("SELECT post(2, 3, 9)", "bank")  # after the point: must not come back
        primary.kill()
        primary.destroy()

        pitr = phys.recover(provider, base, archive=archive, target_name="rp",
                            settings=SETTINGS)  # fmt: skip
        restored.append(pitr)
        assert compare_sums(ref.tables, table_sums(lambda: pitr.connect("bank"))) == []

        fresh = provider.start_instance(InstanceSpec(settings=SETTINGS))
        restored.append(fresh)
        fresh.execute("CREATE DATABASE bank")
        run = restore_dump(fresh, dump_file, "bank")
        assert run.ok, run.describe()
        assert compare_sums(ref.tables, table_sums(lambda: fresh.connect("bank"))) == []
    finally:
        primary.destroy()
        for inst in restored:
            inst.destroy()
