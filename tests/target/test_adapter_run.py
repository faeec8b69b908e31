"""`golive run` against a platform reached through an adapter: the run's transcript holds
the adapter's calls and the SLO gates judge them (no NO DATA for want of samples).

The platform is refbank started by examples/external-refbank/start.sh; the adapter is
tests/target/refbank_adapter.py."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.postgres.base import free_port

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "external-refbank"
ADAPTER = "tests.target.refbank_adapter:RefbankAdapter"
SLO_GATES = ("API latency p95", "Availability")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("initdb") is None and not list(Path("/usr/lib/postgresql").glob("*/bin")),
        reason="no Postgres server binaries",
    ),
]


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """refbank on free ports, sharing webhook secrets with the run's stub PSP; stopped after."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFBANK_", "GOLIVE_"))}
    env |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),  # the adapter is tests.target.refbank_adapter
        "GOLIVE_PLATFORM_STATE": str(tmp_path / "state"),
        "REFBANK_PORT": str(free_port()),
        "EXAMPLE_PG_PORT": str(free_port()),
        "GOLIVE_PSP_PORT": str(free_port()),
        "GOLIVE_PSP_STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(24),
        "GOLIVE_PSP_ADYEN_HMAC_KEY": secrets.token_hex(32).upper(),
    }
    started = subprocess.run(
        [EXAMPLE / "start.sh"], env=env, capture_output=True, text=True, timeout=180
    )
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        yield f"http://127.0.0.1:{env['REFBANK_PORT']}", env
    finally:
        subprocess.run([EXAMPLE / "stop.sh"], env=env, capture_output=True, timeout=120)


def test_an_adapter_target_run_has_transcripts_and_slo_data(
    platform: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, env = platform
    config = tmp_path / "golive.toml"
    database = f"postgresql://golive@127.0.0.1:{env['EXAMPLE_PG_PORT']}/refbank"
    config.write_text(f'[target]\nurl = "{url}"\nadapter = "{ADAPTER}"\ndatabase = "{database}"\n')
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "golive", "run", "--config", str(config), "--suite", "canary",
           "-k", "service_level_objectives", "--out", str(out)]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    said = proc.stdout[-3000:] + proc.stderr[-2000:]
    [run] = [p for p in out.iterdir() if (p / "manifest.json").exists()]
    results = json.loads((run / "results.json").read_text())

    gates = {g["name"]: g for g in results["gates"]}
    for name in SLO_GATES:
        assert gates[name]["status"] == "PASS", (gates[name], said)
    assert results["exchanges"]["platform"] >= 50, results["exchanges"]
    lines = (run / "transcripts" / "platform.jsonl").read_text().splitlines()
    urls = {json.loads(line)["url"] for line in lines}
    assert {"adapter://refbankadapter/deposit", "adapter://refbankadapter/burn"} <= urls, urls
    assert all(u.startswith("adapter://refbankadapter/") for u in urls), urls
    assert proc.returncode == 0, said
