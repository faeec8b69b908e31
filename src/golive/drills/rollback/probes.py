"""The steady-state probes of a money platform, read through the contract only.

Every probe is read-only: it never moves money, delivers a webhook or changes a setting.
The memory probe sends requests again, but only with the keys and bodies they were first
sent with, which the contract says must move nothing ([P-idem-1]).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from golive.drills.memory import Memory, Replay
from golive.drills.rollback.book import Book
from golive.drills.steady_state import Hypothesis, Probe
from golive.drills.tolerance import SHOWN, Exactly, NoneFound, SameAsBefore, Tolerance
from golive.invariants import (
    Violation,
    negative_available,
    unbalanced_transactions,
    wallet_mismatches,
)
from golive.target import Job, PlatformError, Target, Total, iter_entries

JOB_RESOURCES = {"deposit_confirmation": "deposit", "payout": "withdrawal"}


def money_hypothesis(client: Target, book: Book, memory: Memory | None = None) -> Hypothesis:
    """The money platform's steady state: serving, balanced, on the books, nothing stuck,
    and (with ``memory``) every request made before the change still remembered."""
    probes = [
        Probe("platform serving", lambda: client.health().status, Exactly("ok")),
        Probe(
            "every transaction balances",
            lambda: unbalanced_transactions(iter_entries(client)),
            NoneFound("unbalanced transaction"),
        ),
        Probe(
            "the ledger sums to zero in every currency",
            lambda: trial_balance(client.totals()),
            NoneFound("currency out of balance"),
        ),
        Probe(
            "wallet balances match their ledger legs",
            lambda: ledger_mismatches(client, book),
            NoneFound("wallet off its ledger"),
        ),
        Probe(
            "every wallet matches the drill's books",
            book.wallet_mismatches,
            NoneFound("wallet off the books"),
        ),
        Probe(
            "money beyond the drill's books",
            lambda: book.unexplained(client.totals()),
            SameAsBefore("unexplained money"),
        ),
        Probe("no finance job stuck", lambda: stuck_jobs(client), NoneFound("stuck job")),
    ]
    title = "the platform serves, its ledger balances, every cent is on the books, no job is stuck"
    if memory is not None:
        probes.append(memory_probe(client, memory))
        title += ", it remembers what it answered"
    return Hypothesis(title, probes)


MEMORY_PROBE = "requests made before the change replay their first answer, once"


def memory_probe(client: Target, memory: Memory) -> Probe:
    """Every request ``memory`` made before the change, retried with its key: each verdict."""
    return Probe(MEMORY_PROBE, lambda: memory.replay(client), AllReplayed())


@dataclass(frozen=True)
class AllReplayed(Tolerance):
    """Every retry replayed its first answer and moved nothing (the journal lists them all)."""

    def deviation(self, value: Any, before: Any = None) -> str | None:
        if not isinstance(value, Sequence) or not all(isinstance(r, Replay) for r in value):
            return f"{value!r} is not a list of replayed requests"
        bad = [r for r in value if not r.ok]
        if not bad:
            return None
        shown = "; ".join(str(r) for r in bad[:SHOWN])
        more = f" (and {len(bad) - SHOWN} more)" if len(bad) > SHOWN else ""
        return f"{len(bad)} of {len(value)} retried request(s) not remembered: {shown}{more}"

    def describe(self) -> str:
        return "every retry replays its first answer and moves nothing"


def trial_balance(totals: list[Total]) -> list[Violation]:
    """All ledger accounts of a currency add up to zero (money is neither made nor lost)."""
    sums: dict[str, int] = defaultdict(int)
    for row in totals:
        sums[row.currency] += row.balance
    return [
        Violation("ledger sums to zero", f"currency {cur}", f"its accounts add up to {s}, not 0")
        for cur, s in sorted(sums.items())
        if s != 0
    ]


def ledger_mismatches(client: Target, book: Book) -> list[Violation]:
    balances = [client.balance(w.w.account_id) for w in book.funded()]
    return negative_available(balances) + wallet_mismatches(iter_entries(client), balances)


def stuck_jobs(client: Target) -> list[Violation]:
    """Pending finance jobs whose deposit or withdrawal is already settled.

    A job waiting for a webhook that has not come is not stuck yet; a job still pending
    after its deposit was credited or its payout paid will never finish on its own.
    """
    found = []
    for job in client.jobs(state="pending"):
        status = resource_status(client, job)
        if status not in ("pending", "in_transit"):
            found.append(
                Violation(
                    "no finance job stuck",
                    f"{job.kind} job {job.id}",
                    f"still pending since {job.created_at}, but its "
                    f"{JOB_RESOURCES.get(job.kind, job.kind)} {job.reference} is {status}",
                )
            )
    return found


def resource_status(client: Target, job: Job) -> str:
    """The status of the deposit or withdrawal a finance job waits on."""
    resource = JOB_RESOURCES.get(job.kind)
    if resource is None or job.reference is None:
        return f"unknown (job kind {job.kind!r})"
    try:
        if resource == "deposit":
            return client.get_deposit(job.reference).status
        return client.get_withdrawal(job.reference).status
    except PlatformError as exc:
        return f"unreadable ({exc.status})"
