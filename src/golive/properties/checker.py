"""The bank workload's checker: finds every anomaly in a history, Jepsen-style.

A read of an account is checked against every linearization of the operations: an
operation that completed before the read started must be visible, one invoked after the
read ended must not be, one overlapping it may or may not be (and so may one whose outcome
is unknown). That gives an interval per figure (available, held, available + held); a read
outside it is an anomaly. The final read, taken after every worker stopped, gives the
verdict on the books: total conserved, each account's balance right.

Anomaly kinds:
  total-not-conserved   the money in the accounts at the end is not the money put in minus
                        the money burned
  negative-balance      a read shows a negative available or held balance, or the operations
                        the platform accepted overdraw an account in every order they could
                        have taken effect in
  inconsistent-read     a read during the workload no linearization of the operations explains
  wrong-final-balance   an account's final balance is not what the operations add up to
  hold-resolved-twice   more than one burn or release of one hold succeeded
  hold-record-mismatch  a hold's final record disagrees with the operations the platform accepted
  wrong-refusal         a burn or release of a hold already resolved was refused with another
                        code than hold_not_pending: the hold's state was not what stopped it
  invalid-op-accepted   an operation that must be refused (transfer to no account) succeeded
  same-key-double-effect   requests sent at once with one Idempotency-Key made more than one
                        hold (the key promised one effect)
  same-key-replay-differs  their accepted answers are not one answer replayed
  same-key-wrong-refusal   one was accepted and another refused with another code than
                        idempotency_key_in_progress
  server-error          the platform answered 5xx (the operation's outcome is unknown)
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from golive.properties.history import FAIL, INFO, OK, AccountRead, Anomaly, History, Op, Snapshot
from golive.properties.samekey import SAME_KEY_KINDS, KeyedAnswer, judge

NOT_PENDING = "hold_not_pending"  # the contract's refusal of a resolved hold
PAST = {"burn": "burned", "release": "released"}
ANOMALY_KINDS = (
    "total-not-conserved",
    "negative-balance",
    "inconsistent-read",
    "wrong-final-balance",
    "hold-resolved-twice",
    "hold-record-mismatch",
    "wrong-refusal",
    "invalid-op-accepted",
    *SAME_KEY_KINDS,
    "server-error",
)


@dataclass(frozen=True)
class KindSummary:
    kind: str
    count: int
    first: Anomaly
    worst: Anomaly
    last: Anomaly


@dataclass(frozen=True)
class TotalPoint:
    """The money in the accounts as one snapshot saw it, and the range that is consistent."""

    at: float
    total: int
    low: int
    high: int
    anomalous: bool
    final: bool


@dataclass
class BankReport:
    anomalies: list[Anomaly] = field(default_factory=list)
    totals: list[TotalPoint] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.anomalies

    def summary(self) -> dict[str, KindSummary]:
        """Per anomaly kind: how many, the first, the worst and the last occurrence."""
        by_kind: dict[str, list[Anomaly]] = defaultdict(list)
        for a in self.anomalies:
            by_kind[a.kind].append(a)
        out = {}
        for kind in sorted(by_kind, key=_kind_order):
            found = sorted(by_kind[kind], key=lambda a: a.at)
            worst = max(found, key=lambda a: abs(a.magnitude))
            out[kind] = KindSummary(kind, len(found), found[0], worst, found[-1])
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "stats": self.stats,
            "summary": {k: asdict(v) for k, v in self.summary().items()},
            "anomalies": [asdict(a) for a in self.anomalies],
            "totals": [asdict(t) for t in self.totals],
        }


def _kind_order(kind: str) -> int:
    return ANOMALY_KINDS.index(kind) if kind in ANOMALY_KINDS else len(ANOMALY_KINDS)


@dataclass
class _Range:
    """Known value plus what the operations that may or may not be visible could add."""

    base: int
    low: int = 0
    high: int = 0

    def add(self, delta: int, certain: bool) -> None:
        if certain:
            self.base += delta
        elif delta < 0:
            self.low += delta
        else:
            self.high += delta

    @property
    def bounds(self) -> tuple[int, int]:
        return self.base + self.low, self.base + self.high

    def off_by(self, value: int) -> int:
        """0 inside the range; otherwise the signed distance to it."""
        lo, hi = self.bounds
        return value - lo if value < lo else value - hi if value > hi else 0


def _visible(op: Op, started: float, ended: float) -> bool | None:
    """True: must be visible to a read in [started, ended]; False: must not; None: either."""
    if op.outcome == FAIL or op.invoked > ended:
        return False
    if op.outcome == OK and op.completed < started:
        return True
    return None


def expected_ranges(
    history: History, account: str, started: float, ended: float
) -> tuple[_Range, _Range, _Range]:
    """(available, held, available + held) ranges a read of ``account`` in the window allows."""
    avail, held, value = _Range(history.initial.get(account, 0)), _Range(0), _Range(0)
    value.base = avail.base
    for op in history.ops:
        effect = op.effects().get(account)
        if effect is None:
            continue
        seen = _visible(op, started, ended)
        if seen is False:
            continue
        d_av, d_held = effect
        avail.add(d_av, seen is True)
        held.add(d_held, seen is True)
        value.add(d_av + d_held, seen is True)
    return avail, held, value


def _check_read(history: History, read: AccountRead, final: bool) -> list[Anomaly]:
    found = []
    for figure, value in (("available", read.available), ("held", read.held)):
        if value < 0:
            found.append(
                Anomaly(
                    "negative-balance",
                    read.ended,
                    f"account {read.account}",
                    value,
                    f"{figure} is {value} {history.currency}",
                )
            )
    avail, held, total = expected_ranges(history, read.account, read.started, read.ended)
    kind = "wrong-final-balance" if final else "inconsistent-read"
    checks = (
        ("available", avail, read.available),
        ("held", held, read.held),
        ("available + held", total, read.available + read.held),
    )
    for figure, rng, value in checks:
        off = rng.off_by(value)
        if off:
            lo, hi = rng.bounds
            want = f"{lo}" if lo == hi else f"between {lo} and {hi}"
            found.append(
                Anomaly(
                    kind,
                    read.ended,
                    f"account {read.account}",
                    off,
                    f"{figure} read as {value} {history.currency}, the operations allow {want}",
                )
            )
            break  # one finding per read: the first figure that is off
    return found


def _check_overdraft(history: History) -> list[Anomaly]:
    """Right after an accepted debit completes, the most an account can hold is what every
    operation completed by then leaves, plus each credit still in flight. Below zero, the
    platform accepted an overdraft whatever order the operations took effect in, read or not."""
    found: list[Anomaly] = []
    for op in history.ops:
        if op.outcome != OK or op.kind not in ("hold", "transfer"):
            continue
        just_after = math.nextafter(op.completed, math.inf)
        avail, _, _ = expected_ranges(history, op.account, just_after, just_after)
        most = avail.bounds[1]
        if most < 0 and not any(a.subject == f"account {op.account}" for a in found):
            found.append(
                Anomaly(
                    "negative-balance",
                    op.completed,
                    f"account {op.account}",
                    most,
                    f"after the {op.kind} of {op.amount} {history.currency} was accepted, the "
                    f"operations accepted leave at most {most} {history.currency} available",
                )
            )
    return found


def _total_point(history: History, snap: Snapshot, anomalous: bool) -> TotalPoint:
    low = high = 0
    for r in snap.reads:
        lo, hi = expected_ranges(history, r.account, r.started, r.ended)[2].bounds
        low, high = low + lo, high + hi
    mid = (snap.started + snap.ended) / 2
    return TotalPoint(round(mid, 4), snap.total, low, high, anomalous, snap.final)


def _check_holds(history: History) -> list[Anomaly]:
    found: list[Anomaly] = []
    resolutions: dict[str, list[Op]] = defaultdict(list)
    unknown: set[str] = set()
    for op in history.ops:
        if op.kind in ("burn", "release") and op.hold_id:
            if op.outcome == OK:
                resolutions[op.hold_id].append(op)
            elif op.outcome == INFO:
                unknown.add(op.hold_id)
    for hold_id, ops in resolutions.items():
        if len(ops) > 1:
            ops.sort(key=lambda o: o.completed)
            moved = sum(o.amount if o.kind == "burn" else o.hold_amount for o in ops[1:])
            found.append(
                Anomaly(
                    "hold-resolved-twice",
                    ops[1].completed,
                    f"hold {hold_id}",
                    moved,
                    "the platform accepted "
                    + ", then ".join(
                        f"{o.kind} {o.amount if o.kind == 'burn' else ''}".strip() for o in ops
                    ),
                )
            )
    found += _wrong_refusals(history, resolutions)
    placed = [op for op in history.ops if op.kind == "hold" and op.outcome == OK and op.hold_id]
    placed = list({op.hold_id: op for op in placed}.values())
    end = history.duration
    for op in placed:
        assert op.hold_id is not None
        rec = history.holds.get(op.hold_id)
        ops = resolutions.get(op.hold_id, [])
        if rec is None:
            found.append(
                Anomaly(
                    "hold-record-mismatch",
                    end,
                    f"hold {op.hold_id}",
                    op.amount,
                    "the platform accepted the hold but has no record of it",
                )
            )
            continue
        expected = _expected_record(op, ops, op.hold_id in unknown)
        state = (rec.status, rec.burned, rec.released)
        if not any(_matches(state, want) for want in expected):
            first_burn = ops[0].amount if ops and ops[0].kind == "burn" else 0
            found.append(
                Anomaly(
                    "hold-record-mismatch",
                    end,
                    f"hold {op.hold_id}",
                    abs(rec.burned - first_burn),
                    f"the record says {_show(state)}; the accepted operations allow "
                    f"{' or '.join(_show(s) for s in expected)}",
                )
            )
    return found


def _wrong_refusals(history: History, resolutions: dict[str, list[Op]]) -> list[Anomaly]:
    """Refusals of holds resolved before they were asked: the contract says hold_not_pending."""
    found = []
    for op in history.ops:
        if op.kind not in ("burn", "release") or op.outcome != FAIL or not op.hold_id:
            continue
        done = [r for r in resolutions.get(op.hold_id, []) if r.completed < op.invoked]
        if done and op.code != NOT_PENDING:
            found.append(
                Anomaly(
                    "wrong-refusal",
                    op.completed,
                    f"hold {op.hold_id}",
                    op.amount,
                    f"{op.kind} of a hold already {PAST[done[0].kind]} was refused with "
                    f"{op.status} {op.code or '(no code)'}, not {NOT_PENDING}",
                )
            )
    return found


# (status, burned, released); burned None: any burn that adds up with the release to the
# hold's amount, given as the third element (an unanswered burn of unknown amount)
_State = tuple[str, int | None, int]


def _expected_record(placed: Op, ops: list[Op], unknown: bool) -> list[_State]:
    amount = placed.amount
    if ops:
        first = ops[0]
        if first.kind == "burn":
            return [("burned", first.amount, amount - first.amount)]
        return [("released", 0, amount)]
    if unknown:  # a burn or release whose answer was lost may have happened
        return [("pending", 0, 0), ("released", 0, amount), ("burned", None, amount)]
    return [("pending", 0, 0)]


def _matches(state: tuple[str, int, int], want: _State) -> bool:
    status, burned, released = state
    if want[1] is None:
        return status == want[0] and burned > 0 and burned + released == want[2]
    return state == want


def _show(state: tuple[str, int, int] | _State) -> str:
    status, burned, released = state
    if status == "pending":
        return "pending"
    if burned is None:
        return f"{status} (any amount)"
    return f"{status} (burned {burned}, released {released})"


@dataclass(frozen=True)
class _HoldRef:
    id: str | None


def effective_ops(history: History) -> list[Op]:
    """The operations whose effects count. Of requests sent at once with one key, accepted
    answers naming one hold are one effect (the earliest), and an unanswered one is a replay
    once another was accepted; holds with different ids are each an effect (and an anomaly)."""
    first: dict[tuple[str, str | None], Op] = {}
    accepted = {op.key for op in history.ops if op.key and op.outcome == OK}
    out = []
    for op in history.ops:
        if op.key is None or (op.outcome == INFO and op.key not in accepted):
            out.append(op)
        elif op.outcome == OK:
            prev = first.get((op.key, op.hold_id))
            if prev is None or op.completed < prev.completed:
                first[(op.key, op.hold_id)] = op
        elif op.outcome == FAIL:
            out.append(op)
    return out + list(first.values())


def _check_same_key(history: History) -> list[Anomaly]:
    groups: dict[str, list[Op]] = defaultdict(list)
    for op in history.ops:
        if op.key:
            groups[op.key].append(op)
    found = []
    for ops in groups.values():
        answers = [
            KeyedAnswer(0, op.outcome, _HoldRef(op.hold_id), op.status, op.code, op.error or "")
            for op in ops
        ]
        subject = f"{ops[0].kind} of {ops[0].amount} on account {ops[0].account}"
        found += judge(subject, answers, at=max(op.completed for op in ops))
    return found


def check_history(history: History) -> BankReport:
    """Every anomaly in ``history``, the total-over-time series, and operation counts."""
    report = BankReport()
    sent = history.ops
    report.anomalies += _check_same_key(history)
    history = replace(history, ops=effective_ops(history))
    for snap in history.snapshots:
        found = [a for r in snap.reads for a in _check_read(history, r, snap.final)]
        report.anomalies += found
        report.totals.append(_total_point(history, snap, bool(found)))
        if snap.final:
            point = report.totals[-1]
            if not point.low <= point.total <= point.high:
                want = point.low if point.low == point.high else f"{point.low}..{point.high}"
                report.anomalies.append(
                    Anomaly(
                        "total-not-conserved",
                        snap.ended,
                        "all accounts",
                        point.total - (point.low if point.total < point.low else point.high),
                        f"the accounts hold {point.total} {history.currency} in total at the end; "
                        f"funded {sum(history.initial.values())}, so the operations allow {want}",
                    )
                )
    for account, funded in history.funded.items():
        credited = history.initial.get(account, 0)
        if credited != funded:
            report.anomalies.append(
                Anomaly(
                    "total-not-conserved",
                    0.0,
                    f"account {account}",
                    credited - funded,
                    f"deposited {funded} {history.currency}, the account started with {credited}",
                )
            )
    report.anomalies += _check_holds(history)
    report.anomalies += _check_overdraft(history)
    for op in sent:
        if op.kind == "bad-transfer" and op.outcome == OK:
            report.anomalies.append(
                Anomaly(
                    "invalid-op-accepted",
                    op.completed,
                    f"account {op.account}",
                    op.amount,
                    f"a transfer of {op.amount} to account {op.to_account}, which does not exist, "
                    "was accepted",
                )
            )
        if op.status is not None and op.status >= 500:
            report.anomalies.append(
                Anomaly(
                    "server-error",
                    op.completed,
                    f"{op.kind} on account {op.account}",
                    op.amount,
                    f"HTTP {op.status}: {(op.error or '')[:200]}",
                )
            )
    report.anomalies.sort(key=lambda a: (a.at, _kind_order(a.kind)))
    report.stats = _stats(replace(history, ops=sent))
    return report


def _stats(history: History) -> dict[str, Any]:
    outcomes = Counter(f"{op.kind}:{op.outcome}" for op in history.ops)
    return {
        "operations": len(history.ops),
        "by_kind_and_outcome": dict(sorted(outcomes.items())),
        "snapshots": len(history.snapshots),
        "account_reads": sum(len(s.reads) for s in history.snapshots),
        "accounts": len(history.initial),
        "duration_seconds": round(history.duration, 3),
        "seed": history.seed,
    }
