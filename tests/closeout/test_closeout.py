"""`golive closeout`: the Executive Closeout Pack from the signed chain of a release's runs,
signed itself, verified with every run it cites; closure only when every phase is GO and no
waiver is past its deadline."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from golive.closeout.collect import collect
from golive.closeout.render import SECTIONS
from golive.closeout.signed import verify_pack, write_pack
from golive.envcheck.waivers import empty_register, read_register
from golive.evidence.keys import SigningKey
from golive.evidence.manifest import PHASES
from golive.evidence.verdict import GateStatus
from tests.evidence.conftest import build_bundle

RELEASE = "rc-1.4.0"


def _runs(reports: Path, key: SigningKey, **phase_outcomes: str) -> list[Path]:
    """One signed run per phase (in the order given), of RELEASE."""
    made = []
    for phase, outcome in phase_outcomes.items():
        meta = {"release": RELEASE, "phase": phase.replace("_", "-")}
        made.append(build_bundle(reports, key, outcome=outcome, metadata=meta))
    return made


@pytest.fixture
def reports(tmp_path: Path, signing_key: SigningKey) -> Path:
    folder = tmp_path / "reports"
    _runs(folder, signing_key, rc_proof="passed", dry_run="passed", cutover="passed",
          hypercare="passed")  # fmt: skip
    return folder


def _register(tmp_path: Path, deadline: datetime) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n"
        "  - finding: stripe-test-key:STRIPE_SECRET_KEY\n"
        "    risk: medium\n"
        "    owner: DevOps\n"
        f"    deadline: {deadline.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        "    mitigation: Rotate to the live key.\n"
    )
    return path


def test_every_phase_go_and_no_waiver_due_closes_the_release(
    reports: Path, tmp_path: Path, signing_key: SigningKey
) -> None:
    now = datetime.now(UTC)
    register = read_register(_register(tmp_path, now + timedelta(days=3)))
    pack = collect(reports, RELEASE, register, now)
    assert [p["status"] for p in pack.phases] == ["GO"] * 4
    assert pack.closed, pack.blockers
    data = write_pack(pack, tmp_path / "pack", signing_key)
    md = (tmp_path / "pack" / "closeout.md").read_text()
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == list(SECTIONS)
    assert data["closure_statement"] in md
    assert "stripe-test-key:STRIPE_SECRET_KEY" in md
    assert "Close waiver stripe-test-key" in md  # the open waiver is a 14-day action
    for run in pack.index:
        assert run.manifest_sha256 in md
    assert verify_pack(tmp_path / "pack").ok


def test_an_expired_waiver_blocks_closure_and_says_why(
    reports: Path, tmp_path: Path, signing_key: SigningKey
) -> None:
    now = datetime.now(UTC)
    register = read_register(_register(tmp_path, now - timedelta(days=1)))
    pack = collect(reports, RELEASE, register, now)
    assert not pack.closed
    assert any("waiver stripe-test-key:STRIPE_SECRET_KEY" in b and "expired" in b
               for b in pack.blockers)  # fmt: skip
    data = write_pack(pack, tmp_path / "pack", signing_key)
    assert data["closure_statement"] is None
    md = (tmp_path / "pack" / "closeout.md").read_text()
    assert "Closure is blocked" in md
    assert "**EXPIRED**" in md
    html = (tmp_path / "pack" / "closeout.html").read_text()
    assert 'class="bad"' in html
    assert "EXPIRED" in html


def test_a_phase_not_go_blocks_closure(tmp_path: Path, signing_key: SigningKey) -> None:
    reports = tmp_path / "reports"
    _runs(reports, signing_key, rc_proof="passed", cutover="failed")
    pack = collect(reports, RELEASE, empty_register(), datetime.now(UTC))
    status = {p["phase"]: p["status"] for p in pack.phases}
    assert status == {"rc-proof": "GO", "dry-run": "NOT RUN", "cutover": "NO-GO",
                      "hypercare": "NOT RUN"}  # fmt: skip
    assert not pack.closed
    assert any(b.startswith("phase cutover ended NO-GO") for b in pack.blockers)


def test_altering_a_cited_run_makes_the_pack_not_valid_naming_it(
    reports: Path, tmp_path: Path, signing_key: SigningKey
) -> None:
    pack = collect(reports, RELEASE, empty_register(), datetime.now(UTC))
    write_pack(pack, tmp_path / "pack", signing_key)
    victim = reports / pack.index[2].run_id
    manifest = json.loads((victim / "manifest.json").read_text())
    manifest["verdict"]["verdict"] = "GO!"
    (victim / "manifest.json").write_text(json.dumps(manifest))
    rep = verify_pack(tmp_path / "pack")
    assert not rep.ok
    assert any(victim.name in p.text and "altered" in p.text for p in rep.problems), rep.problems


def test_a_missing_cited_run_and_an_edited_pack_are_findings(
    reports: Path, tmp_path: Path, signing_key: SigningKey
) -> None:
    pack = collect(reports, RELEASE, empty_register(), datetime.now(UTC))
    write_pack(pack, tmp_path / "pack", signing_key)
    md = tmp_path / "pack" / "closeout.md"
    md.write_text(md.read_text() + "\nAll phases GO, signed off by the CTO.\n")
    assert any("closeout.md was altered" in p.text for p in verify_pack(tmp_path / "pack").problems)
    write_pack(pack, tmp_path / "pack", signing_key)
    gone = reports / pack.index[0].run_id
    for f in sorted(gone.rglob("*"), reverse=True):
        f.unlink() if f.is_file() else f.rmdir()
    gone.rmdir()
    rep = verify_pack(tmp_path / "pack")
    assert any(f"cited run {gone.name} is missing" in p.text for p in rep.problems), rep.problems


def test_nodata_gate_in_cutover_becomes_an_action(tmp_path: Path, signing_key: SigningKey) -> None:
    reports = tmp_path / "reports"
    build_bundle(reports, signing_key, gate=GateStatus.NODATA,
                 metadata={"release": RELEASE, "phase": "cutover"})  # fmt: skip
    pack = collect(reports, RELEASE, empty_register(), datetime.now(UTC))
    assert pack.slos == [{"gate": "p95 latency", "target": "< 500 ms",
                          "cutover": {"status": "NODATA", "value": None}}]  # fmt: skip
    assert any("Measure p95 latency" in a["action"] for a in pack.actions)


def _closeout(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "golive", "closeout", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)  # fmt: skip


def test_cli_writes_the_pack_and_verify_checks_it(reports: Path, tmp_path: Path) -> None:
    res = _closeout(str(reports), "--release", RELEASE, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"release {RELEASE}: CLOSED" in res.stdout
    pack = tmp_path / f"closeout-{RELEASE}"
    ver = subprocess.run([sys.executable, "-m", "golive", "verify", str(pack)],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert ver.returncode == 0, ver.stdout + ver.stderr
    assert "VALID" in ver.stdout
    assert "the pack says: CLOSED" in ver.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--release", "rc-9.9.9"], "no run of release 'rc-9.9.9'"),
        (["--release", ""], "names no release"),
        (["--release", RELEASE, "--waivers", "nope.yaml"], "nope.yaml"),
    ],
)
def test_bad_input_is_exit_2_and_writes_nothing(
    reports: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    before = sorted(tmp_path.rglob("*"))
    res = _closeout(str(reports), *args, cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr
    assert sorted(tmp_path.rglob("*")) == before


def test_a_release_without_a_cutover_run_is_refused(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    reports = tmp_path / "reports"
    _runs(reports, signing_key, rc_proof="passed")
    res = _closeout(str(reports), "--release", RELEASE, cwd=tmp_path)
    assert res.returncode == 2
    assert "no cutover run" in res.stderr


def test_phases_are_the_closeout_packs() -> None:
    assert PHASES == ("rc-proof", "dry-run", "cutover", "hypercare")
