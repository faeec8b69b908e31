"""The rollback drill's amounts are whole units of the wallet's currency (golive.money's
exponent): 25 BHD is 25000 minor units, 25 JPY is 25 (no platform needed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from golive.drills.rollback.money import leave_in_flight
from golive.money import Money


class FakeWorld:
    """Records the amounts the drill asks a wallet for."""

    def __init__(self, currency: str) -> None:
        self.w = SimpleNamespace(currency=currency)
        self.deposits: list[Any] = []
        self.asked: list[tuple[str, Money]] = []

    def place_hold(self, amount: Money) -> str:
        self.asked.append(("hold", amount))
        return "hold"

    def deposit(self, amount: Money, psp: str) -> str:
        self.asked.append(("deposit", amount))
        return "deposit"

    def withdraw(self, amount: Money, psp: str | None) -> str:
        self.asked.append(("withdraw", amount))
        return "withdrawal"


class FakePsp:
    def set_faults(self, **faults: Any) -> None: ...

    def clear_faults(self) -> None: ...

    def flush(self) -> None: ...


@pytest.mark.parametrize(("currency", "unit"), [("BHD", 1000), ("EUR", 100), ("JPY", 1)])
def test_in_flight_amounts_are_whole_units_of_the_currency(currency: str, unit: int) -> None:
    world = FakeWorld(currency)
    flight = leave_in_flight([world], FakePsp())  # type: ignore[list-item]
    assert flight.summary() == {"holds": 2, "deposits": 1, "withdrawals": 1}
    assert world.asked == [
        ("hold", Money(25 * unit, currency)),
        ("hold", Money(15 * unit, currency)),
        ("deposit", Money(40 * unit, currency)),
        ("withdraw", Money(30 * unit, currency)),
    ]
