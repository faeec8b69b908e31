"""Amounts as a release manager writes them: "100.00", "80.00 EUR", "10000 JPY", "nothing"."""

from __future__ import annotations

from golive.money import Money, MoneyError


def parse_amount(text: str, currency: str) -> Money:
    """Parse ``text`` in major units; a trailing currency code must match the wallet's."""
    text = text.strip()
    if text in ("nothing", "0"):
        return Money(0, currency)
    parts = text.split()
    if len(parts) == 2:
        text, written = parts
        if written != currency:
            return Money.parse(text, written)
    elif len(parts) != 1:
        raise MoneyError(f"{text!r} is not an amount: write e.g. '100.00' or '100.00 EUR'")
    return Money.parse(text, currency)
