"""Calls to the PSPs with their official SDKs, each with a PSP idempotency key derived from
the top-up or payout id, so the SDK's retries and ours never charge or pay twice."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import Adyen
import stripe
from Adyen.exceptions import AdyenAPIResponseError, AdyenError
from django.conf import settings

from wallet.api import places

PROVIDERS = ("stripe", "adyen")
# Adyen's documented unencrypted test card
ADYEN_CARD = {
    "type": "scheme",
    "encryptedCardNumber": "test_4111111111111111",
    "encryptedExpiryMonth": "test_03",
    "encryptedExpiryYear": "test_2030",
    "encryptedSecurityCode": "test_737",
}


class PspDown(Exception):
    """The PSP did not take the request (no answer, or a server error after retries)."""


@dataclass(frozen=True)
class Sent:
    ref: str | None
    refused: bool = False
    detail: str = ""


def minor(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(places(currency)))


def _stripe() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,  # the SDK retries 5xx and time-outs with the same key
        http_client=stripe.RequestsClient(timeout=settings.PSP_TIMEOUT_SECONDS),
    )


def _adyen() -> Adyen.Adyen:
    client = Adyen.Adyen(xapikey=settings.ADYEN_API_KEY, http_timeout=settings.PSP_TIMEOUT_SECONDS)
    base = settings.ADYEN_API_BASE.rstrip("/")
    client.checkout.payments_api.baseUrl = f"{base}/checkout/v71"
    client.payout.initialization_api.baseUrl = f"{base}/pal/servlet/Payout/v68"
    return client


def _adyen_call(fn: Any, request: dict[str, Any], key: str) -> dict[str, Any]:
    last: Exception | None = None
    for _ in range(3):  # a server error or a time-out may have taken effect: same key again
        try:
            return dict(fn(request, idempotency_key=key).message)
        except AdyenAPIResponseError as exc:
            if getattr(exc, "status", 500) < 500:
                return {"resultCode": "Error", "refusalReason": str(exc)[:200]}
            last = exc
        except (AdyenError, OSError) as exc:
            last = exc
    raise PspDown(f"adyen: {type(last).__name__}")


def charge(provider: str, topup_id: str, amount: Decimal, currency: str) -> Sent:
    """Take a card payment; the PSP confirms it with a webhook."""
    key = f"topup-{topup_id}"
    if provider == "stripe":
        try:
            pi = _stripe().payment_intents.create(
                params={
                    "amount": minor(amount, currency),
                    "currency": currency.lower(),
                    "confirm": True,
                    "payment_method": "pm_card_visa",
                    "metadata": {"topup_id": topup_id},
                },
                options={"idempotency_key": key},
            )
        except stripe.CardError as exc:
            intent = (exc.json_body or {}).get("error", {}).get("payment_intent") or {}
            return Sent(intent.get("id"), True, str(exc.code))
        except stripe.StripeError as exc:
            raise PspDown(f"stripe: {type(exc).__name__}") from None
        return Sent(pi.id, pi.status in ("requires_payment_method", "canceled"), pi.status)
    body = _adyen_call(
        _adyen().checkout.payments_api.payments,
        {
            "amount": {"value": minor(amount, currency), "currency": currency},
            "reference": topup_id,
            "merchantAccount": settings.ADYEN_MERCHANT,
            "paymentMethod": ADYEN_CARD,
            "returnUrl": "http://127.0.0.1/return",
        },
        key,
    )
    result = str(body.get("resultCode"))
    return Sent(body.get("pspReference"), result in ("Refused", "Error", "Cancelled"), result)


def pay_out(provider: str, payout_id: str, wallet_id: str, amount: Decimal, currency: str) -> Sent:
    """Send money to the customer's bank; the PSP says paid or failed with a webhook."""
    key = f"payout-{payout_id}"
    if provider == "stripe":
        try:
            po = _stripe().payouts.create(
                params={
                    "amount": minor(amount, currency),
                    "currency": currency.lower(),
                    "method": "standard",
                    "metadata": {"payout_id": payout_id},
                },
                options={"idempotency_key": key},
            )
        except stripe.InvalidRequestError as exc:
            return Sent(None, True, str(exc.code))
        except stripe.StripeError as exc:
            raise PspDown(f"stripe: {type(exc).__name__}") from None
        return Sent(po.id, po.status == "failed", po.status)
    body = _adyen_call(
        _adyen().payout.initialization_api.store_detail_and_submit_third_party,
        {
            "amount": {"value": minor(amount, currency), "currency": currency},
            "merchantAccount": settings.ADYEN_MERCHANT,
            "reference": payout_id,
            "shopperReference": wallet_id,
            "shopperEmail": f"{wallet_id}@wallet.invalid",
            "recurring": {"contract": "PAYOUT"},
            "dateOfBirth": "1990-01-01",
            "bank": {
                "iban": "NL13TEST0123456789",
                "ownerName": "Wallet Customer",
                "countryCode": "NL",
            },
            "entityType": "NaturalPerson",
            "nationality": "NL",
        },
        key,
    )
    result = str(body.get("resultCode"))
    return Sent(body.get("pspReference"), result != "[payout-submit-received]", result)
