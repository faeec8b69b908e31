"""The bank workload's history: every operation and every read, with when they happened.

Times are seconds since the workload started (one monotonic clock for every thread). An
operation's outcome is ``ok`` (the platform said it happened), ``fail`` (the platform
refused it: by the contract nothing was written) or ``info`` (no answer or a 5xx: it may or
may not have happened), as in Jepsen's histories.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OK, FAIL, INFO = "ok", "fail", "info"
KINDS = ("transfer", "hold", "burn", "release", "bad-transfer")


@dataclass(frozen=True)
class Op:
    """One client operation as the worker saw it."""

    process: int
    kind: str
    invoked: float
    completed: float
    outcome: str
    account: str  # the account whose money it moves (the source of a transfer)
    amount: int  # transfer/hold: the amount; burn: the amount burned; release: the hold's
    to_account: str | None = None  # transfer destination
    hold_id: str | None = None
    hold_amount: int = 0  # burn/release: the whole hold
    status: int | None = None  # a refusal's status, HTTP or nearest (None: accepted or no answer)
    error: str | None = None
    code: str | None = None  # a refusal's error code (the contract's error.code)
    key: str | None = None  # an Idempotency-Key other operations were sent with at once

    def effects(self) -> dict[str, tuple[int, int]]:
        """(Δavailable, Δheld) per account if the operation happened."""
        if self.kind in ("transfer", "bad-transfer"):
            out = {self.account: (-self.amount, 0)}
            if self.to_account is not None and self.kind == "transfer":
                out[self.to_account] = (self.amount, 0)
            return out
        if self.kind == "hold":
            return {self.account: (-self.amount, self.amount)}
        if self.kind == "burn":
            return {self.account: (self.hold_amount - self.amount, -self.hold_amount)}
        if self.kind == "release":
            return {self.account: (self.hold_amount, -self.hold_amount)}
        raise ValueError(f"unknown operation kind {self.kind!r}; known: {', '.join(KINDS)}")


@dataclass(frozen=True)
class Anomaly:
    """Something no correct platform does, found in a history (kinds: checker.ANOMALY_KINDS)."""

    kind: str
    at: float  # seconds since the workload started
    subject: str
    magnitude: int  # how far off, in minor units (for "worst")
    detail: str


@dataclass(frozen=True)
class AccountRead:
    """One balance read of one account (one request: the platform's atomic per-account view)."""

    process: int
    account: str
    started: float
    ended: float
    available: int
    held: int


@dataclass(frozen=True)
class Snapshot:
    """A reader's pass over every account (not atomic across accounts: each read is its own)."""

    process: int
    reads: tuple[AccountRead, ...]
    final: bool = False

    @property
    def started(self) -> float:
        return min(r.started for r in self.reads)

    @property
    def ended(self) -> float:
        return max(r.ended for r in self.reads)

    @property
    def total(self) -> int:
        return sum(r.available + r.held for r in self.reads)


@dataclass(frozen=True)
class HoldRecord:
    """The platform's final record of a hold (GET /holds/{id} after the workload)."""

    hold_id: str
    account: str
    amount: int
    status: str
    burned: int
    released: int


@dataclass
class History:
    """Everything the checker needs; JSON-serialisable through ``to_dict``."""

    currency: str
    initial: dict[str, int]  # available per account when the workload started (nothing held)
    ops: list[Op] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    holds: dict[str, HoldRecord] = field(default_factory=dict)
    seed: int | None = None
    duration: float = 0.0
    funded: dict[str, int] = field(default_factory=dict)  # what was deposited per account

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "seed": self.seed,
            "duration": self.duration,
            "initial": self.initial,
            "funded": self.funded,
            "ops": [asdict(o) for o in self.ops],
            "snapshots": [
                {"process": s.process, "final": s.final, "reads": [asdict(r) for r in s.reads]}
                for s in self.snapshots
            ],
            "holds": {k: asdict(v) for k, v in self.holds.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls(
            currency=d["currency"],
            initial=dict(d["initial"]),
            ops=[Op(**o) for o in d["ops"]],
            snapshots=[
                Snapshot(s["process"], tuple(AccountRead(**r) for r in s["reads"]), s["final"])
                for s in d["snapshots"]
            ],
            holds={k: HoldRecord(**v) for k, v in d["holds"].items()},
            seed=d.get("seed"),
            duration=d.get("duration", 0.0),
            funded=dict(d.get("funded", {})),
        )
