"""The rollback drill's provider lists come from the registry and the live wallets, not from
names written in the drill (no platform needed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from golive.drills.rollback.incidents import (
    Failover,
    deposits_confirmed_during_switch,
    payouts_made_twice,
)
from golive.errors import ExpectationFailed
from golive.money import Money
from golive.psp.provider import providers


class FakePsp:
    def __init__(self, objects: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.objects = objects or {}

    def state(self) -> dict[str, Any]:
        return {"objects": self.objects}

    def set_faults(self, **faults: Any) -> None: ...

    def clear_faults(self) -> None: ...


class FakeWorld:
    def __init__(self, funded_through: list[str], withdrawals: list[str] = ()) -> None:  # type: ignore[assignment]
        self.w = SimpleNamespace(currency="BHD")
        self.deposits: list[Any] = [SimpleNamespace(psp=p) for p in funded_through]
        self.withdrawals = [SimpleNamespace(id=w) for w in withdrawals]
        self.made: list[tuple[Money, str]] = []

    def deposit(self, amount: Money, psp: str) -> str:
        self.made.append((amount, psp))
        return f"dep-{psp}"


def _payout_of(provider: Any, withdrawal: str) -> dict[str, Any]:
    """A stub payout object of `provider` that carries `withdrawal` (as each provider says)."""
    for obj in (
        {"metadata": {"withdrawal_id": withdrawal}},
        {"reference": withdrawal},
        {"order_id": withdrawal},
    ):
        if provider.carried_ids(obj) == {withdrawal}:
            return obj
    raise AssertionError(f"no payout shape of {provider.name} carries a withdrawal id")


def test_payouts_are_counted_at_every_registered_provider() -> None:
    objects: dict[str, list[dict[str, Any]]] = {}
    for p in providers():  # one payout for w-once at each provider: n payouts in all
        objects.setdefault(p.object_kinds["payouts"], []).append(_payout_of(p, "w-once"))
    world = FakeWorld(["stripe"], withdrawals=["w-once", "w-none"])
    found = payouts_made_twice(FakePsp(objects), [world], Failover("stripe", "adyen"))  # type: ignore[arg-type, list-item]
    assert [(v.subject, v.detail) for v in found] == [
        ("withdrawal w-once", f"{len(providers())} payouts"),
        ("withdrawal w-none", "0 payouts"),
    ]


def test_switch_deposits_go_through_the_providers_the_wallets_use() -> None:
    worlds = [FakeWorld(["stripe", "stripe"]), FakeWorld(["adyen"])]
    made = deposits_confirmed_during_switch(worlds, FakePsp())  # type: ignore[arg-type]
    assert len(made) == 4
    assert [psp for w in worlds for _, psp in w.made] == ["adyen", "stripe"] * 2
    assert {m for w in worlds for m, _ in w.made} == {Money(35_000, "BHD")}


def test_switch_deposits_need_a_funded_wallet() -> None:
    with pytest.raises(ExpectationFailed, match="no payment provider"):
        deposits_confirmed_during_switch([FakeWorld([])], FakePsp())  # type: ignore[list-item]
