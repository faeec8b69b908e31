"""The platform's side of the PSPs: API clients (Stripe-, Adyen-shaped) and webhook checks."""

from __future__ import annotations

from refbank.psp.client import PSPS, PspClient, PspUnavailable, Submitted
from refbank.psp.signatures import SignatureError, verify_adyen, verify_stripe

__all__ = [
    "PSPS",
    "PspClient",
    "PspUnavailable",
    "SignatureError",
    "Submitted",
    "verify_adyen",
    "verify_stripe",
]
