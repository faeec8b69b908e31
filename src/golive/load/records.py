"""What a load process writes and golive reads back: one line per money loop.

The loop's record carries its world (the wallet model, the deposits, holds and
withdrawals it made) so golive can settle and check every loop's money after the load,
and whether it failed (and how), so the gates can count requests that got no answer.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from golive.canary.model import WalletModel
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.evidence.recorder import Exchange
from golive.target import Deposit, Hold, Target, Withdrawal

STATS = "locust-stats.json"  # Locust's per-endpoint statistics, written by its master
_SETS = ("credited", "failed_deposits", "paid", "refunded")


@dataclass
class LoopRecord:
    """One money loop as its load process saw it."""

    index: int
    wallet: dict[str, Any] | None  # WalletModel fields (sets as sorted lists)
    deposits: list[dict[str, Any]]
    holds: list[dict[str, Any]]
    withdrawals: list[dict[str, Any]]
    failure: str | None = None  # "ExpectationFailed: …" when the loop did not complete
    no_answer: bool = False  # it failed on a request the platform never answered


def loop_record(
    index: int, world: CanaryWorld, failure: str | None = None, no_answer: bool = False
) -> LoopRecord:
    wallet = None
    if world.wallet is not None:
        wallet = asdict(world.wallet)
        for name in _SETS:
            wallet[name] = sorted(wallet[name])
    return LoopRecord(
        index,
        wallet,
        [asdict(d) for d in world.deposits],
        [asdict(h) for h in world.holds],
        [asdict(w) for w in world.withdrawals],
        failure,
        no_answer,
    )


def world_of(record: LoopRecord, client: Target, psp: PspOps) -> CanaryWorld:
    """The loop's world again, on golive's own clients."""
    world = CanaryWorld(client, psp)
    if record.wallet is not None:
        data = dict(record.wallet)
        for name in _SETS:
            data[name] = set(data[name])
        world.wallet = WalletModel(**data)
    world.deposits = [Deposit(**d) for d in record.deposits]
    world.holds = [Hold(**h) for h in record.holds]
    world.withdrawals = [Withdrawal(**w) for w in record.withdrawals]
    world.hold = world.holds[-1] if world.holds else None
    return world


def dump(record: LoopRecord) -> str:
    return json.dumps(asdict(record), sort_keys=True)


def read_loops(folder: Path) -> list[LoopRecord]:
    """Every loop record the load processes wrote under ``folder``, by loop index."""
    names = {f.name for f in fields(LoopRecord)}
    out = []
    for path in sorted(folder.glob("*/loops.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                out.append(LoopRecord(**{k: v for k, v in data.items() if k in names}))
    return sorted(out, key=lambda r: r.index)


def read_exchanges(folder: Path, peer: str = "platform") -> list[tuple[Exchange, bytes]]:
    """Every recorded exchange with ``peer`` (and its transcript line), by start time."""
    out = []
    for path in sorted(folder.glob(f"*/transcripts/{peer}.jsonl*")):
        for raw in path.read_bytes().splitlines():
            if not raw.strip():
                continue
            data = json.loads(raw)
            exchange = Exchange(
                peer=peer,
                method=str(data["method"]),
                url=str(data["url"]),
                status=int(data["status"]),
                started_at=float(data["started_at"]),
                duration_ms=float(data["duration_ms"]),
            )
            out.append((exchange, raw))
    return sorted(out, key=lambda x: x[0].started_at)
