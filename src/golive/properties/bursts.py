"""Every mutating operation of the target interface, sent N times at once with one key.

Each burst runs on fresh accounts, is judged by ``samekey.judge`` (one effect, identical
replays, only documented refusals) and then its effect is read back: the balances must show
the operation once. Also: one key with two different bodies at once, and one PSP webhook
event delivered several times at once. Bounded: a fixed set of bursts of ``n`` requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from golive.canary.psp_ops import PspOps
from golive.properties.actions import let_webhooks_arrive
from golive.properties.history import Anomaly
from golive.properties.samekey import DOUBLE_EFFECT, KeyedAnswer, Send, fire, judge
from golive.psp.provider import DEFAULT
from golive.target import Target

FUNDING = 100_000
AMOUNT = 1_234  # not a magic amount of the stub PSP (docs/psp.md)


@dataclass
class Bursts:
    """``n`` clients sending at once, one more for set-up and reading back."""

    make_client: Callable[[], Target]
    psp: PspOps
    n: int = 6
    currency: str = "EUR"
    found: list[Anomaly] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = self.make_client()
        self.clients = [self.make_client() for _ in range(self.n)]

    def close(self) -> None:
        for c in [self.client, *self.clients]:
            c.close()

    # -- helpers ---------------------------------------------------------------------------
    def account(self, funding: int = FUNDING) -> str:
        acc = self.client.create_account(f"same-key-{uuid.uuid4().hex[:12]}", self.currency).id
        if funding:
            self.client.deposit(acc, funding, self.currency, DEFAULT)
            let_webhooks_arrive(self.psp)
        return acc

    def burst(self, what: str, send: Send, other: Send | None = None) -> list[KeyedAnswer]:
        """``send`` n times at once under one fresh key (every other one ``other``, if given)."""
        sends = [(1, other) if other and i % 2 else (0, send) for i in range(self.n)]
        answers = fire(self.clients, sends, f"same-key-{uuid.uuid4()}")
        self.found += judge(what, answers)
        return answers

    def expect(self, what: str, account: str, available: int, held: int = 0) -> None:
        """The operation shows once in the account's balance."""
        bal = self.client.balance(account)
        if (bal.available, bal.held) != (available, held):
            self.found.append(
                Anomaly(
                    DOUBLE_EFFECT,
                    0.0,
                    what,
                    abs(bal.available - available) + abs(bal.held - held),
                    f"account {account} shows available/held {bal.available}/{bal.held} "
                    f"{self.currency}; once is {available}/{held}",
                )
            )

    # -- one burst per operation -------------------------------------------------------
    def open_account(self) -> None:
        owner, cur = f"same-key-{uuid.uuid4().hex[:12]}", self.currency
        self.burst("open an account", lambda c, k: c.create_account(owner, cur, key=k))

    def deposit(self) -> None:
        acc, cur = self.account(0), self.currency
        what = f"deposit {AMOUNT} {cur}"
        self.burst(what, lambda c, k: c.deposit(acc, AMOUNT, cur, DEFAULT, key=k))
        let_webhooks_arrive(self.psp)
        self.expect(what, acc, AMOUNT)

    def place_hold(self) -> None:
        acc, cur = self.account(), self.currency
        what = f"hold {AMOUNT} {cur}"
        self.burst(what, lambda c, k: c.place_hold(acc, AMOUNT, cur, key=k))
        self.expect(what, acc, FUNDING - AMOUNT, AMOUNT)

    def burn(self) -> None:
        acc = self.account()
        hold = self.client.place_hold(acc, AMOUNT, self.currency).id
        self.burst(f"burn 1000 of hold {hold}", lambda c, k: c.burn(hold, 1_000, key=k))
        self.expect(f"burn 1000 of hold {hold}", acc, FUNDING - 1_000)

    def release(self) -> None:
        acc = self.account()
        hold = self.client.place_hold(acc, AMOUNT, self.currency).id
        self.burst(f"release hold {hold}", lambda c, k: c.release(hold, key=k))
        self.expect(f"release hold {hold}", acc, FUNDING)

    def expire(self) -> None:
        acc = self.account()
        hold = self.client.place_hold(acc, AMOUNT, self.currency, expires_in_seconds=1)
        now = datetime.fromisoformat(hold.expires_at.replace("Z", "+00:00"))
        what = f"expire holds due at {hold.expires_at}"
        self.burst(what, lambda c, k: c.expire_holds(now, key=k))
        self.expect(f"expire hold {hold.id}", acc, FUNDING)

    def transfer(self) -> None:
        src, dst, cur = self.account(), self.account(), self.currency
        what = f"transfer {AMOUNT} {cur}"
        self.burst(what, lambda c, k: c.transfer(src, dst, AMOUNT, cur, key=k))
        self.expect(what, src, FUNDING - AMOUNT)
        self.expect(what, dst, FUNDING + AMOUNT)

    def withdraw(self) -> None:
        acc, cur = self.account(), self.currency
        what = f"withdraw {AMOUNT} {cur}"
        self.burst(what, lambda c, k: c.withdraw(acc, AMOUNT, cur, DEFAULT, key=k))
        self.expect(what, acc, FUNDING - AMOUNT)

    def other_body(self) -> None:
        """One key, two bodies (holds of AMOUNT and AMOUNT + 1) at once: one hold."""
        acc, cur = self.account(), self.currency
        answers = self.burst(
            "one key, two holds",
            lambda c, k: c.place_hold(acc, AMOUNT, cur, key=k),
            lambda c, k: c.place_hold(acc, AMOUNT + 1, cur, key=k),
        )
        held = next((a.body for a in answers if a.record is not None), 0) + AMOUNT
        self.expect("one key, two holds", acc, FUNDING - held, held)

    def webhook(self) -> None:
        """One deposit whose success event the PSP delivers n times at once: credited once."""
        acc = self.account(0)
        with self.duplicates(self.n - 1):
            self.client.deposit(acc, AMOUNT, self.currency, DEFAULT)
            let_webhooks_arrive(self.psp)
        self.expect(f"one webhook event delivered {self.n} times at once", acc, AMOUNT)

    @contextmanager
    def duplicates(self, extra: int) -> Iterator[None]:
        self.psp.set_faults(duplicate_webhooks=extra)
        try:
            yield
        finally:
            self.psp.clear_faults()


OPERATIONS: dict[str, Callable[[Bursts], None]] = {
    "create_account": Bursts.open_account,
    "deposit": Bursts.deposit,
    "place_hold": Bursts.place_hold,
    "burn": Bursts.burn,
    "release": Bursts.release,
    "expire_holds": Bursts.expire,
    "transfer": Bursts.transfer,
    "withdraw": Bursts.withdraw,
    "other_body": Bursts.other_body,
    "webhook": Bursts.webhook,
}


def run_bursts(
    make_client: Callable[[], Target], psp: PspOps, *, n: int = 6, only: tuple[str, ...] = ()
) -> list[Anomaly]:
    """Every burst (or those named in ``only``); the anomalies found."""
    b = Bursts(make_client, psp, n)
    try:
        for name, run in OPERATIONS.items():
            if not only or name in only:
                run(b)
    finally:
        b.close()
    return b.found
