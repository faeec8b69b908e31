"""Time to verdict of the canary suite on the hordak wallet vs on refbank, side by side in one
run, and the adapter's share of the wallet's scenario time (from the run's transcripts).

    python benchmarks/bench_wallet.py [--runs N]

Both platforms run as external services, each started for the round by its example's start.sh
on free loopback ports (examples/hordak-wallet, examples/external-refbank; _canary.py),
so the two runs differ only in the platform and in the way golive talks to it: the wallet
through its adapter (golive_adapter.py, every call recorded as a `CALL` exchange), refbank
through the HTTP contract. Then `golive run --config <its golive.toml> --suite canary`, ``N``
times each (default 1), interleaved; the figures are those of the median run. Each round
starts both afresh, so that rounds are independent (no state of an earlier run's).

From each run's transcripts (transcripts/platform.jsonl, psp.jsonl; docs/evidence.md): the
wall time during which at least one call to the platform was in flight (overlapping calls of
the load scenario count once), over the scenarios' time (first scenario's start to the last
one's end, without start-up). For the wallet that is the adapter's share: the time inside the
adapter, the wallet's own answer included (golive does not look inside an adapter). Every
subprocess has a timeout. Writes benchmarks/results/wallet.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from _canary import Run, canary, external_refbank, hordak_wallet, median_run, print_runs

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "wallet.json"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1, help="canary runs on each platform")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    done: dict[str, list[Run]] = {"wallet": [], "refbank": []}
    starts: dict[str, list[float]] = {"wallet": [], "refbank": []}
    for _ in range(args.runs):  # fresh platforms each round (see the module's docstring)
        with hordak_wallet() as wallet, external_refbank() as refbank:
            done["wallet"].append(canary(wallet))
            done["refbank"].append(canary(refbank))
            starts["wallet"].append(wallet.start_s or 0.0)
            starts["refbank"].append(refbank.start_s or 0.0)
    w, r = median_run(done["wallet"]), median_run(done["refbank"])
    result: dict[str, Any] = {
        "benchmark": "wallet",
        "load_average_at_end": os.getloadavg(),
        "runs_each": args.runs,
        "start_sh_s": starts,
        "wallet": [x.summary() for x in done["wallet"]],
        "refbank": [x.summary() for x in done["refbank"]],
        "wallet_over_refbank": w.wall_s / r.wall_s,
        "wallet_over_refbank_per_test": (w.wall_s / w.tests) / (r.wall_s / r.tests),
        "adapter_share_of_wallet_scenarios": w.platform_s / w.scenarios_s,
        "contract_share_of_refbank_scenarios": r.platform_s / r.scenarios_s,
        "adapter_ms_per_call": 1000 * w.platform_s / max(1, w.adapter_calls),
    }
    print_runs(done["wallet"] + done["refbank"])
    print(
        f"canary: wallet / refbank = {result['wallet_over_refbank']:.2f} "
        f"(per test {result['wallet_over_refbank_per_test']:.2f}); "
        f"adapter's share of the wallet's scenario time "
        f"{result['adapter_share_of_wallet_scenarios']:.2f} "
        f"({w.adapter_calls} calls, {result['adapter_ms_per_call']:.1f} ms each); "
        f"the HTTP contract's share on refbank {result['contract_share_of_refbank_scenarios']:.2f}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    failed = [x for x in done["wallet"] + done["refbank"] if x.verdict != "GO"]
    for x in failed:  # a time to a verdict that is not GO would mislead: say so, exit 1
        print(f"\n{x.target}: {x.verdict} (exit {x.exit_code})\n{x.tail}", file=sys.stderr)
    if w.adapter_calls == 0:
        print("the wallet's run recorded no adapter call", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
