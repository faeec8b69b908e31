"""Memory across a change (golive.drills.memory) on a tiny in-memory bank that keeps, forgets
or garbles what it answered under each Idempotency-Key."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from golive.drills.memory import Memory
from golive.drills.rollback.probes import AllReplayed, memory_probe
from golive.errors import ExpectationFailed
from golive.target import Account, Balance, Deposit, Hold, PlatformError, Transfer


@dataclass
class Bank:
    """Accounts, deposits, holds and transfers; a key replays its first answer."""

    keys: dict[str, Any] = field(default_factory=dict)
    available: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    deposits: dict[str, Deposit] = field(default_factory=dict)
    holds: dict[str, Hold] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1))
    confirm: bool = True  # the PSP's webhook credits a deposit when settled
    refuse_replays: bool = False

    def _keyed(self, key: str | None, make: Any) -> Any:
        if key is not None and key in self.keys:
            if self.refuse_replays:
                raise PlatformError(422, "idempotency_key_reused")
            return self.keys[key]
        answer = make()
        if key is not None:
            self.keys[key] = answer
        return answer

    def _id(self, kind: str) -> str:
        return f"{kind}-{next(self.ids)}"

    def create_account(self, owner_ref: str, currency: str, *, key: str | None = None) -> Account:
        def make() -> Account:
            acc = Account(self._id("acc"), owner_ref, currency)
            self.available[acc.id], self.held[acc.id] = 0, 0
            return acc

        return self._keyed(key, make)  # type: ignore[no-any-return]

    def deposit(
        self, account_id: str, amount: int, currency: str, psp: str | None = None,
        *, key: str | None = None,
    ) -> Deposit:  # fmt: skip
        def make() -> Deposit:
            dep = Deposit(self._id("dep"), account_id, amount, currency, "stripe", None, "pending")
            self.deposits[dep.id] = dep
            return dep

        return self._keyed(key, make)  # type: ignore[no-any-return]

    def settle(self) -> None:
        for dep in list(self.deposits.values()):
            if self.confirm and dep.status == "pending":
                self.available[dep.account_id] += dep.amount
                self.deposits[dep.id] = replace(dep, status="succeeded")

    def get_deposit(self, deposit_id: str) -> Deposit:
        return self.deposits[deposit_id]

    def place_hold(
        self, account_id: str, amount: int, currency: str, *,
        expires_in_seconds: int | None = None, key: str | None = None,
    ) -> Hold:  # fmt: skip
        def make() -> Hold:
            self.available[account_id] -= amount
            self.held[account_id] += amount
            hold = Hold(self._id("hold"), account_id, amount, currency, "pending", 0, 0, "")
            self.holds[hold.id] = hold
            return hold

        return self._keyed(key, make)  # type: ignore[no-any-return]

    def burn(self, hold_id: str, amount: int | None = None, *, key: str | None = None) -> Hold:
        def make() -> Hold:
            hold = self.holds[hold_id]
            self.held[hold.account_id] -= hold.amount
            self.holds[hold_id] = replace(hold, status="burned", burned_amount=hold.amount)
            return self.holds[hold_id]

        return self._keyed(key, make)  # type: ignore[no-any-return]

    def transfer(
        self, from_id: str, to_id: str, amount: int, currency: str, *, key: str | None = None
    ) -> Transfer:
        def make() -> Transfer:
            self.available[from_id] -= amount
            self.available[to_id] += amount
            return Transfer(self._id("tr"), self._id("tx"), from_id, to_id, amount, currency)

        return self._keyed(key, make)  # type: ignore[no-any-return]

    def balance(self, account_id: str) -> Balance:
        return Balance(account_id, "EUR", self.available[account_id], self.held[account_id], 0)


def recorded(bank: Bank) -> Memory:
    memory = Memory()
    memory.record(bank, bank.settle)  # type: ignore[arg-type]
    return memory


def test_a_bank_that_remembers_replays_every_request_once() -> None:
    bank = Bank()
    memory = recorded(bank)
    assert [r.name for r in memory.requests] == [
        "open account A", "open account B", "deposit into A", "place a hold on A",
        "burn the hold", "transfer from A to B",
    ]  # fmt: skip
    assert len({r.key for r in memory.requests}) == 6
    a, b = memory.accounts
    assert (bank.available[a], bank.available[b]) == (10_000 - 2_000 - 2_500, 2_500)
    replays = memory.replay(bank)  # type: ignore[arg-type]
    assert [r.ok for r in replays] == [True] * 7, replays
    assert replays[-1].verdict == "unchanged by the retries"
    assert (bank.available[a], bank.available[b]) == (5_500, 2_500)


def test_a_bank_that_forgot_its_keys_answers_anew_and_moves_money_twice() -> None:
    bank = Bank()
    memory = recorded(bank)
    bank.keys.clear()  # what a careless down-migration does
    replays = memory.replay(bank)  # type: ignore[arg-type]
    by_name = {r.request: r for r in replays}
    assert not by_name["open account A"].ok
    assert "a different answer: id" in by_name["open account A"].verdict
    assert not by_name["transfer from A to B"].ok
    effect = by_name["the balances of accounts A and B"]
    assert not effect.ok
    assert effect.verdict.startswith("moved: ")


def test_a_replay_that_is_refused_is_a_finding_naming_the_refusal() -> None:
    bank = Bank()
    memory = recorded(bank)
    bank.refuse_replays = True
    replays = memory.replay(bank)  # type: ignore[arg-type]
    assert [r.ok for r in replays[:-1]] == [False] * 6
    assert "refused with 422 idempotency_key_reused" in str(replays[0])
    assert replays[-1].ok  # nothing moved


def test_a_garbled_replay_names_the_field_that_changed() -> None:
    bank = Bank()
    memory = recorded(bank)
    transfer_key = memory.requests[-1].key
    bank.keys[transfer_key] = replace(bank.keys[transfer_key], amount=1)
    [bad] = [r for r in memory.replay(bank) if not r.ok]  # type: ignore[arg-type]
    assert bad.request == "transfer from A to B"
    assert "amount 2500 → 1" in bad.verdict


def test_nothing_recorded_is_a_finding_not_a_pass() -> None:
    [only] = Memory().replay(Bank())  # type: ignore[arg-type]
    assert not only.ok
    assert only.verdict == "none was made"


def test_a_deposit_never_credited_stops_the_recording() -> None:
    bank = Bank(confirm=False)
    with pytest.raises(ExpectationFailed, match="was not credited"):
        Memory().record(bank, bank.settle)  # type: ignore[arg-type]


def test_recording_twice_is_refused() -> None:
    bank = Bank()
    memory = recorded(bank)
    with pytest.raises(ExpectationFailed, match="already made"):
        memory.record(bank, bank.settle)  # type: ignore[arg-type]


def test_the_probe_lists_every_verdict_and_deviates_on_a_forgotten_request() -> None:
    bank = Bank()
    memory = recorded(bank)
    probe = memory_probe(bank, memory)  # type: ignore[arg-type]
    good = probe.measure()
    assert probe.tolerance.deviation(good) is None
    assert len(good) == 7
    assert "replayed the first answer" in str(good[0])
    bank.keys.clear()
    why = probe.tolerance.deviation(probe.measure())
    assert why is not None
    assert "open account A" in why
    assert AllReplayed().deviation("not a list") is not None
