"""golive.money: each currency's own exponent (JPY 0, EUR 2, BHD 3), never one global 100."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from golive.money import EXPONENTS, Money, MoneyError, exponent

SRC = Path(__file__).resolve().parents[1] / "src" / "golive"


@pytest.mark.parametrize(
    ("currency", "minor"), [("BHD", 7000), ("KWD", 7000), ("EUR", 700), ("JPY", 7)]
)
def test_whole_units_use_the_currency_exponent(currency: str, minor: int) -> None:
    assert Money.whole(7, currency) == Money(minor, currency)


def test_bhd_has_three_decimals() -> None:
    assert exponent("BHD") == 3
    assert Money.parse("10.505", "BHD") == Money(10505, "BHD")
    assert str(Money(10505, "BHD")) == "10.505 BHD"
    with pytest.raises(MoneyError, match="more decimals than BHD allows"):
        Money.parse("10.5055", "BHD")


def test_unknown_currency_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(MoneyError, match=r"unknown currency 'XXX'.*BHD"):
        Money.whole(1, "XXX")


def test_no_module_special_cases_a_currency_by_name() -> None:
    """A comparison like `currency == "JPY"` is the 100-unless-JPY bug: wrong for BHD."""
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                isinstance(c, ast.Constant) and c.value in EXPONENTS
                for c in [node.left, *node.comparators]
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert found == []
