"""ISO 4217 currencies the platform accepts, with their minor-unit exponents."""

from __future__ import annotations

EXPONENTS: dict[str, int] = {
    "AUD": 2,
    "BHD": 3,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HUF": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "NOK": 2,
    "NZD": 2,
    "PLN": 2,
    "SEK": 2,
    "USD": 2,
}

MAX_AMOUNT = 2**63 - 1  # a signed 64-bit integer of minor units (Postgres bigint)


def exponent(currency: str) -> int:
    return EXPONENTS[currency]
