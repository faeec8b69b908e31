"""Same-key concurrency: one request sent N times at the same moment with one Idempotency-Key.

The contract promises one effect per key: every accepted answer is the first answer, replayed;
while the first is still running the others may be refused with 409
``idempotency_key_in_progress``; the same key with another body is refused with 422
``idempotency_key_reused`` (or 409 while the first is in flight). A client retrying after a
time-out sends exactly such a burst. ``fire`` sends one burst, ``judge`` turns its answers
into anomalies (the kinds below, also found in the bank workload's history).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from golive.properties.history import FAIL, INFO, OK, Anomaly
from golive.target import NoAnswer, PlatformError, Target

IN_PROGRESS = "idempotency_key_in_progress"
REUSED = "idempotency_key_reused"
DOUBLE_EFFECT = "same-key-double-effect"
REPLAY_DIFFERS = "same-key-replay-differs"
WRONG_REFUSAL = "same-key-wrong-refusal"
SAME_KEY_KINDS = (DOUBLE_EFFECT, REPLAY_DIFFERS, WRONG_REFUSAL)
BARRIER_SECONDS = 30.0

# One request: (client, idempotency key) -> the record the platform answers with.
Send = Callable[[Target, str], object]


@dataclass(frozen=True)
class KeyedAnswer:
    """One answer of a burst. ``body``: which body was sent (0, or 1 for another body)."""

    body: int
    outcome: str  # OK, FAIL (refused) or INFO (no answer or a 5xx)
    record: object | None = None
    status: int | None = None
    code: str | None = None
    detail: str = ""


def answer(client: Target, send: Send, key: str) -> tuple[str, object, PlatformError | None, str]:
    """(outcome, record, refusal, why there is no answer): OK, FAIL (4xx) or INFO (unknown)."""
    try:
        return OK, send(client, key), None, ""
    except PlatformError as exc:
        if exc.status >= 500:
            return INFO, None, exc, str(exc.body if exc.body is not None else exc)[:300]
        return FAIL, None, exc, ""
    except (NoAnswer, ValueError) as exc:
        return INFO, None, None, repr(exc)


def fire(
    clients: Sequence[Target], sends: Sequence[tuple[int, Send]], key: str
) -> list[KeyedAnswer]:
    """Send every ``(body, send)`` at the same moment, one thread and client each."""
    if len(clients) < len(sends):
        raise ValueError(f"{len(sends)} requests at once need as many clients, not {len(clients)}")
    barrier = threading.Barrier(len(sends))
    out: list[KeyedAnswer | None] = [None] * len(sends)

    def one(i: int) -> None:
        body, send = sends[i]
        try:
            barrier.wait(timeout=BARRIER_SECONDS)
        except threading.BrokenBarrierError:
            out[i] = KeyedAnswer(body, INFO, detail="not sent: the others did not start")
            return
        outcome, record, refusal, why = answer(clients[i], send, key)
        status = None if refusal is None else refusal.status
        code = None if refusal is None else refusal.code
        out[i] = KeyedAnswer(body, outcome, record, status, code, why)

    threads = [
        threading.Thread(target=one, args=(i,), name=f"same-key-{i}") for i in range(len(sends))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=BARRIER_SECONDS + 120)
    return [a or KeyedAnswer(0, INFO, detail="no answer in time") for a in out]


def at_once(client: Target, send: Send, n: int, key: str) -> list[KeyedAnswer]:
    """One request sent ``n`` times at the same moment with ``key``, over one client."""
    return fire([client] * n, [(0, send)] * n, key)


def verdict(subject: str, answers: Sequence[KeyedAnswer]) -> str | None:
    """Why a burst of one request is wrong (None: it is right), for a scenario's Then."""
    if not any(a.outcome == OK for a in answers):
        return f"{subject}: no request was accepted: " + "; ".join(_show(a) for a in answers)
    found = judge(subject, answers)
    return "\n".join(f"{a.kind}: {a.detail}" for a in found) or None


def _identity(record: object) -> object:
    """What names the effect: a record's id (a list, e.g. expired holds, has none)."""
    return getattr(record, "id", None)


def _show(a: KeyedAnswer) -> str:
    if a.outcome == OK:
        return f"accepted {_identity(a.record) or str(a.record)[:80]}"
    if a.outcome == FAIL:
        return f"refused {a.status} {a.code or '(no code)'}"
    return f"no answer ({a.detail[:80]})"


def judge(subject: str, answers: Sequence[KeyedAnswer], *, at: float = 0.0) -> list[Anomaly]:
    """What one burst's answers break: one effect, identical replays, only documented codes."""
    found: list[Anomaly] = []
    seen = "; ".join(_show(a) for a in answers)
    accepted = [a for a in answers if a.outcome == OK]
    ids = {_identity(a.record) for a in accepted}
    bodies = {a.body for a in accepted}
    if len(ids) > 1 or len(bodies) > 1:
        what = f"{len(ids)} records" if len(ids) > 1 else "two different bodies"
        found.append(Anomaly(DOUBLE_EFFECT, at, subject, len(ids) - 1 or 1,
                             f"{what} accepted under one key: {seen}"))  # fmt: skip
    elif any(a.record != accepted[0].record for a in accepted[1:]):
        found.append(Anomaly(REPLAY_DIFFERS, at, subject, 1,
                             f"the replays are not the first answer: {seen}"))  # fmt: skip
    if accepted:
        wrong = [
            a
            for a in answers
            if a.outcome == FAIL
            and a.code != IN_PROGRESS
            and not (a.body not in bodies and a.code == REUSED)
        ]
        if wrong:
            found.append(Anomaly(WRONG_REFUSAL, at, subject, len(wrong),
                                 f"refused with another code than {IN_PROGRESS}"
                                 f" (or {REUSED} for another body): {seen}"))  # fmt: skip
    return found
