"""The last proof of a restore: the target, pointed at the restored database (its
``use_database`` operation), runs a compact canary money loop per PSP through its API, and
every cent is accounted for. The requests made with Idempotency-Keys before the backup
(golive.drills.memory) are retried there too: each must replay its first answer, once."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from golive.canary.conservation import conservation_violations
from golive.canary.load import one_loop
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.drills.memory import Memory
from golive.psp.provider import SHARED

if TYPE_CHECKING:
    from golive.drills.restore.target import DrillTarget

LOOPS = ((SHARED[0], "EUR", 10_000), (SHARED[1], "EUR", 12_345))


@dataclass
class CanaryOutcome:
    started: float
    finished: float = 0.0
    loops: int = 0
    failures: list[str] = field(default_factory=list)
    replays: list[dict[str, object]] = field(default_factory=list)  # each retry's verdict

    @property
    def passed(self) -> bool:
        return self.loops == len(LOOPS) and not self.failures

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "loops": self.loops,
            "failures": self.failures,
            "replays": self.replays,
            "seconds": round(self.finished - self.started, 3),
        }


def canary_through(target: DrillTarget, memory: Memory | None = None) -> CanaryOutcome:
    """The loops through the target's API and the stub PSP (the platform runs on the restored
    database by now); every cent judged. With ``memory``, its requests are retried first."""
    outcome = CanaryOutcome(started=time.time())
    try:
        client = target.client()
        psp = PspOps(target.psp_url)
        try:
            psp.clear_faults()
            if memory is not None:
                replays = memory.replay(client)
                outcome.replays = [r.to_dict() for r in replays]
                outcome.failures += [f"not remembered: {r}" for r in replays if not r.ok]
            for psp_name, currency, amount in LOOPS:
                world = CanaryWorld(client, psp)
                one_loop(world, psp_name, currency, amount)
                world.settle_payouts()
                outcome.failures += [str(v) for v in conservation_violations(world)]
                outcome.loops += 1
        finally:
            client.close()
            psp.close()
    except Exception as exc:  # a 5xx, no answer, an unmet expectation
        outcome.failures.append(f"{type(exc).__name__}: {exc}"[:600])
    outcome.finished = time.time()
    return outcome
