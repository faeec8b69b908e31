"""The built wheel carries the readiness suite and the package data a run needs; an installed
golive finds that suite from any folder, a checkout keeps using its own."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import golive
from golive.errors import ConfigError
from golive.run.suites import installed_suite, suite_root

ROOT = Path(__file__).resolve().parents[1]
SUITE = "golive/_suite/"


def _files(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(out)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (built,) = out.glob("golive-*.whl")
    return zipfile.ZipFile(built)


def test_wheel_carries_the_suite(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    suite = [p for d in ("features", "steps", "fixtures", "properties") for p in _files(ROOT / d)]
    suite += [ROOT / "conftest.py", ROOT / "pyproject.toml"]
    features = [p for p in suite if p.suffix == ".feature"]
    assert len(features) >= 10  # the checkout's own suite, not an empty glob
    for folder in ("steps", "fixtures", "properties"):
        assert any(p.parent.name == folder for p in suite), folder
    missing = [p.relative_to(ROOT).as_posix() for p in suite]
    missing = [rel for rel in missing if SUITE + rel not in names]
    assert not missing, f"not in the wheel: {missing}"
    # the suite is carried as it is in the checkout, byte for byte
    for path in (ROOT / "conftest.py", features[0]):
        assert wheel.read(SUITE + path.relative_to(ROOT).as_posix()) == path.read_bytes()


def test_wheel_carries_every_package_file(wheel: zipfile.ZipFile) -> None:
    """Templates, SQL migrations, the contract YAML, default configurations: package data."""
    names = set(wheel.namelist())
    files = [p for pkg in ("golive", "refbank") for p in _files(ROOT / "src" / pkg)]
    missing = [p.relative_to(ROOT / "src").as_posix() for p in files]
    missing = [rel for rel in missing if rel not in names]
    assert not missing, f"not in the wheel: {missing}"
    # the contract is a symlink into docs/ in the checkout: the wheel holds its content
    contract = (ROOT / "docs" / "platform-contract.yaml").read_bytes()
    assert wheel.read("refbank/platform-contract.yaml") == contract


def test_wheel_holds_no_bytecode_or_checkout_clutter(wheel: zipfile.ZipFile) -> None:
    clutter = [n for n in wheel.namelist() if "__pycache__" in n or n.startswith(("tests/", "."))]
    assert not clutter


def _installed_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site-packages with golive and the suite beside it, as the wheel installs them."""
    package = tmp_path / "venv" / "lib" / "python3" / "site-packages" / "golive"
    (package / "_suite" / "features").mkdir(parents=True)
    (package / "_suite" / "conftest.py").write_text("")
    (package / "__init__.py").write_text("")
    monkeypatch.setattr(golive, "__file__", str(package / "__init__.py"))
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    return package / "_suite"


def test_installed_golive_finds_its_suite_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = _installed_layout(tmp_path, monkeypatch)
    assert installed_suite() == suite.resolve()
    assert suite_root() == suite.resolve()


def test_suite_root_still_overrides_the_installed_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _installed_layout(tmp_path, monkeypatch)
    assert suite_root(ROOT) == ROOT
    with pytest.raises(ConfigError, match="no readiness suite found"):
        suite_root(tmp_path / "empty")


def test_installed_golive_without_its_suite_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = _installed_layout(tmp_path, monkeypatch)
    (suite / "conftest.py").unlink()
    with pytest.raises(ConfigError, match="reinstall golive") as err:
        suite_root()
    assert str(suite.resolve()) in str(err.value)


def test_a_checkout_uses_its_own_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if Path(golive.__file__).resolve().parents[2] != ROOT:
        pytest.skip("golive is not installed from this checkout (editable)")
    assert suite_root() == ROOT
