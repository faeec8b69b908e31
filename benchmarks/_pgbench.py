"""pgbench as the floor of a benchmark: run a custom script, return its transactions/s."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

from golive.postgres import Instance


def pgbench_tps(
    inst: Instance,
    dbname: str,
    script: str,
    defines: dict[str, int],
    *,
    seconds: float,
    clients: int = 1,
) -> float:
    """Run ``script`` with ``clients`` connections for ``seconds``; tps without connecting."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    os.chmod(f.name, 0o644)  # the server's user runs pgbench on some providers
    argv = [*inst.client("pgbench"), "-n", "-M", "prepared", "-f", f.name,
            "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
            "-T", str(max(1, round(seconds))), "-d", dbname]  # fmt: skip
    for name, value in defines.items():
        argv += ["-D", f"{name}={value}"]
    env = {**os.environ, **inst.client_env()}
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120, env=env)
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed: {out.stderr[-2000:]}")
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out.stdout)
    if not found:
        raise SystemExit(f"pgbench printed no tps:\n{out.stdout[-2000:]}")
    return float(found.group(1))
