"""Adyen, as the stub emulates it: JSON Checkout and Payout, X-API-Key, HMAC notifications."""

from __future__ import annotations

from golive.psp.adyen.provider import PROVIDER, Adyen

__all__ = ["PROVIDER", "Adyen"]
