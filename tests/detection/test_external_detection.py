"""The same faults, caught through the external path: refbank started by
examples/external-refbank/start.sh as an ordinary service with the fault in its own
environment, and golive driving it only through the example's golive.toml (its URL, its
database and its operations). golive is never told which fault is on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.postgres.base import free_port

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "external-refbank"
pytestmark = pytest.mark.slow

# fault → (suite, -k selection, the check the reason must name); the embedded matrices
# (test_canary_detection, test_rollback_detection) catch the same faults
MATRIX = {
    "hold-double-burn": ("canary", "double_burn", "cannot be burned or released again"),
    "downgrade-drops-data": ("rollback", "release_rollback", "every transaction balances"),
}


@pytest.fixture
def external(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Path, dict[str, str]]]:
    """The example started on free ports with the fault on; its golive.toml pointed at them."""
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFBANK_", "GOLIVE_"))}
    env |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "GOLIVE_PLATFORM_STATE": str(state),
        "REFBANK_PORT": str(free_port()),
        "EXAMPLE_PG_PORT": str(free_port()),
        "GOLIVE_PSP_PORT": str(free_port()),  # where the platform calls the stub PSP
    }
    text = (EXAMPLE / "golive.toml").read_text()
    text = text.replace("127.0.0.1:8000", f"127.0.0.1:{env['REFBANK_PORT']}")
    text = text.replace("127.0.0.1:55432", f"127.0.0.1:{env['EXAMPLE_PG_PORT']}")
    text = text.replace('".golive-platform/platform.env"', f'"{state}/platform.env"')
    config = EXAMPLE / f"golive.local-{tmp_path.name}.toml"  # operations run in its folder
    config.write_text(text)
    started = subprocess.run(
        [EXAMPLE / "start.sh"], env=env | {"GOLIVE_PLATFORM_FAULTS": request.param},
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        yield config, env
    finally:
        subprocess.run([EXAMPLE / "stop.sh"], env=env, capture_output=True, timeout=120)
        config.unlink(missing_ok=True)


@pytest.mark.parametrize("external", sorted(MATRIX), indirect=True)
def test_fault_is_caught_through_the_external_path(
    external: tuple[Path, dict],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    config, env = external
    suite, selection, check = MATRIX[request.node.callspec.params["external"]]
    argv = [sys.executable, "-m", "golive", "run", "--config", str(config), "--suite", suite]
    argv += ["-k", selection, "--out", str(tmp_path / "reports")]
    run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=1200)
    said = run.stdout + run.stderr
    assert run.returncode == 1, said[-3000:]
    assert "VERDICT: NO-GO" in said, said[-3000:]
    assert check in said, said[-3000:]
    ran = re.search(r"target=(\S+)", said)  # the console's first line names the target
    assert ran is not None, said[:500]
    assert ran.group(1).startswith("http://127.0.0.1:"), said[:500]
