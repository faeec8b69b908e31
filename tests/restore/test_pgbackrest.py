"""pgBackRest as the point-in-time drill's engine: real pgbackrest, real Postgres servers.

Skipped (naming why) only when pgbackrest is not installed, unless GOLIVE_REQUIRE_PGBACKREST=1
(then it fails).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from golive.config import DrillTargets, load_config
from golive.drills.restore import pgbackrest as pgbr
from golive.drills.restore import run_pitr_drill
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.physical import wait_promoted
from golive.drills.restore.report import DrillReport
from golive.drills.restore.seed import SeedAccount
from golive.errors import ConfigError
from golive.money import Money
from golive.postgres import InstanceSpec, Provider

if shutil.which("pgbackrest") is None:
    if os.environ.get("GOLIVE_REQUIRE_PGBACKREST") == "1":
        pytest.fail("pgbackrest is not installed and GOLIVE_REQUIRE_PGBACKREST=1")
    pytest.skip("pgbackrest is not installed (apt-get install pgbackrest)", allow_module_level=True)

pytestmark = pytest.mark.slow
CUSTOMERS = [
    SeedAccount(f"pgbr-{i}", Money(50_000, "EUR"), "stripe" if i % 2 else "adyen") for i in range(8)
]
PGBACKREST = DrillTargets(backup_engine="pgbackrest")


def _drill(provider: Provider, tmp: Path, damage: Callable[[RestoreDrill], object]) -> DrillReport:
    return run_pitr_drill(
        provider, tmp, accounts=CUSTOMERS, transfers=12, traffic_before=10, traffic_after=5,
        targets=PGBACKREST, options=DrillOptions(workers=1), damage=damage,
    )  # fmt: skip


def test_the_drill_restores_the_recovery_point_and_records_the_backups(
    local_provider: Provider, tmp_path: Path
) -> None:
    passes: list[str] = []
    report = _drill(
        local_provider, tmp_path, lambda d: passes.append(str(d.pgbr and d.pgbr.repo.cipher_pass))
    )
    assert report.verdict == "GO", report.summary()
    assert report.findings == []  # schema, rows at the recovery point, amcheck, invariants
    assert report.rpo_seconds is not None
    facts = report.facts["pgbackrest"]
    assert facts["version"].startswith("pgBackRest 2.")
    assert facts["check"]["exit"] == 0
    assert "status: ok" in facts["verify_after_full"]["output"]
    assert facts["verify"]["exit"] == 0
    assert "status: ok" in facts["verify"]["output"]
    assert [b["type"] for b in facts["labels"]] == ["full", "incr"]
    full, incr = facts["labels"]
    assert incr["prior"] == full["label"]
    assert str(incr["label"]).startswith(str(full["label"]))
    assert facts["recovery_target"] == {"type": "time", "time": facts["recovery_target_time"]}
    text = json.dumps(report.to_dict(), default=str)
    assert passes
    assert passes[0] not in text


def test_the_drill_restores_to_the_recovery_points_name(
    local_provider: Provider, tmp_path: Path
) -> None:
    """--type=name to the restore point the drill made while traffic ran: the same rows."""
    report = _drill(local_provider, tmp_path, lambda d: setattr(d, "by_name", True))
    assert report.verdict == "GO", report.summary()
    assert report.findings == []  # rows equal to the recovery point's snapshot among them
    point = report.facts["reference"]["restore_point"]
    assert point.startswith("golive-drill-")
    facts = report.facts["pgbackrest"]
    assert facts["recovery_target"] == {"type": "name", "name": point}
    assert "recovery_target_time" not in facts
    assert facts["restore"]["exit"] == 0


def test_restore_latest_and_to_a_time_or_a_name(local_provider: Provider) -> None:
    """Rows as they were at a server clock reading (--type=time) or a restore point
    (--type=name), and all of them (latest)."""
    repo = pgbr.Repository(encrypted=True)
    try:
        settings = {"archive_mode": "on", "wal_level": "replica",
                    "archive_command": repo.archive_command}  # fmt: skip
        source = local_provider.start_instance(InstanceSpec(settings=settings))
        repo.attach(source)
        assert repo.run("stanza-create").ok
        assert repo.run("check").ok
        source.execute("CREATE TABLE t (i int)")
        source.execute("INSERT INTO t SELECT generate_series(1, 1000)")
        assert repo.backup("full").ok
        source.execute("INSERT INTO t SELECT generate_series(1, 500)")
        assert repo.backup("incr").ok
        at = float(str(source.execute("SELECT extract(epoch FROM clock_timestamp())")[0][0]))
        source.execute("SELECT pg_create_restore_point('at-1500')")
        time.sleep(0.05)
        source.execute("INSERT INTO t SELECT generate_series(1, 250)")
        segment = str(source.execute("SELECT pg_walfile_name(pg_switch_wal())")[0][0])
        assert repo.wait_archived(segment, 60)
        source.destroy()
        for target, name, rows in ((at, None, 1500), (None, "at-1500", 1500), (None, None, 1750)):
            run, dest = repo.restore(target=target, name=name)
            assert run.ok, run.describe()
            conf = (dest / "postgresql.auto.conf").read_text()
            assert (f"recovery_target_name = '{name}'" in conf) == (name is not None)
            restored = pgbr.start_restored(
                local_provider, dest, settings={}, name=f"pgbr_{name or target or 'latest'}"
            )
            try:
                wait_promoted(restored, 60)
                assert restored.execute("SELECT count(*) FROM t") == [(rows,)]
            finally:
                restored.destroy()
        assert [b["type"] for b in repo.labels()] == ["full", "incr"]
    finally:
        repo.close()
    assert not repo.root.exists()


def _lose_segment(drill: RestoreDrill) -> object:
    return drill.lose_wal_segment()


def _corrupt(drill: RestoreDrill) -> object:
    assert drill.pgbr is not None
    return drill.pgbr.corrupt_backup_file()


def _wrong_passphrase(drill: RestoreDrill) -> object:
    assert drill.pgbr is not None
    drill.pgbr.forget_passphrase()
    return None


@pytest.mark.parametrize(
    ("damage", "check", "named"),
    [
        (_lose_segment, "WAL archive complete", "missing from the pgBackRest repository"),
        (_corrupt, "backups verified (pgbackrest verify)", "checksum invalid"),
        (_wrong_passphrase, "pgBackRest repository readable", "passphrase"),
    ],
    ids=["missing-wal-segment", "corrupted-backup-file", "wrong-passphrase"],
)
def test_damage_is_found_before_anything_is_restored(
    local_provider: Provider,
    tmp_path: Path,
    damage: Callable[[RestoreDrill], object],
    check: str,
    named: str,
) -> None:
    done: list[object] = []
    report = _drill(local_provider, tmp_path, lambda d: done.append(damage(d)))
    assert report.verdict == "NO-GO", report.summary()
    found = [f for f in report.findings if f.check == check]
    assert found, report.summary()
    assert named in found[0].detail
    assert "Nothing was restored" in found[0].detail
    if isinstance(done[0], str):  # the lost segment, the damaged backup's label
        assert done[0] in f"{found[0].subject} {found[0].detail}"
    assert "restore" not in report.facts["pgbackrest"]  # pgbackrest restore never ran
    assert report.rto_seconds is None


def test_doctor_reports_pgbackrest_and_its_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "golive", "doctor", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    checks = [c for c in json.loads(out.stdout)["checks"] if c["name"].startswith("pgbackrest")]
    assert len(checks) == 1
    assert checks[0]["ok"] is True
    installed = subprocess.run(["pgbackrest", "version"], capture_output=True, text=True,
                               timeout=30, check=True).stdout.strip()  # fmt: skip
    assert installed in checks[0]["detail"]


@pytest.mark.parametrize("value", ['"barman"', "3", '"PGBACKREST"'])
def test_an_unknown_backup_engine_is_a_usage_error(tmp_path: Path, value: str) -> None:
    (tmp_path / "golive.toml").write_text(f"[drills]\nbackup_engine = {value}\n")
    out = subprocess.run(
        [sys.executable, "-m", "golive", "run", "--suite", "restore"],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "backup_engine" in out.stderr
    assert "'pgbackrest'" in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["golive.toml"]  # nothing written


def test_the_engine_is_read_from_drills(tmp_path: Path) -> None:
    (tmp_path / "golive.toml").write_text('[drills]\nbackup_engine = "pgbackrest"\n')
    assert load_config(cwd=tmp_path).drills.backup_engine == "pgbackrest"
    assert load_config(cwd=tmp_path / "nowhere").drills.backup_engine == "golive"


def test_the_engine_needs_servers_on_this_machine() -> None:
    with pytest.raises(ConfigError, match="--postgres local"):
        pgbr.check_engine("pgbackrest", "docker", "restore")
    with pytest.raises(ConfigError, match="--postgres local"):
        pgbr.check_engine("pgbackrest", "postgresql://u:secret@db:5432/x", "full")
    for engine, postgres, suite in [
        ("pgbackrest", "local", "restore"),
        ("golive", "docker", "restore"),
        ("pgbackrest", "docker", "canary"),
    ]:
        pgbr.check_engine(engine, postgres, suite)  # nothing to refuse
