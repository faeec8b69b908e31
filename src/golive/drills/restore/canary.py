"""The last proof of a restore: the platform, pointed at the restored database, runs a
compact canary money loop (one per PSP) and every cent is accounted for."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from golive.canary.conservation import conservation_violations
from golive.canary.load import one_loop
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.evidence import transcript_hooks
from golive.stack import embedded_stack

LOOPS = (("stripe", "EUR", 10_000), ("adyen", "EUR", 12_345))


@dataclass
class CanaryOutcome:
    started: float
    finished: float = 0.0
    loops: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.loops == len(LOOPS) and not self.failures

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "loops": self.loops,
            "failures": self.failures,
            "seconds": round(self.finished - self.started, 3),
        }


def canary_on(dsn: str, *, app_version: str, log_dir: Path | None = None) -> CanaryOutcome:
    """Start the stub PSP and the reference platform on ``dsn``; run the loops; judge them."""
    outcome = CanaryOutcome(started=time.time())
    try:
        with embedded_stack(dsn, app_version=app_version, log_dir=log_dir) as stack:
            client = stack.open_target(event_hooks=transcript_hooks("platform"))
            psp = PspOps(stack.psp_url)
            try:
                psp.clear_faults()
                for psp_name, currency, amount in LOOPS:
                    world = CanaryWorld(client, psp)
                    one_loop(world, psp_name, currency, amount)
                    world.settle_payouts()
                    outcome.failures += [str(v) for v in conservation_violations(world)]
                    outcome.loops += 1
            finally:
                client.close()
                psp.close()
    except Exception as exc:  # the platform refused to start, a 5xx, an unmet expectation
        outcome.failures.append(f"{type(exc).__name__}: {exc}"[:600])
    outcome.finished = time.time()
    return outcome
