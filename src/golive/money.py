"""Money as integer minor units plus an ISO 4217 currency. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# ISO 4217 minor-unit exponents of the currencies golive knows. Not one global 2.
EXPONENTS: dict[str, int] = {
    "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2,
    "CAD": 2, "AUD": 2, "BRL": 2, "JPY": 0, "KRW": 0, "ISK": 0, "BHD": 3, "KWD": 3,
    "JOD": 3,
}  # fmt: skip


class MoneyError(ValueError):
    """A money value that cannot be represented exactly."""


def exponent(currency: str) -> int:
    """The number of minor-unit digits of ``currency``."""
    try:
        return EXPONENTS[currency]
    except KeyError:
        known = ", ".join(sorted(EXPONENTS))
        raise MoneyError(
            f"unknown currency {currency!r}: golive knows {known}; "
            "use an ISO 4217 code from that list"
        ) from None


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount: ``amount_minor`` units of ``currency``'s minor unit."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            kind = type(self.amount_minor).__name__
            raise MoneyError(
                f"amount_minor={self.amount_minor!r} is a {kind}, not an int: money is counted "
                "in integer minor units (cents), never floats; pass e.g. 1050 for 10.50"
            )
        exponent(self.currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """``Money.parse("10.50", "EUR")`` → 1050 EUR; refuses digits the currency lacks."""
        exp = exponent(currency)
        value = Decimal(text) * (10**exp)
        if value != value.to_integral_value():
            raise MoneyError(
                f"{text!r} has more decimals than {currency} allows ({exp}); round it first"
            )
        return cls(int(value), currency)

    @classmethod
    def whole(cls, units: int, currency: str) -> Money:
        """``units`` whole units of ``currency``: ``Money.whole(7, "BHD")`` is 7000 minor units."""
        return cls(units * 10 ** exponent(currency), currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __str__(self) -> str:
        exp = exponent(self.currency)
        major = Decimal(self.amount_minor).scaleb(-exp)
        return f"{major:.{exp}f} {self.currency}"
