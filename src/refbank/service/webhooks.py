"""PSP webhooks: verify, de-duplicate, apply, and answer 2xx only after the effect commits.

Stripe events are de-duplicated by event id, Adyen items by pspReference and eventCode,
Braintree notifications by transaction id and kind, in
the same transaction as their effect; deposits and withdrawals also move only from the
states that allow it, so a repeated or reordered webhook cannot move money twice.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from refbank.db import Conn
from refbank.errors import ApiError
from refbank.idempotency import Reply
from refbank.platform import Platform
from refbank.psp import SignatureError, braintree, verify_adyen, verify_stripe
from refbank.psp.events import MalformedEvent, PspEvent, adyen_event, adyen_items, stripe_event
from refbank.psp.signatures import STRIPE_TOLERANCE_SECONDS
from refbank.service import deposits, withdrawals


def _bad_signature(exc: SignatureError) -> ApiError:
    return ApiError(401, "invalid_signature", f"webhook refused: {exc}", field="signature")


def _parse(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        raise ApiError(400, "invalid_json", "the webhook body is not JSON") from None


def stripe(p: Platform, payload: bytes, signature: str | None) -> Reply:
    if not p.fault("webhook-signature-unchecked"):
        # FAULT webhook-signature-unchecked skips this check; webhook-stale-accepted drops
        # the tolerance, so a captured event can be replayed days later
        tolerance = None if p.fault("webhook-stale-accepted") else STRIPE_TOLERANCE_SECONDS
        try:
            verify_stripe(
                payload,
                signature,
                p.config.psp.stripe_webhook_secrets,
                tolerance=tolerance,
                now=time.time(),
            )
        except SignatureError as exc:
            raise _bad_signature(exc) from None
    try:
        event = stripe_event(_parse(payload))
    except MalformedEvent as exc:
        raise ApiError(400, "malformed_event", str(exc)) from None
    outcome = p.db.run(lambda conn: apply(p, conn, event))
    return Reply(200, {"received": True, "outcome": outcome})


def adyen(p: Platform, payload: bytes) -> Reply:
    try:
        items = adyen_items(_parse(payload))
    except MalformedEvent as exc:
        raise ApiError(400, "malformed_event", str(exc)) from None
    if not p.fault("webhook-signature-unchecked"):
        for item in items:  # every item verifies, or none is applied
            try:
                verify_adyen(item, p.config.psp.adyen_hmac_key)
            except SignatureError as exc:
                raise ApiError(
                    401,
                    "invalid_signature",
                    f"webhook refused: {exc}",
                    field="additionalData.hmacSignature",
                ) from None
    merchant = p.config.psp.adyen_merchant_account
    events = [adyen_event(i) for i in items if i.get("merchantAccountCode") in (None, "", merchant)]

    def work(conn: Conn) -> list[str]:
        return [apply(p, conn, e) for e in events]

    outcomes = p.db.run(work)
    return Reply(200, {"notificationResponse": "[accepted]", "outcomes": outcomes})


def braintree_notification(p: Platform, payload: bytes) -> Reply:
    """A form-encoded bt_signature/bt_payload pair (refbank.psp.braintree)."""
    try:
        signature, bt_payload = braintree.form(payload)
    except MalformedEvent as exc:
        raise ApiError(400, "malformed_event", str(exc)) from None
    cfg = p.config.psp
    # FAULT braintree-signature-unchecked (and webhook-signature-unchecked) skip this check
    if not p.fault("webhook-signature-unchecked") and not p.fault("braintree-signature-unchecked"):
        try:
            braintree.verify_braintree(
                signature, bt_payload, cfg.braintree_public_key, cfg.braintree_private_key
            )
        except SignatureError as exc:
            raise _bad_signature(exc) from None
    try:
        event = braintree.braintree_event(bt_payload)
    except MalformedEvent as exc:
        raise ApiError(400, "malformed_event", str(exc)) from None
    outcome = p.db.run(lambda conn: apply(p, conn, event))
    return Reply(200, {"received": True, "outcome": outcome})


def _first_time(conn: Conn, event: PspEvent) -> bool:
    row = conn.execute(
        "INSERT INTO webhook_events (psp, event_key, event_type, outcome) "
        "VALUES (%s, %s, %s, 'processing') ON CONFLICT DO NOTHING RETURNING event_key",
        (event.psp, event.key, event.raw_type),
    ).fetchone()
    return row is not None


def _valid_uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None


def _find(conn: Conn, table: str, event: PspEvent) -> dict[str, Any] | None:
    """Our deposit or withdrawal: by the id we gave the PSP, else by the PSP's reference."""
    ours = _valid_uuid(event.our_id)
    if ours:
        row = conn.execute(f"SELECT * FROM {table} WHERE id = %s FOR UPDATE", (ours,)).fetchone()
        if row:
            return row
    return conn.execute(
        f"SELECT * FROM {table} WHERE psp = %s AND psp_reference = %s FOR UPDATE",
        (event.psp, event.psp_reference),
    ).fetchone()


def apply(p: Platform, conn: Conn, event: PspEvent) -> str:
    """Apply one verified event inside ``conn``'s transaction; returns what it did."""
    first = _first_time(conn, event)
    if not first and not p.fault("webhook-double-credit"):
        return "duplicate"
    # FAULT webhook-double-credit: the event-id de-duplication above is skipped
    outcome = _effect(p, conn, event)
    conn.execute(
        "UPDATE webhook_events SET outcome = %s WHERE psp = %s AND event_key = %s",
        (outcome, event.psp, event.key),
    )
    return outcome


def _effect(p: Platform, conn: Conn, event: PspEvent) -> str:
    if event.kind in ("payment_succeeded", "payment_failed"):
        dep = _find(conn, "deposits", event)
        if dep is None:
            return "unknown deposit"
        if dep["psp"] != event.psp:
            return "ignored (another PSP's deposit)"
        if event.kind == "payment_failed":
            return deposits.failed(p, conn, dep, event.reason)
        if (event.amount, event.currency) != (dep["amount"], dep["currency"]):
            return f"ignored (amount {event.amount} {event.currency} is not the deposit's)"
        return deposits.succeeded(p, conn, dep, event.psp_reference)
    if event.kind in ("payout_paid", "payout_failed"):
        wd = _find(conn, "withdrawals", event)
        if wd is None:
            return "unknown withdrawal"
        if wd["psp"] != event.psp:
            return "ignored (another PSP's withdrawal)"
        if event.kind == "payout_paid":
            return withdrawals.payout_paid(p, conn, wd)
        return withdrawals.payout_failed(p, conn, wd, event.reason)
    return "ignored (event type)"
