"""Manifest hashing throughput against `sha256sum`, side by side over the same files.

    python benchmarks/bench_hashing.py [--megabytes N] [--rounds N] [--dir PATH]

Generates about 1 GB of mixed-size artifacts in a temporary folder (one large file, some
medium ones, many small ones, like a bundle with drill dumps, transcripts and allure
output), reads them once so both contenders start from a warm page cache, then times, in
alternating rounds, golive's `hash_files` (the manifest hasher: 1 MiB buffered reads via
hashlib.file_digest, a thread pool because hashlib releases the GIL) and `sha256sum` over
the same list. Both digests are compared, so a fast wrong answer cannot win. Reports the
best round of each and ratio = sha256sum time / golive time (>= 1 means golive is faster;
the goal is >= 0.8). The folder is deleted afterwards. Writes benchmarks/results/hashing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from golive.evidence.fsutil import hash_files  # noqa: E402

RESULTS = HERE / "results" / "hashing.json"
BLOCK = 8 << 20


def layout(total_mb: int) -> list[int]:
    """File sizes in bytes: ~30% one large file, ~40% medium, ~20% 1 MiB, ~10% small."""
    mib = 1 << 20
    sizes = [int(total_mb * 0.3) * mib]
    sizes += [max(1, int(total_mb * 0.4 / 8)) * mib] * 8
    sizes += [mib] * int(total_mb * 0.2)
    sizes += [10 * 1024] * int(total_mb * 0.1 * 100)  # 100 small files per MB
    return sizes


def generate(folder: Path, sizes: list[int]) -> list[Path]:
    block = os.urandom(BLOCK)
    paths = []
    for i, size in enumerate(sizes):
        sub = folder / f"d{i % 16:02d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"artifact-{i:05d}.bin"
        with open(path, "wb") as fh:
            fh.write(i.to_bytes(8, "big"))  # every file differs
            left = size - 8
            while left > 0:
                chunk = block[: min(left, BLOCK)]
                fh.write(chunk)
                left -= len(chunk)
        paths.append(path)
    return paths


def run_sha256sum(paths: list[Path]) -> dict[Path, str]:
    out = subprocess.run(
        ["sha256sum", "--", *map(str, paths)], capture_output=True, text=True, check=True
    ).stdout
    digests = {}
    for line in out.splitlines():
        digest, name = line.split(maxsplit=1)
        digests[Path(name.lstrip("*"))] = digest
    return digests


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files")
    args = parser.parse_args(argv)
    if shutil.which("sha256sum") is None:
        print("sha256sum is not installed; nothing to compare against")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="golive-bench-hash-", dir=args.dir))
    try:
        paths = generate(folder, layout(args.megabytes))
        total = sum(p.stat().st_size for p in paths)
        run_sha256sum(paths)  # warm the page cache for both contenders
        golive_times, single_times, coreutils_times = [], [], []
        for _ in range(args.rounds):
            t, ours = timed(hash_files, paths)
            golive_times.append(t)
            t, theirs = timed(run_sha256sum, paths)
            coreutils_times.append(t)
            t, _ = timed(lambda ps: hash_files(ps, workers=1), paths)
            single_times.append(t)
            if {p: ours[p] for p in paths} != {p: theirs[p] for p in paths}:
                print("digests differ between golive and sha256sum")
                return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    best = {
        "golive": min(golive_times),
        "golive_1_thread": min(single_times),
        "sha256sum": min(coreutils_times),
    }
    mb = total / 1e6
    ratio = best["sha256sum"] / best["golive"]
    print(f"{len(paths)} files, {mb:.0f} MB, best of {args.rounds} rounds, {os.cpu_count()} CPUs")
    print(f"{'hasher':<18}{'seconds':>10}{'MB/s':>10}")
    for name, seconds in best.items():
        print(f"{name:<18}{seconds:>10.2f}{mb / seconds:>10.0f}")
    print(f"ratio golive / sha256sum throughput: {ratio:.2f} (goal >= 0.8)")
    print(
        f"ratio with one thread:                {best['sha256sum'] / best['golive_1_thread']:.2f}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "files": len(paths),
                "bytes": total,
                "rounds": args.rounds,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "seconds": best,
                "all_rounds": {
                    "golive": golive_times,
                    "golive_1_thread": single_times,
                    "sha256sum": coreutils_times,
                },
                "ratio": ratio,
                "ratio_one_thread": best["sha256sum"] / best["golive_1_thread"],
                "goal": 0.8,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
