"""Promises no scenario or property checks yet, each with what checking it needs.

tests/test_promises.py holds this list to the matrix both ways: a promise that loses its
checks fails unless it is listed here, and a listed promise that gains one must leave.
"""

from __future__ import annotations

GAPS: dict[str, str] = {
    "P-error-1": "a step or property that sends a body that is not a JSON object",
    "P-error-2": "a step or property that sends a malformed Idempotency-Key header",
    "P-error-6": "a check that drives a balance towards 2^63-1",
    "P-hold-8": "a burn or release naming another account (the target interface has no such call)",
    "P-idem-2": "a check of the Idempotent-Replayed header (the target interface hides headers)",
    "P-money-3": "a step or property that sends a float or a string as an amount",
    "P-money-4": "a step or property that sends a currency code the platform does not support",
    "P-null-1": "a request with null in an optional field (golive's client leaves the field out)",
    "P-webhook-5": "a check that a Stripe webhook's effect is visible when its 200 arrives",
    "P-webhook-6": "a correctly signed Stripe body that is not an event",
    "P-webhook-9": "a check that an Adyen notification's effect is visible at `[accepted]`",
    "P-webhook-12": "a check that a Braintree notification's effect is visible at its 200",
}
