"""Documented magic values that force declines and payout failures (see docs/psp.md).

Magic amounts (integer minor units, any currency, both providers) let a scenario force an
outcome through a platform that does not expose the payment method to its caller.
"""

from __future__ import annotations

from typing import Any

# Stripe test payment methods: pm -> (code, decline_code, message)
STRIPE_DECLINE_PMS: dict[str, tuple[str, str, str]] = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_visa_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "pm_card_chargeDeclinedFraudulent": ("card_declined", "fraudulent", "Your card was declined."),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", "expired_card", "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": (
        "incorrect_cvc",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
    ),
    "pm_card_chargeDeclinedProcessingError": (
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}
GENERIC_DECLINE = STRIPE_DECLINE_PMS["pm_card_chargeDeclined"]
INSUFFICIENT = STRIPE_DECLINE_PMS["pm_card_chargeDeclinedInsufficientFunds"]

# Magic payment amounts -> decline (both providers).
DECLINE_AMOUNTS: dict[int, tuple[str, str, str]] = {100002: GENERIC_DECLINE, 100051: INSUFFICIENT}

# Payout failure codes (Stripe's) and their messages.
PAYOUT_FAILURES: dict[str, str] = {
    "account_closed": "The bank account has been closed.",
    "no_account": "The bank account details on file are probably incorrect. "
    "No bank account could be located with those details.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "could_not_process": "The bank could not process this payout.",
}
FAIL_AMOUNTS: dict[int, str] = {
    200001: "account_closed",
    200002: "no_account",
    200003: "insufficient_funds",
    200004: "could_not_process",
}
# Stripe payout `destination` values that fail on arrival.
FAIL_DESTINATIONS: dict[str, str] = {f"ba_{code}": code for code in PAYOUT_FAILURES}

# Adyen: paymentMethod.holderName (case-insensitive) -> (refusalReasonCode, refusalReason).
ADYEN_REFUSALS: dict[str, tuple[str, str]] = {
    "REFUSED": ("2", "Refused"),
    "DECLINED": ("2", "Refused"),
    "NOT_ENOUGH_BALANCE": ("12", "Not enough balance"),
    "EXPIRED_CARD": ("6", "Expired Card"),
    "BLOCKED_CARD": ("5", "Blocked Card"),
    "CVC_DECLINED": ("24", "CVC Declined"),
    "ACQUIRER_ERROR": ("4", "Acquirer Error"),
}
ADYEN_AMOUNT_REFUSALS: dict[int, tuple[str, str]] = {
    100002: ADYEN_REFUSALS["REFUSED"],
    100051: ADYEN_REFUSALS["NOT_ENOUGH_BALANCE"],
}


def payout_failure(amount: int, name: Any) -> str | None:
    """The failure code a payout of `amount` to `name` (destination/holder) will get."""
    if amount in FAIL_AMOUNTS:
        return FAIL_AMOUNTS[amount]
    if isinstance(name, str):
        key = name.lower()
        if key in FAIL_DESTINATIONS:
            return FAIL_DESTINATIONS[key]
        if key in PAYOUT_FAILURES:
            return key
    return None
