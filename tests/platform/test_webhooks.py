"""Webhook signatures (checked by refbank's own code, cross-checked with the PSP SDKs),
secret rotation, the replay window, de-duplication and reordering."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from Adyen.util import is_valid_hmac_notification

from refbank.psp.signatures import SignatureError, adyen_signature, verify_adyen, verify_stripe
from tests.platform import signing
from tests.platform.bank import Bank
from tests.platform.conftest import BankFactory, psp_config


def test_test_signatures_are_what_the_stripe_sdk_accepts() -> None:
    payload = json.dumps(signing.stripe_event("payment_intent.succeeded", {"id": "pi_1"})).encode()
    header = signing.stripe_headers(payload)["Stripe-Signature"]
    stripe.WebhookSignature.verify_header(payload.decode(), header, signing.STRIPE_SECRET, 300)
    verify_stripe(payload, header, [signing.STRIPE_SECRET])
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(payload.decode(), header, "whsec_other", 300)
    with pytest.raises(SignatureError):
        verify_stripe(payload, header, ["whsec_other"])


def test_refbank_agrees_with_the_adyen_sdk() -> None:
    item = signing.adyen_item("AUTHORISATION", "PSP1", "ref-1", 1_050, "EUR")
    assert is_valid_hmac_notification(item, signing.ADYEN_HMAC_KEY)
    assert adyen_signature(signing.ADYEN_HMAC_KEY, item) == item["additionalData"]["hmacSignature"]
    verify_adyen(item, signing.ADYEN_HMAC_KEY)
    tampered = item | {"amount": {"value": 1_051, "currency": "EUR"}}
    assert not is_valid_hmac_notification(tampered, signing.ADYEN_HMAC_KEY)
    with pytest.raises(SignatureError):
        verify_adyen(tampered, signing.ADYEN_HMAC_KEY)


def test_stripe_signature_edge_cases() -> None:
    payload = b'{"id": "evt_1"}'
    now = time.time()
    header = signing.stripe_headers(payload, t=int(now) - 299)["Stripe-Signature"]
    verify_stripe(payload, header, [signing.STRIPE_SECRET], now=now)
    stale = signing.stripe_headers(payload, t=int(now) - 301)["Stripe-Signature"]
    with pytest.raises(SignatureError, match="ago"):
        verify_stripe(payload, stale, [signing.STRIPE_SECRET], now=now)
    for bad in (None, "", "t=abc,v1=00", "v1=00", f"t={int(now)}"):
        with pytest.raises(SignatureError):
            verify_stripe(payload, bad, [signing.STRIPE_SECRET], now=now)
    with pytest.raises(SignatureError, match="no Stripe webhook secret"):
        verify_stripe(payload, header, [], now=now)


def test_a_signature_outside_ascii_is_refused_not_a_crash(bank: Bank) -> None:
    """Found by Schemathesis: compare_digest refuses non-ASCII str, so such a signature
    answered 500 where a wrong signature must answer 401."""
    acct = bank.account()
    dep = bank.deposit(acct, 100, "adyen")
    item = signing.adyen_item("AUTHORISATION", dep["psp_reference"], dep["id"], 100, "EUR")
    item["additionalData"]["hmacSignature"] = "T\u0086\u00ed=="
    assert bank.adyen(item).status_code == 401
    payload = _deposit_event(dep)
    t = int(time.time())
    header = f"t={t},v1=\u00e9\u00e9".encode("latin-1")
    resp = bank.http.post("/webhooks/stripe", content=payload, headers={"Stripe-Signature": header})
    assert resp.status_code == 401
    assert bank.balance(acct)["available"] == 0


def _deposit_event(dep: dict, event_id: str | None = None) -> bytes:  # type: ignore[type-arg]
    obj = {
        "id": dep["psp_reference"],
        "amount": dep["amount"],
        "currency": "eur",
        "metadata": {"deposit_id": dep["id"]},
    }
    return json.dumps(signing.stripe_event("payment_intent.succeeded", obj, event_id)).encode()


def test_a_rotated_secret_is_accepted_alongside_the_new_one(
    bank_factory: BankFactory, fake_psp
) -> None:  # type: ignore[no-untyped-def]
    _, url = fake_psp
    config = psp_config(url)
    rotating = type(config)(
        **{
            **config.__dict__,
            "stripe_webhook_secrets": (signing.STRIPE_SECRET, signing.STRIPE_OLD_SECRET),
        }
    )
    bank = bank_factory(psp_settings=rotating)
    acct = bank.account()
    old, new = bank.deposit(acct, 100), bank.deposit(acct, 200)
    for dep, secrets in (
        (old, [signing.STRIPE_OLD_SECRET]),
        (new, [signing.STRIPE_SECRET, "whsec_unknown"]),
    ):
        payload = _deposit_event(dep)
        resp = bank.http.post(
            "/webhooks/stripe", content=payload, headers=signing.stripe_headers(payload, secrets)
        )
        assert resp.json()["outcome"] == "credited"
    assert bank.balance(acct)["available"] == 300


def test_a_bad_signature_changes_nothing(bank: Bank) -> None:
    acct = bank.account()
    dep = bank.deposit(acct, 100)
    payload = _deposit_event(dep)
    headers = signing.stripe_headers(payload)
    resp = bank.http.post("/webhooks/stripe", content=payload + b" ", headers=headers)
    assert (resp.status_code, resp.json()["error"]["code"]) == (401, "invalid_signature")
    resp = bank.http.post(
        "/webhooks/stripe", content=payload, headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 401
    assert bank.sql("SELECT count(*) FROM webhook_events") == [(0,)]
    assert bank.balance(acct)["pending"] == 100


def test_one_bad_adyen_item_rejects_the_whole_batch(bank: Bank) -> None:
    acct = bank.account()
    a, b = bank.deposit(acct, 100, "adyen"), bank.deposit(acct, 200, "adyen")
    good = signing.adyen_item("AUTHORISATION", a["psp_reference"], a["id"], 100, "EUR")
    bad = signing.adyen_item(
        "AUTHORISATION", b["psp_reference"], b["id"], 200, "EUR", key="11" * 32
    )
    assert bank.adyen(good, bad).status_code == 401
    assert bank.balance(acct)["available"] == 0
    resp = bank.adyen(
        good, signing.adyen_item("AUTHORISATION", b["psp_reference"], b["id"], 200, "EUR")
    )
    assert (resp.status_code, resp.text) == (200, "[accepted]")
    assert bank.balance(acct)["available"] == 300


def test_duplicates_and_reordering_move_money_once(bank: Bank) -> None:
    acct = bank.account()
    dep = bank.deposit(acct, 1_000)
    assert bank.ok(bank.confirm(dep, event_id="evt_a"))["outcome"] == "credited"
    assert bank.ok(bank.confirm(dep, event_id="evt_a"))["outcome"] == "duplicate"
    assert (
        bank.ok(bank.confirm(dep, event_id="evt_b"))["outcome"] == "duplicate"
    )  # already credited
    assert bank.ok(bank.confirm(dep, success=False))["outcome"].startswith(
        "ignored"
    )  # late failure
    adyen_dep = bank.deposit(acct, 500, "adyen")
    item = signing.adyen_item(
        "AUTHORISATION", adyen_dep["psp_reference"], adyen_dep["id"], 500, "EUR"
    )
    bank.ok(bank.adyen(item))
    bank.ok(bank.adyen(item))
    wd = bank.withdraw(acct, 700)
    bank.ok(bank.settle(wd, paid=True))
    bank.ok(bank.settle(wd, paid=True))
    assert bank.balance(acct)["available"] == 800
    assert bank.get(f"/deposits/{dep['id']}")["status"] == "succeeded"
    assert bank.problems() == []


def test_a_webhook_with_another_amount_is_not_credited(bank: Bank) -> None:
    acct = bank.account()
    dep = bank.deposit(acct, 1_000)
    resp = bank.ok(bank.confirm(dep | {"amount": 100_000}))
    assert resp["outcome"].startswith("ignored (amount")
    assert bank.balance(acct)["available"] == 0


def test_a_payment_that_failed_then_succeeded_is_credited_once(bank: Bank) -> None:
    acct = bank.account()
    dep = bank.deposit(acct, 1_000)
    bank.ok(bank.confirm(dep, success=False))
    bank.ok(bank.confirm(dep))
    assert bank.get(f"/deposits/{dep['id']}")["status"] == "succeeded"
    assert bank.balance(acct)["available"] == 1_000


def test_unknown_references_are_acknowledged_and_ignored(bank: Bank) -> None:
    obj = {"id": "pi_nobody", "amount": 5, "currency": "eur", "metadata": {}}
    resp = bank.ok(bank.stripe(signing.stripe_event("payment_intent.succeeded", obj)))
    assert resp["outcome"] == "unknown deposit"
    resp = bank.ok(bank.stripe(signing.stripe_event("customer.created", {"id": "cus_1"})))
    assert resp["outcome"] == "ignored (event type)"
    assert bank.totals() == {}
