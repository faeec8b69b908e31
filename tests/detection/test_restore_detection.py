"""The point-in-time restore drill catches a platform that keeps its ledger UNLOGGED, on the
embedded target and on an external one (refbank started by examples/external-refbank/start.sh
and driven with the example's operations): NO-GO naming `ledger_entries`.

Each run is the real CLI, `golive run --suite restore`, in a subprocess. The fault is given
only to the platform (golive's environment for the embedded one, whose operations record it;
start.sh's for the external one); golive's own environment for the external run has none.
The drill needs a server it controls (WAL archiving), so the runs use `--postgres local`.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from golive.postgres.base import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "external-refbank"
FAULT = "unlogged-table"
SELECTION = "primary_is_recovered"  # the point-in-time scenario


def _golive_run(args: list[str], env: dict[str, str], out: Path) -> tuple[int, str, list[str]]:
    cmd = [sys.executable, "-m", "golive", "run", "--suite", "restore", "-k", SELECTION,
           "--postgres", "local", "--out", str(out), *args]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    runs = sorted(p for p in out.glob("*") if (p / "manifest.json").exists())
    assert runs, proc.stdout[-3000:] + proc.stderr[-3000:]
    verdict = json.loads((runs[-1] / "manifest.json").read_text())["verdict"]
    return proc.returncode, verdict["verdict"], verdict["reasons"]


def _no_go_naming_the_table(code: int, verdict: str, reasons: list[str]) -> None:
    assert (code, verdict) == (1, "NO-GO"), reasons
    assert any("ledger_entries" in r for r in reasons), reasons


def test_embedded_target(tmp_path: Path) -> None:
    env = {**os.environ, "GOLIVE_PLATFORM_FAULTS": FAULT}
    _no_go_naming_the_table(*_golive_run([], env, tmp_path / "reports"))


def test_external_target(tmp_path: Path) -> None:
    port, pg_port, psp_port = free_port(), free_port(), free_port()
    base = {k: v for k, v in os.environ.items() if k != "GOLIVE_PLATFORM_FAULTS"}
    env = {
        **base,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}",
        "GOLIVE_PLATFORM_STATE": str(tmp_path / ".golive-platform"),  # beside the config
        "GOLIVE_PSP_PORT": str(psp_port),
        "GOLIVE_PSP_STRIPE_WEBHOOK_SECRET": f"whsec_{secrets.token_hex(24)}",
        "GOLIVE_PSP_ADYEN_HMAC_KEY": secrets.token_hex(32),
    }
    # the example's configuration, on ports free on this machine
    config = (EXAMPLE / "golive.toml").read_text()
    config = config.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    config = config.replace("127.0.0.1:55432", f"127.0.0.1:{pg_port}")
    (tmp_path / "golive.toml").write_text(config)
    platform_env = {**env, "GOLIVE_PLATFORM_FAULTS": FAULT,
                    "REFBANK_PORT": str(port), "EXAMPLE_PG_PORT": str(pg_port)}  # fmt: skip
    started = subprocess.run(
        [str(EXAMPLE / "start.sh")], env=platform_env, capture_output=True, text=True, timeout=300
    )
    assert started.returncode == 0, started.stderr[-2000:]
    try:
        args = ["--config", str(tmp_path / "golive.toml")]
        _no_go_naming_the_table(*_golive_run(args, env, tmp_path / "reports"))
    finally:
        subprocess.run([str(EXAMPLE / "stop.sh")], env=env, capture_output=True, timeout=120)
