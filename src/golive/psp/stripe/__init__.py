"""Stripe, as the stub emulates it: form bodies, Bearer sk_test_ keys, `Stripe-Signature`."""

from __future__ import annotations

from golive.psp.stripe.provider import PROVIDER, Stripe

__all__ = ["PROVIDER", "Stripe"]
