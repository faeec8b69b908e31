"""What the target layer costs: per call, an adapter with golive's recording vs the HTTP
contract's client and a bare httpx call to the same endpoint; per run, the canary suite's time
to verdict through the external path vs the embedded target; side by side in one run.

    python benchmarks/bench_target.py [--calls N] [--rounds R] [--seconds S] [--postgres P]
                                      [--canary-runs N]

The platform is refbank (embedded stack: its own Postgres database, the stub PSP). Four
ways make the same calls to it, single-threaded, interleaved round by round:

- bare httpx: ``httpx.Client.get/post`` and ``.json()``, nothing of golive;
- contract: ``PlatformClient`` without event hooks (typed records, errors, keys);
- contract, recorded: ``PlatformClient`` with golive's transcript hooks (a URL target's run);
- adapter, recorded: an adapter (the contract's client, named as ``module:Class``) opened with
  ``open_target(..., event_hooks=transcript_hooks(...))``: the target layer records each
  call (golive.target.recording) — an adapter target's run.

The same two calls to an adapter that answers from memory, bare and recorded, give what the
recording costs alone, free of network noise. The recording writes transcripts to a scratch
run folder, as in a run. Calls: ``balance``
(a cheap read, where overhead shows most) and ``create_account`` (a write). Each path's time
per call is the median over rounds. Bounded: ``calls`` × ``rounds`` per path and call, and
the measuring stops after ``seconds``.

Then the canary suite, ``--canary-runs`` times each way (default 1, 0 to leave it out),
interleaved: ``golive run --suite canary`` (the embedded refbank: golive starts Postgres, the
stub PSP and refbank itself) and ``golive run --config <external-refbank golive.toml> --suite
canary`` against refbank started for the round by examples/external-refbank/start.sh (free
ports, its own state folder; benchmarks/_canary.py). The ratio is external / embedded time
to verdict (aim: at most 1.2); start.sh's own time is reported beside it. Each run has a
timeout.
Writes benchmarks/results/target.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from _canary import EMBEDDED, Run, canary, embedded, external_refbank, median_run, print_runs

from golive.driver import PlatformClient
from golive.evidence import transcript_hooks
from golive.evidence.recorder import Recorder, activate, deactivate
from golive.postgres import create_database, open_provider
from golive.stack import embedded_stack, migrate
from golive.target import Account, Balance, Target, open_target, recorded

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "target.json"
ADAPTER = f"{Path(__file__).stem}:BenchAdapter"  # this file, imported by golive's loader
PATHS = ("bare httpx", "contract", "contract, recorded", "adapter, recorded")
MEMORY = ("memory adapter", "memory adapter, recorded")


class BenchAdapter(PlatformClient):
    """An adapter that does the contract's HTTP work: the difference is the target layer."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)


class MemoryAdapter:
    """An adapter whose platform is a dict: what is left is golive's own work."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}

    def create_account(self, owner_ref: str, currency: str, *, key: str | None = None) -> Account:
        account = Account(uuid.uuid4().hex, owner_ref, currency)
        self.accounts[account.id] = account
        return account

    def balance(self, account_id: str) -> Balance:
        return Balance(account_id, self.accounts[account_id].currency, 100, 0, 0)


def bare_calls(http: httpx.Client, account: str) -> dict[str, Callable[[], object]]:
    def create() -> object:
        body = {"owner_ref": "bench", "currency": "EUR"}
        r = http.post("/accounts", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        r.raise_for_status()
        return r.json()

    def balance() -> object:
        r = http.get(f"/accounts/{account}/balance")
        r.raise_for_status()
        return r.json()

    return {"balance": balance, "create_account": create}


def target_calls(target: Target, account: str) -> dict[str, Callable[[], object]]:
    return {
        "balance": lambda: target.balance(account),
        "create_account": lambda: target.create_account("bench", "EUR"),
    }


def measure(
    paths: dict[str, dict[str, Callable[[], object]]], calls: int, rounds: int, seconds: float
) -> dict[str, dict[str, list[float]]]:
    """Microseconds per call, one figure per round, for each path and call."""
    out: dict[str, dict[str, list[float]]] = {p: {} for p in paths}
    for fns in paths.values():  # warm up: connections, caches, imports
        for fn in fns.values():
            for _ in range(min(20, calls)):
                fn()
    deadline = time.monotonic() + seconds
    for _ in range(rounds):
        for path, fns in paths.items():
            for name, fn in fns.items():
                start = time.perf_counter()
                for _ in range(calls):
                    fn()
                out[path].setdefault(name, []).append((time.perf_counter() - start) / calls * 1e6)
        if time.monotonic() > deadline:
            break
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=200, help="calls per path, call and round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=120.0, help="stop measuring after this")
    ap.add_argument("--postgres", default=None, help="provider or DSN (default auto)")
    ap.add_argument("--canary-runs", type=int, default=1, help="canary runs each way (0: none)")
    args = ap.parse_args(argv)
    if args.calls < 1 or args.rounds < 1 or args.canary_runs < 0:
        ap.error("--calls and --rounds must be at least 1, --canary-runs at least 0")
    provider = open_provider(args.postgres)
    where = provider.describe()
    try:
        db = create_database(provider.start_instance(name="bench-target"))
        migrate(db.dsn, "2")
        with tempfile.TemporaryDirectory() as tmp, embedded_stack(db.dsn) as stack:
            recorder = Recorder(Path(tmp))
            activate(recorder)
            clients: list[Any] = []
            try:
                url = stack.platform_url
                bare = httpx.Client(base_url=url, timeout=30)
                contract = PlatformClient(url, timeout=30)
                logged = PlatformClient(url, timeout=30, event_hooks=transcript_hooks("bench"))
                adapter = open_target(
                    ADAPTER, options={"base_url": url}, event_hooks=transcript_hooks("bench")
                )
                clients += [bare, contract, logged, adapter]
                account = contract.create_account("bench", "EUR").id
                memory: Any = MemoryAdapter()
                in_memory = memory.create_account("bench", "EUR").id
                paths = {
                    "bare httpx": bare_calls(bare, account),
                    "contract": target_calls(contract, account),
                    "contract, recorded": target_calls(logged, account),
                    "adapter, recorded": target_calls(adapter, account),
                    "memory adapter": target_calls(memory, in_memory),
                    "memory adapter, recorded": target_calls(
                        recorded(memory, transcript_hooks("bench")), in_memory
                    ),
                }
                per_round = measure(paths, args.calls, args.rounds, args.seconds)
                recorded_calls = len(recorder.records("bench"))
            finally:
                for c in clients:
                    c.close()
                deactivate(recorder)
                recorder.close_transcripts()
    finally:
        provider.close()
    runs, start_sh_s = canary_side_by_side(args.canary_runs)
    return report(per_round, args, where, recorded_calls, runs, start_sh_s)


def canary_side_by_side(rounds: int) -> tuple[list[Run], float]:
    """The canary's runs, embedded and external interleaved; start.sh's median time.

    Each round starts a fresh external refbank: rounds are independent, as embedded ones are."""
    runs: list[Run] = []
    starts: list[float] = []
    for _ in range(rounds):
        with external_refbank() as external:
            runs += [canary(embedded()), canary(external)]
            starts.append(external.start_s or 0.0)
    return runs, statistics.median(starts) if starts else 0.0


def canary_summary(runs: list[Run], start_sh_s: float) -> dict[str, Any]:
    if not runs:
        return {}
    emb = median_run([r for r in runs if r.target == EMBEDDED])
    ext = median_run([r for r in runs if r.target != EMBEDDED])
    return {
        "runs_each": len(runs) // 2,
        "external_start_sh_s": start_sh_s,
        "runs": [r.summary() for r in runs],
        "external_over_embedded": ext.wall_s / emb.wall_s,
        "external_with_start_sh_over_embedded": (ext.wall_s + start_sh_s) / emb.wall_s,
        "scenarios_external_over_embedded": ext.scenarios_s / emb.scenarios_s,
        "external_over_embedded_per_test": (ext.wall_s / ext.tests) / (emb.wall_s / emb.tests),
    }


def report(
    per_round: dict[str, dict[str, list[float]]],
    args: argparse.Namespace,
    where: str,
    recorded_calls: int,
    runs: list[Run],
    start_sh_s: float,
) -> int:
    us = {p: {n: statistics.median(v) for n, v in calls.items()} for p, calls in per_round.items()}
    names = sorted(us["bare httpx"])
    ratios = {
        n: {
            "adapter_recorded_over_contract": us["adapter, recorded"][n] / us["contract"][n],
            "adapter_recorded_over_contract_recorded": (
                us["adapter, recorded"][n] / us["contract, recorded"][n]
            ),
            "contract_over_bare_httpx": us["contract"][n] / us["bare httpx"][n],
            "adapter_recorded_over_bare_httpx": us["adapter, recorded"][n] / us["bare httpx"][n],
        }
        for n in names
    }
    added = {n: us["adapter, recorded"][n] - us["contract"][n] for n in names}
    alone = {n: us[MEMORY[1]][n] - us[MEMORY[0]][n] for n in names}
    result: dict[str, Any] = {
        "benchmark": "target",
        "postgres": where,
        "load_average_at_end": os.getloadavg(),
        "calls_per_round": args.calls,
        "rounds": len(next(iter(per_round["bare httpx"].values()))),
        "recorded_exchanges": recorded_calls,
        "microseconds_per_call": us,
        "ratios": ratios,
        "adapter_recording_adds_us_per_call": added,
        "recording_alone_adds_us_per_call": alone,
        "aim": "adapter_recorded_over_contract_recorded <= 1.2; canary external/embedded <= 1.2",
        "canary": canary_summary(runs, start_sh_s),
    }
    print(f"{'path':20} " + " ".join(f"{n + ' µs':>18}" for n in names))
    for path in PATHS + MEMORY:
        print(f"{path:20} " + " ".join(f"{us[path][n]:18.0f}" for n in names))
    for n in names:
        r = ratios[n]
        print(
            f"{n}: adapter+recording / contract = {r['adapter_recorded_over_contract']:.2f} "
            f"(adds {added[n]:.0f} µs), / contract recorded = "
            f"{r['adapter_recorded_over_contract_recorded']:.2f}, contract / bare httpx = "
            f"{r['contract_over_bare_httpx']:.2f}; the recording alone adds {alone[n]:.0f} µs"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return print_canary(runs, result["canary"])


def print_canary(runs: list[Run], summary: dict[str, Any]) -> int:
    """The canary table and ratio; 1 if a run did not give GO (its time would mislead)."""
    if not runs:
        return 0
    print(f"\ncanary suite, {summary['runs_each']} run(s) each way, seconds:")
    print_runs(runs)
    print(
        f"canary: external / embedded = {summary['external_over_embedded']:.2f} (aim <= 1.2); "
        f"with start.sh ({summary['external_start_sh_s']:.1f} s) "
        f"{summary['external_with_start_sh_over_embedded']:.2f}; per test "
        f"{summary['external_over_embedded_per_test']:.2f}; scenarios alone "
        f"{summary['scenarios_external_over_embedded']:.2f}"
    )
    failed = [r for r in runs if r.verdict != "GO"]
    for r in failed:
        print(f"\n{r.target}: {r.verdict} (exit {r.exit_code})\n{r.tail}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
