"""Braintree, as the stub emulates it: card sales and credits (payouts), Basic-auth API keys,
and webhooks signed as `bt_signature`/`bt_payload` pairs (docs/psp.md)."""

from __future__ import annotations

from golive.psp.braintree.provider import PROVIDER, Braintree

__all__ = ["PROVIDER", "Braintree"]
