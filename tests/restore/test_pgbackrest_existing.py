"""An operator's existing pgBackRest repository: restored into a server golive starts and
checked, the repository left byte-identical; bad input refused before anything is restored.

Real pgbackrest and real Postgres; skipped (naming why) only when pgbackrest is missing,
unless GOLIVE_REQUIRE_PGBACKREST=1.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from golive.drills.restore import pgbackrest as pgbr
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.options import RestoreOptions
from golive.drills.restore.pgbackrest_existing import check_repository
from golive.drills.restore.physical import TRUST_HBA
from golive.drills.restore.scenario import DrillScenario
from golive.errors import ConfigError
from golive.postgres import InstanceSpec, Provider

if shutil.which("pgbackrest") is None:
    if os.environ.get("GOLIVE_REQUIRE_PGBACKREST") == "1":
        pytest.fail("pgbackrest is not installed and GOLIVE_REQUIRE_PGBACKREST=1")
    pytest.skip("pgbackrest is not installed (apt-get install pgbackrest)", allow_module_level=True)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Operator:
    repo: pgbr.Repository
    at: float  # a server clock reading between two batches of rows
    point: str  # a restore point made at the same moment


@pytest.fixture(scope="module")
def operator(local_provider: Provider) -> Iterator[Operator]:
    """A stanza with a full and an incremental backup of database ledger (1500 rows), 250
    more rows only in the archive after ``at`` and the restore point ``point``; the source
    gone."""
    repo = pgbr.Repository(encrypted=True)
    settings = {"archive_mode": "on", "wal_level": "replica",
                "archive_command": repo.archive_command}  # fmt: skip
    source = local_provider.start_instance(InstanceSpec(settings=settings))
    try:
        repo.attach(source)
        assert repo.run("stanza-create").ok
        source.execute("CREATE DATABASE ledger")
        source.execute("CREATE TABLE t (i int)", "ledger")
        source.execute("INSERT INTO t SELECT generate_series(1, 1000)", "ledger")
        assert repo.backup("full").ok
        source.execute("INSERT INTO t SELECT generate_series(1, 500)", "ledger")
        assert repo.backup("incr").ok
        at = float(str(source.execute("SELECT extract(epoch FROM clock_timestamp())")[0][0]))
        source.execute("SELECT pg_create_restore_point('before-the-250')")
        time.sleep(0.05)
        source.execute("INSERT INTO t SELECT generate_series(1, 250)", "ledger")
        segment = str(source.execute("SELECT pg_walfile_name(pg_switch_wal())")[0][0])
        assert repo.wait_archived(segment, 60)
    finally:
        source.destroy()
    yield Operator(repo, at, "before-the-250")
    repo.close()


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    ("target", "rows"), [("latest", 1750), ("time", 1500), ("name", 1500)], ids=str
)
def test_an_existing_repository_restores_and_is_left_untouched(
    local_provider: Provider, operator: Operator, tmp_path: Path, target: str, rows: int
) -> None:
    before = fingerprint(operator.repo.repo)
    config = operator.repo.config.read_bytes()
    options = DrillOptions(canary=False, invariants=())
    with RestoreDrill(local_provider, kind="repository", workdir=tmp_path, options=options) as d:
        d.use_pgbackrest(
            operator.repo.config, operator.repo.stanza,
            operator.at if target == "time" else None,
            operator.point if target == "name" else None,
        )  # fmt: skip
        assert d.restore_pitr(), "\n".join(f.detail for f in d.findings)
        d.verify()
        assert d.findings == []
        assert d.restored is not None
        assert d.restored.execute("SELECT count(*) FROM t", "ledger") == [(rows,)]
        hba = d.restored.execute("SELECT pg_read_file('pg_hba.conf')")
        assert hba == [(TRUST_HBA,)]  # a throwaway copy golive can log in to
        report = d.finish()
    facts = report.facts["pgbackrest"]
    assert facts["recovery_target"]["type"] == target
    if target == "name":
        assert facts["recovery_target"]["name"] == operator.point
    assert [b["type"] for b in facts["labels"]] == ["full", "incr"]
    assert facts["verify"]["exit"] == 0
    assert facts["cipher"] == "aes-256-cbc"
    assert fingerprint(operator.repo.repo) == before  # byte-identical
    assert operator.repo.config.read_bytes() == config


def test_bad_input_is_refused_before_anything_is_restored(
    operator: Operator, tmp_path: Path
) -> None:
    cfg, stanza = operator.repo.config, operator.repo.stanza
    assert check_repository(cfg, stanza, None) is None
    cases = {
        "--stanza 'nope'": (cfg, "nope", None),
        "cannot be read": (tmp_path / "missing.conf", stanza, None),
        "is before the oldest backup": (cfg, stanza, "2001-01-01 00:00:00+00:00"),
        "in the future": (cfg, stanza, "2999-01-01 00:00:00+00:00"),
        "is not a time": (cfg, stanza, "yesterday"),
    }
    not_a_repo = tmp_path / "elsewhere.conf"
    not_a_repo.write_text(f"[global]\nrepo1-path={tmp_path}\n")
    cases["cannot be restored from"] = (not_a_repo, stanza, None)
    for said, (config, name, when) in cases.items():
        with pytest.raises(ConfigError, match=said):
            check_repository(config, name, when)


def test_a_restore_point_the_archive_does_not_reach_fails_naming_it(
    local_provider: Provider, operator: Operator, tmp_path: Path
) -> None:
    before = fingerprint(operator.repo.repo)
    options = DrillOptions(canary=False, invariants=())
    with RestoreDrill(local_provider, kind="repository", workdir=tmp_path, options=options) as d:
        d.use_pgbackrest(operator.repo.config, operator.repo.stanza, None, "never-made")
        assert not d.restore_pitr()
        assert d.restored is None
        [finding] = d.findings
        report = d.finish()
    assert finding.check == "recovery target reached"
    assert "'never-made'" in finding.subject
    assert "recovery ended before configured recovery target was reached" in finding.detail
    assert report.verdict == "NO-GO"
    assert report.facts["pgbackrest"]["recovery_target"] == {"type": "name", "name": "never-made"}
    assert fingerprint(operator.repo.repo) == before


def test_the_operator_scenario_restores_the_repository_its_options_name(
    local_provider: Provider, operator: Operator, tmp_path: Path
) -> None:
    """The typed options `golive drill restore` hands the operator scenario reach the drill."""
    inputs = RestoreOptions(
        pgbackrest_config=operator.repo.config, stanza=operator.repo.stanza,
        target_name=operator.point, canary=False,
    )  # fmt: skip
    options = DrillOptions(canary=False, invariants=())
    no_platform: Any = None  # the canary is off: the restore needs no target platform
    scenario = DrillScenario(local_provider, tmp_path, no_platform, options=options, inputs=inputs)
    try:
        drill = scenario.operator_backup()
        assert drill.kind == "repository"
        assert drill.restore_pitr(), "\n".join(f.detail for f in drill.findings)
        assert drill.restored is not None
        assert drill.restored.execute("SELECT count(*) FROM t", "ledger") == [(1500,)]
        target = drill.facts["pgbackrest"]["recovery_target"]
        assert target == {"type": "name", "name": operator.point}
    finally:
        if scenario.drill is not None:
            scenario.drill.close()
