"""golive.markers is the one marker registry: every feature tag is in it, nothing else
registers one, and pytest lists each marker once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from golive.markers import MARKERS
from golive.promises.contract import PROMISE_ID

ROOT = Path(__file__).resolve().parents[1]
TAG = re.compile(r"(?<!\S)@(\S+)")
# a project's own tags, named at run time (golive.run.suites.ProjectPlugin)
PROJECT_TAGS = "src/golive/run/suites.py"


def test_every_feature_tag_is_a_registered_marker() -> None:
    names = {m.partition("(")[0] for m in MARKERS}
    tags = {
        tag
        for path in (ROOT / "features").rglob("*.feature")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("@")
        for tag in TAG.findall(line)
    }
    assert tags, "no tags found: the pattern is wrong"
    assert {t for t in tags if not PROMISE_ID.fullmatch(t)} - names == set()


def test_nothing_else_registers_a_marker() -> None:
    places = [*ROOT.glob("*.py"), *(ROOT / "src").rglob("*.py")]
    for folder in ("steps", "features", "fixtures", "properties"):
        places += (ROOT / folder).rglob("*.py")
    found = {
        p.relative_to(ROOT).as_posix()
        for p in places
        if 'addinivalue_line("markers"' in p.read_text(encoding="utf-8")
    }
    assert found == {"src/golive/markers.py", PROJECT_TAGS}
    assert not re.search(r"^markers\s*=", (ROOT / "pyproject.toml").read_text(), re.MULTILINE)


def test_pytest_lists_each_marker_once() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--markers", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    listed = [line.split(":")[0] for line in out.splitlines() if line.startswith("@pytest.mark.")]
    for name in MARKERS:
        assert listed.count(f"@pytest.mark.{name}") == 1, name
