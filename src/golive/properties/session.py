"""One example of the ledger state machine: its model, its accounts, and the checks.

Isolation without a database reset: every example opens fresh accounts (new ids nobody else
touches) and checks only those accounts, plus the double-entry balance of every ledger
transaction written since it started. Resetting the database per example would need a
platform restart (seconds) per example; opening accounts costs milliseconds
(docs/properties.md has the measurements).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from golive.canary.psp_ops import PspOps
from golive.errors import InvariantViolation
from golive.invariants import Violation
from golive.properties.model import LedgerModel
from golive.properties.tail import EntryTail, LedgerView
from golive.psp.provider import names
from golive.target import Balance, Entry, NoAnswer, PlatformError, Target


class PropertyContext:
    """What every example shares: the driver, the PSP's control API and the ledger tail."""

    def __init__(self, client: Target, psp: PspOps, psps: Sequence[str] = ()) -> None:
        self.client = client
        self.psp = psp
        # the payment providers the target uses ([target] psps); every registered one if none
        self.psps = tuple(psps) or names()
        self.tail = EntryTail(client)
        self.tail.skip_to_end()
        self.fee_bps = client.settings().fee_bps  # the platform's own, restored after a change

    def restore_fee(self) -> None:
        if self.fee_bps is not None and self.client.settings().fee_bps != self.fee_bps:
            self.client.update_settings(fee_bps=self.fee_bps)


R = TypeVar("R")

# A mutating operation: (amount, idempotency key) -> the record the platform answers with.
# The amount is the one the operation sends (None when it sends none), so a call can be sent
# again with the same key and a different amount.
Operation = Callable[[int | None, str], R]


@dataclass(frozen=True)
class Answer(Generic[R]):
    """The platform's record, or its refusal (4xx; 5xx and no answer are violations)."""

    key: str
    data: R | None = None
    error: PlatformError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int | None:
        return None if self.error is None else self.error.status

    @property
    def code(self) -> str | None:
        return None if self.error is None else self.error.code

    def got(self) -> R:
        """The record of an accepted call."""
        if self.data is None:
            raise AssertionError(f"no record in a refused answer ({self.error})")
        return self.data


@dataclass(frozen=True)
class Call:
    """A mutating operation the platform accepted (to retry with the same key later)."""

    what: str
    operation: Operation[object]
    amount: int | None
    key: str
    data: object


class LedgerSession:
    """The model beside the platform, for one example; raises on the first disagreement."""

    def __init__(self, probe: PropertyContext) -> None:
        self.probe = probe
        self.model = LedgerModel(fee_bps=probe.client.settings().fee_bps)
        self.view = LedgerView()
        self.calls: list[Call] = []
        self.ours: set[str] = set()  # ledger transactions touching this example's accounts
        self.system_legs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.failed = False
        self.absorb(probe.tail.poll())  # legs written before this example are not ours

    @property
    def client(self) -> Target:
        return self.probe.client

    @property
    def psp(self) -> PspOps:
        return self.probe.psp

    # -- talking to the platform -------------------------------------------------------
    def send(
        self,
        what: str,
        operation: Operation[R],
        amount: int | None = None,
        *,
        key: str | None = None,
        record: bool = True,
    ) -> Answer[R]:
        """Run ``operation`` with ``amount`` and a key (a fresh one unless given)."""
        key = key or str(uuid.uuid4())
        try:
            data = operation(amount, key)
        except NoAnswer as exc:
            raise self.violation("platform answers", what, f"no answer: {exc}") from None
        except PlatformError as exc:
            if exc.status >= 500:
                raise self.violation(
                    "platform answers", what, f"HTTP {exc.status}: {exc.body!r}"
                ) from None
            return Answer(key, error=exc)
        if record:
            self.calls.append(Call(what, operation, amount, key, data))
        return Answer(key, data)

    def expect(self, what: str, allowed: bool, answer: Answer[R]) -> bool:
        """The platform accepts exactly what the model says a correct platform accepts."""
        if allowed and not answer.ok:
            raise self.violation(
                "accepts valid requests", what, f"refused with {answer.status} {answer.code!r}"
            )
        if not allowed and answer.ok:
            raise self.violation(
                "refuses invalid requests",
                what,
                f"accepted: {str(answer.data)[:300]}",
            )
        return allowed

    def violation(self, check: str, subject: str, detail: str) -> InvariantViolation:
        return self.violations([Violation(check, subject, detail)])

    def violations(self, found: list[Violation]) -> InvariantViolation:
        self.failed = True
        return InvariantViolation("; ".join(str(v) for v in found))

    # -- the ledger ------------------------------------------------------------------------
    def absorb(self, entries: list[Entry]) -> set[tuple[str, str]]:
        """Fold new legs into the view; note this example's transactions and their system legs."""
        for e in entries:
            if e.account_id in self.model.accounts:
                self.ours.add(e.transaction_id)
        for e in entries:
            if e.transaction_id in self.ours and e.account_id not in self.model.accounts:
                self.system_legs[e.currency][e.account_kind] -= e.signed  # credit-normal
        return self.view.add(entries)

    def ledger_money(self) -> dict[str, dict[str, int]]:
        """Per currency, from this example's ledger transactions: credited from PSP clearing,
        burned into house revenue and house fees, sent to payouts in transit (net of refunds)."""
        out = {}
        for cur, legs in self.system_legs.items():
            out[cur] = {
                "credited": -legs.get("psp_clearing", 0),
                "revenue": legs.get("house_revenue", 0),
                "fees": legs.get("house_fees", 0),
                "sent": legs.get("payouts_in_transit", 0),
            }
        return out

    # -- the invariants --------------------------------------------------------------------
    def balances(self) -> dict[str, Balance]:
        return {a: self.client.balance(a) for a in self.model.accounts}

    def check(self) -> None:
        """Every invariant after a step; raises InvariantViolation listing all that broke."""
        found = []
        for tx, cur in sorted(self.absorb(self.probe.tail.poll())):
            if self.view.tx_sums[(tx, cur)] != 0:
                found.append(
                    Violation(
                        "transaction legs sum to zero",
                        f"transaction {tx}",
                        f"legs sum to {self.view.tx_sums[(tx, cur)]} {cur}",
                    )
                )
        for acc, bal in self.balances().items():
            found += self._account_violations(acc, bal)
        found += self._money_violations()
        if found:
            raise self.violations(found)

    def _account_violations(self, acc: str, bal: Balance) -> list[Violation]:
        m, subject, cur = self.model, f"account {acc}", bal.currency
        found = []
        for figure in ("available", "held", "pending"):
            if getattr(bal, figure) < 0:
                found.append(
                    Violation(
                        "no negative balance", subject, f"{figure} is {getattr(bal, figure)} {cur}"
                    )
                )
        seen, want = (bal.available, bal.held, bal.pending), m.balance(acc)
        if seen != want:
            found.append(
                Violation(
                    "balances equal the model",
                    subject,
                    f"available/held/pending are {seen}, the operations add up to {want} ({cur})",
                )
            )
        held_ledger = self.view.balance(acc, "customer_held")
        if held_ledger != m.held(acc) or bal.held != m.held(acc):
            found.append(
                Violation(
                    "held equals the pending holds",
                    subject,
                    f"pending holds add up to {m.held(acc)}; the balance says {bal.held}, "
                    f"the ledger's held account {held_ledger} ({cur})",
                )
            )
        wallet = self.view.balance(acc, "customer_wallet")
        if wallet != bal.available:
            found.append(
                Violation(
                    "balance matches the ledger",
                    subject,
                    f"available is {bal.available}, "
                    f"the wallet's ledger legs add up to {wallet} {cur}",
                )
            )
        return found

    def _money_violations(self) -> list[Violation]:
        """Money in the system = deposits credited − payouts settled, in this example's books."""
        found = []
        legs = self.ledger_money()
        for cur, f in self.model.flows().items():
            want = {
                "credited": f.get("credited", 0),
                "revenue": f.get("revenue", 0),
                "fees": f.get("fees", 0),
                "sent": f.get("in_transit", 0) + f.get("paid_out", 0),
            }
            have = {k: legs.get(cur, {}).get(k, 0) for k in want}
            if have != want:
                found.append(
                    Violation(
                        "money in the system",
                        cur,
                        f"the ledger moved {have}, the operations add up to {want}",
                    )
                )
        return found
