"""Run every ratio benchmark (benchmarks/bench_*.py) in one go and print their results.

Each benchmark measures side by side in one run and writes JSON to benchmarks/results/.
Usage: python benchmarks/run_all.py [NAME ...]   (NAME = postgres, psp, platform, hashing, load, …)

Every benchmark runs at its defaults but mutation testing, which is bounded here to a few
minutes of its sample (its session resumes where it stopped: run bench_detection.py itself,
or run_all again, to judge more of the sample).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARGS = {"detection": ["--minutes", "6"]}  # 40 min at its own default


def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not wanted or p.stem[6:] in wanted)
    if not scripts:
        print(
            f"no benchmark matches {sorted(wanted)}; available: "
            + ", ".join(p.stem[6:] for p in sorted(HERE.glob("bench_*.py")))
        )
        return 2
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        t = time.monotonic()
        argv = [sys.executable, str(script), *ARGS.get(script.stem[6:], [])]
        rc = subprocess.call(argv, cwd=HERE.parent)
        print(f"--- {script.stem}: exit {rc} in {time.monotonic() - t:.1f}s", flush=True)
        if rc:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
