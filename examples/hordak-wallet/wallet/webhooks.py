"""PSP webhooks, verified with the official SDKs before anything moves.

Stripe: ``stripe.Webhook.construct_event`` against each configured signing secret (two
during a rotation), with Stripe's default 5-minute tolerance. Adyen: each notification item's
HMAC with ``Adyen.util.is_valid_hmac_notification``. The ledger de-duplicates by the top-up's
or payout's state (under its row lock), so a delivery repeated any number of times moves
money once.
"""

import json
from typing import Any

import stripe
from Adyen.util import is_valid_hmac_notification
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from wallet import faults
from wallet.money_in_out import payout_outcome, topup_outcome

STRIPE_PAYMENT = {"payment_intent.succeeded": True, "payment_intent.payment_failed": False}
STRIPE_PAYOUT = {"payout.paid": True, "payout.failed": False, "payout.canceled": False}
ADYEN_PAYOUT = {"PAYOUT_THIRDPARTY", "PAYOUT_DECLINE", "PAYOUT_EXPIRE", "PAIDOUT_REVERSED"}


def _stripe_event(payload: bytes, header: str) -> Any:
    # FAULT webhook-replay-window: tolerance=None reads as "the default" but turns the
    # timestamp check off: an old, validly signed event is accepted (a replay)
    tolerance = None if faults.on("webhook-replay-window") else stripe.Webhook.DEFAULT_TOLERANCE
    for secret in settings.STRIPE_WEBHOOK_SECRETS:
        try:
            return stripe.Webhook.construct_event(payload, header, secret, tolerance=tolerance)
        except stripe.SignatureVerificationError:
            continue
    return None


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = _stripe_event(request.body, request.headers.get("Stripe-Signature", ""))
    except ValueError:
        return JsonResponse({"received": False, "why": "not JSON"}, status=400)
    if event is None:
        return JsonResponse({"received": False, "why": "bad signature"}, status=400)
    data = event.to_dict()  # the SDK's StripeObject, as plain dicts
    obj = data["data"]["object"]
    meta = obj.get("metadata") or {}
    kind = data["type"]
    if kind in STRIPE_PAYMENT:
        reason = str((obj.get("last_payment_error") or {}).get("code") or kind)
        done = topup_outcome(meta.get("topup_id"), obj.get("id"), STRIPE_PAYMENT[kind], reason)
    elif kind in STRIPE_PAYOUT:
        reason = str(obj.get("failure_code") or kind)
        done = payout_outcome(meta.get("payout_id"), obj.get("id"), STRIPE_PAYOUT[kind], reason)
    else:
        done = "ignored"
    return JsonResponse({"received": True, "done": done})


@csrf_exempt
@require_POST
def adyen_webhook(request: HttpRequest) -> HttpResponse:
    try:
        items = [
            i["NotificationRequestItem"] for i in json.loads(request.body)["notificationItems"]
        ]
    except (ValueError, KeyError, TypeError):
        return HttpResponse("not a notification", status=400)
    if not settings.ADYEN_HMAC_KEY or not all(_adyen_valid(item) for item in items):
        return HttpResponse("bad HMAC", status=401)
    for item in items:
        code, ok = str(item.get("eventCode")), str(item.get("success")).lower() == "true"
        ours, ref = item.get("merchantReference"), item.get("pspReference")
        reason = str(item.get("reason") or code)
        if code == "AUTHORISATION":
            topup_outcome(ours, ref, ok, reason)
        elif code in ADYEN_PAYOUT:
            paid = ok and code == "PAYOUT_THIRDPARTY"
            if ok or code == "PAYOUT_THIRDPARTY":
                payout_outcome(ours, ref, paid, reason)
    return HttpResponse("[accepted]")  # what Adyen expects back


def _adyen_valid(item: dict[str, Any]) -> bool:
    try:
        return bool(is_valid_hmac_notification(item, settings.ADYEN_HMAC_KEY))
    except (ValueError, KeyError, TypeError):
        return False
