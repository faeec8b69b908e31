"""The rollback drills catch each platform fault they concern (NO-GO, naming the failing
check), and all five pass (GO) against the platform with no fault.

Each run is the real CLI, `golive run --suite rollback`, in a subprocess whose environment
switches the fault on for the platform and its migration command; the drills are not told.
All runs share one Postgres instance (tests/detection/conftest.py). The same faults are
caught on an external target: refbank started by examples/external-refbank/start.sh with the
fault, driven through the example's operations (one started platform per fault, and only
the drill the fault concerns).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.evidence.verify import verify_run
from golive.postgres.base import free_port

pytestmark = pytest.mark.slow

# fault → (-k selection of the drill it concerns, the check the NO-GO must name)
MATRIX = {
    "downgrade-drops-data": ("release_rollback", "every transaction balances"),
    "downgrade-forgets-keys": (
        "release_rollback",
        "requests made before the change replay their first answer, once",
    ),
    "job-stuck-on-late-webhook": ("webhooks_during_switch", "no finance job stuck"),
    "webhook-double-credit": ("webhooks_during_switch", "every deposit credited exactly once"),
}
DRILLS = ("release_rollback", "failed_upgrade", "webhooks_during_switch", "psp_failover",
          "kill_switch")  # fmt: skip


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_fault_is_caught_and_the_failing_check_named(golive_run, fault: str) -> None:  # type: ignore[no-untyped-def]
    selection, check = MATRIX[fault]
    result = golive_run("--suite", "rollback", "-k", selection, fault=fault)
    assert result.code == 1, result.explain()
    assert result.verdict == "NO-GO", result.explain()
    gates = [r for r in result.reasons if "rollback drill:" in r]
    assert gates, result.explain()
    assert any(check in r for r in gates), result.explain()


def test_all_five_drills_pass_without_a_fault(golive_run) -> None:  # type: ignore[no-untyped-def]
    result = golive_run("--suite", "rollback")
    assert result.code == 0, result.explain()
    assert result.verdict == "GO", result.explain()
    assert result.run_dir is not None
    assert verify_run(result.run_dir).ok, verify_run(result.run_dir).problems
    journals = sorted(result.run_dir.glob("attachments/*rollback-journal-*.json"))
    names = {json.loads(p.read_text())["drill"].split("-")[0] for p in journals}
    assert names == set(DRILLS), names
    for path in journals:
        journal = json.loads(path.read_text())
        assert journal["status"] == "completed", journal["findings"]
        [rolled_back] = journal["objectives"]  # the time to roll back, measured
        assert rolled_back["seconds"] is not None, rolled_back
        phases = [s["phase"] for s in journal["steady_states"]]
        assert phases[0] == "before the change"
        assert phases[-1] == "after the rollback"
    [matrix] = result.run_dir.glob("attachments/*rollback-matrix.md")
    text = matrix.read_text()
    assert text.count("| completed, rolled back in") == len(DRILLS), text


# -- the same faults through the external path ------------------------------------------------
# refbank started by examples/external-refbank/start.sh (the fault given to it, not to golive),
# driven only through the API and the operations of the example's golive.toml
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "external-refbank"


@contextlib.contextmanager
def external_refbank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str | None
) -> Iterator[Path]:
    """start.sh on free ports with ``fault``; the example's golive.toml pointed at it."""
    state = tmp_path / "state"
    ports = {name: str(free_port()) for name in ("REFBANK_PORT", "EXAMPLE_PG_PORT")}
    psp_port = str(free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFBANK_", "GOLIVE_"))}
    env |= ports | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "GOLIVE_PLATFORM_STATE": str(state),
        "GOLIVE_PSP_PORT": psp_port,
        "GOLIVE_PLATFORM_FAULTS": fault or "",
    }
    config = (EXAMPLE / "golive.toml").read_text()
    config = config.replace("127.0.0.1:8000", f"127.0.0.1:{ports['REFBANK_PORT']}")
    config = config.replace("127.0.0.1:55432", f"127.0.0.1:{ports['EXAMPLE_PG_PORT']}")
    config = config.replace('".golive-platform/platform.env"', f'"{state}/platform.env"')
    started = subprocess.run(
        [EXAMPLE / "start.sh"], env=env, capture_output=True, text=True, timeout=180
    )
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        path = tmp_path / "golive.toml"
        path.write_text(config)
        for name in ("PATH", "GOLIVE_PLATFORM_STATE", "GOLIVE_PSP_PORT"):  # for golive run
            monkeypatch.setenv(name, env[name])
        yield path
    finally:
        subprocess.run([EXAMPLE / "stop.sh"], env=env, capture_output=True, timeout=120)


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_fault_is_caught_on_an_external_target(  # type: ignore[no-untyped-def]
    golive_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    selection, check = MATRIX[fault]
    with external_refbank(tmp_path, monkeypatch, fault) as config:
        result = golive_run("--config", str(config), "--suite", "rollback", "-k", selection)
    assert result.code == 1, result.explain()
    assert result.verdict == "NO-GO", result.explain()
    gates = [r for r in result.reasons if "rollback drill:" in r]
    assert any(check in r for r in gates), result.explain()


def test_the_drills_the_faults_concern_pass_on_a_clean_external_target(  # type: ignore[no-untyped-def]
    golive_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    selection = " or ".join(sorted({drill for drill, _ in MATRIX.values()}))
    with external_refbank(tmp_path, monkeypatch, None) as config:
        result = golive_run("--config", str(config), "--suite", "rollback", "-k", selection)
    assert result.code == 0, result.explain()
    assert result.verdict == "GO", result.explain()
    assert result.run_dir is not None
    journals = sorted(result.run_dir.glob("attachments/*rollback-journal-*.json"))
    ran = [json.loads(p.read_text()) for p in journals]
    assert {j["drill"] for j in ran} == {drill for drill, _ in MATRIX.values()}, ran
    for journal in ran:  # the platform was driven through the example's operations
        ops = {o["operation"] for o in journal["context"]["operations"]}
        assert {"deploy", "migrate"} <= ops, journal["context"]["operations"]
        assert all(o["argv"][0] == "golive" for o in journal["context"]["operations"])
