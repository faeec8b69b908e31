"""Memory across a change: requests made with Idempotency-Keys before it, retried after it.

Before a rollback or a restore, ``Memory.record`` makes a few mutating requests through the
target interface, each with its own key, and keeps each request and its answer: two accounts
opened, a deposit credited, a hold placed and burned, a transfer. After the change,
``Memory.replay`` sends each again with the same key and the same body. The contract
([P-idem-1]) says the answer must be the first one (same resource id and amounts) and the
effect must happen once: the two accounts' balances must not move because of the retries.

The rollback drills check it in their steady-state hypothesis, the restore drills on the
platform running on the restored database. Shared by both: the first piece of one drill model.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from golive.errors import ExpectationFailed
from golive.target import NoAnswer, PlatformError, Target

# the fields of an answer that must replay unchanged (those the resource has)
FIELDS = (
    "id", "owner_ref", "account_id", "from_account_id", "to_account_id", "transaction_id",
    "amount", "currency", "psp", "burned_amount", "released_amount",
)  # fmt: skip
SETTLE_ATTEMPTS = 3  # times the PSP is asked to deliver before the deposit counts as lost


@dataclass(frozen=True)
class Request:
    """One mutating request made before the change: how to send it again, and its answer."""

    name: str
    key: str
    send: Callable[[Target], object] = field(repr=False, compare=False)
    answer: dict[str, Any]


@dataclass(frozen=True)
class Replay:
    """One retry after the change and its verdict (``ok``: the first answer, once)."""

    request: str
    key: str
    ok: bool
    verdict: str

    def __str__(self) -> str:
        return f"{self.request} (Idempotency-Key {self.key}): {self.verdict}"

    def to_dict(self) -> dict[str, object]:
        return {"request": self.request, "key": self.key, "ok": self.ok, "verdict": self.verdict}


def answer_of(resource: object) -> dict[str, Any]:
    """The fields of a resource that a replay must repeat."""
    return {f: getattr(resource, f) for f in FIELDS if hasattr(resource, f)}


@dataclass
class Memory:
    """The requests one drill made before its change (empty until ``record``)."""

    currency: str = "EUR"
    opening: int = 10_000  # minor units deposited into the first account
    requests: list[Request] = field(default_factory=list)
    accounts: tuple[str, ...] = ()

    def record(self, client: Target, settle: Callable[[], None]) -> list[dict[str, Any]]:
        """Make the requests, each with a key of its own; ``settle`` lets the stub PSP
        deliver the deposit's confirmation. What was asked and answered, for the journal."""
        if self.requests:
            raise ExpectationFailed("the requests to retry after the change are already made")
        run = uuid.uuid4().hex[:12]
        cur = self.currency

        def make(name: str, keyed: Callable[[str], Callable[[Target], Any]]) -> Any:
            key = f"golive-memory-{run}-{len(self.requests) + 1}"
            send = keyed(key)  # the same call with the same body and key, every time
            result = send(client)
            self.requests.append(Request(name, key, send, answer_of(result)))
            return result

        a = make(
            "open account A", lambda k: lambda c: c.create_account(f"memory-{run}-a", cur, key=k)
        )
        b = make(
            "open account B", lambda k: lambda c: c.create_account(f"memory-{run}-b", cur, key=k)
        )
        dep = make("deposit into A", lambda k: lambda c: c.deposit(a.id, self.opening, cur, key=k))
        self._settled(client, dep.id, settle)
        held = self.opening // 5
        hold = make("place a hold on A", lambda k: lambda c: c.place_hold(a.id, held, cur, key=k))
        make("burn the hold", lambda k: lambda c: c.burn(hold.id, held, key=k))
        make(
            "transfer from A to B",
            lambda k: lambda c: c.transfer(a.id, b.id, self.opening // 4, cur, key=k),
        )
        self.accounts = (a.id, b.id)
        return [{"request": r.name, "key": r.key, "answer": r.answer} for r in self.requests]

    def _settled(self, client: Target, deposit_id: str, settle: Callable[[], None]) -> None:
        for _ in range(SETTLE_ATTEMPTS):
            settle()
            status = client.get_deposit(deposit_id).status
            if status == "succeeded":
                return
        raise ExpectationFailed(
            f"the deposit {deposit_id} made to retry after the change was not credited "
            f"(it is {status!r})"
        )

    def replay(self, client: Target) -> list[Replay]:
        """Send every request again with its key and body; a verdict on each, and one on
        the accounts' balances (the retries must not move them)."""
        if not self.requests:
            return [Replay("the requests made before the change", "-", False, "none was made")]
        before = self._balances(client)
        out = [self._again(client, r) for r in self.requests]
        after = self._balances(client)
        moved = [
            f"{acc}: {before[acc]} → {after[acc]}" for acc in before if before[acc] != after[acc]
        ]
        effect = "moved: " + "; ".join(moved) if moved else "unchanged by the retries"
        out.append(Replay("the balances of accounts A and B", "-", not moved, effect))
        return out

    def _again(self, client: Target, request: Request) -> Replay:
        try:
            answer = answer_of(request.send(client))
        except PlatformError as exc:
            why = f"refused with {exc.status} {exc.code or ''}".rstrip()
            return Replay(request.name, request.key, False, f"{why}, not replayed")
        except NoAnswer as exc:
            return Replay(request.name, request.key, False, f"no answer: {exc}"[:300])
        changed = [
            f"{k} {request.answer[k]!r} → {answer.get(k)!r}"
            for k in request.answer
            if answer.get(k) != request.answer[k]
        ]
        if changed:
            verdict = "a different answer: " + "; ".join(changed)
            return Replay(request.name, request.key, False, verdict)
        return Replay(request.name, request.key, True, "replayed the first answer")

    def _balances(self, client: Target) -> dict[str, tuple[int, int, int]]:
        out = {}
        for acc in self.accounts:
            bal = client.balance(acc)
            out[acc] = (bal.available, bal.held, bal.pending)
        return out
