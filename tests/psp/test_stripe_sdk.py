"""The official stripe SDK, pointed at the served stub, drives the money loop objects."""

from __future__ import annotations

import pytest
import stripe

from golive.psp import RunningStub


def test_create_confirm_capture_in_full(stripe_client: stripe.StripeClient) -> None:
    pis = stripe_client.v1.payment_intents
    pi = pis.create(
        params={
            "amount": 2500,
            "currency": "eur",
            "capture_method": "manual",
            "metadata": {"order": "o-1"},
        }
    )
    assert pi.status == "requires_payment_method"
    assert pi.metadata["order"] == "o-1"
    pi = pis.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert (pi.status, pi.amount_capturable, pi.amount_received) == ("requires_capture", 2500, 0)
    pi = pis.capture(pi.id)
    assert (pi.status, pi.amount_received, pi.amount_capturable) == ("succeeded", 2500, 0)
    charge = stripe_client.v1.charges.retrieve(str(pi.latest_charge))
    assert charge.captured
    assert charge.amount_captured == 2500
    assert charge.amount_refunded == 0


def test_partial_capture_releases_the_rest(stripe_client: stripe.StripeClient) -> None:
    pis = stripe_client.v1.payment_intents
    pi = pis.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "capture_method": "manual",
            "confirm": True,
            "payment_method": "pm_card_visa",
        }
    )
    pi = pis.capture(pi.id, params={"amount_to_capture": 600})
    assert (pi.status, pi.amount_received) == ("succeeded", 600)
    charge = stripe_client.v1.charges.retrieve(str(pi.latest_charge))
    assert (charge.amount_captured, charge.amount_refunded, charge.refunded) == (600, 400, False)
    with pytest.raises(stripe.InvalidRequestError) as err:
        pis.capture(pi.id)
    assert err.value.code == "payment_intent_unexpected_state"


def test_capture_more_than_authorised_is_refused(stripe_client: stripe.StripeClient) -> None:
    pis = stripe_client.v1.payment_intents
    pi = pis.create(
        params={"amount": 500, "currency": "eur", "capture_method": "manual", "confirm": True}
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        pis.capture(pi.id, params={"amount_to_capture": 501})
    assert err.value.code == "amount_too_large"
    assert pis.retrieve(pi.id).status == "requires_capture"


def test_automatic_capture_succeeds_on_confirm(stripe_global: None) -> None:
    pi = stripe.PaymentIntent.create(amount=1234, currency="eur", confirm=True)
    assert (pi.status, pi.amount_received, pi.payment_method) == ("succeeded", 1234, "pm_card_visa")
    assert stripe.PaymentIntent.retrieve(pi.id).status == "succeeded"


@pytest.mark.parametrize(
    ("pm", "decline_code"),
    [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
    ],
)
def test_magic_payment_methods_decline(
    stripe_client: stripe.StripeClient, pm: str, decline_code: str
) -> None:
    with pytest.raises(stripe.CardError) as err:
        stripe_client.v1.payment_intents.create(
            params={"amount": 700, "currency": "eur", "confirm": True, "payment_method": pm}
        )
    assert err.value.code == "card_declined"
    assert err.value.error is not None
    assert err.value.error.decline_code == decline_code
    pi_id = err.value.json_body["error"]["payment_intent"]["id"]  # type: ignore[index]
    pi = stripe_client.v1.payment_intents.retrieve(pi_id)
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error is not None
    assert pi.last_payment_error.code == "card_declined"


def test_magic_amount_declines(stripe_client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.CardError):
        stripe_client.v1.payment_intents.create(
            params={"amount": 100002, "currency": "eur", "confirm": True}
        )


def test_cancel_an_authorisation(stripe_client: stripe.StripeClient) -> None:
    pis = stripe_client.v1.payment_intents
    pi = pis.create(
        params={"amount": 900, "currency": "eur", "capture_method": "manual", "confirm": True}
    )
    pi = pis.cancel(pi.id, params={"cancellation_reason": "abandoned"})
    assert (pi.status, pi.cancellation_reason) == ("canceled", "abandoned")
    with pytest.raises(stripe.InvalidRequestError):
        pis.cancel(pi.id)


def test_refunds_partial_then_rest(stripe_client: stripe.StripeClient) -> None:
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "eur", "confirm": True}
    )
    first = stripe_client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 300})
    assert (first.status, first.amount) == ("succeeded", 300)
    rest = stripe_client.v1.refunds.create(params={"payment_intent": pi.id})
    assert rest.amount == 700
    charge = stripe_client.v1.charges.retrieve(str(pi.latest_charge))
    assert (charge.amount_refunded, charge.refunded) == (1000, True)
    with pytest.raises(stripe.InvalidRequestError) as err:
        stripe_client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1})
    assert err.value.code == "charge_already_refunded"
    listed = stripe_client.v1.refunds.list(params={"payment_intent": pi.id})
    assert sorted(r.amount for r in listed.data) == [300, 700]


def test_payout_create_retrieve_and_arrive(psp: RunningStub, stripe_global: None) -> None:
    po = stripe.Payout.create(amount=4200, currency="eur", metadata={"withdrawal": "w-9"})
    assert (po.status, po.amount, po.arrival_date - po.created) == ("pending", 4200, 86400)
    assert stripe.Payout.retrieve(po.id).metadata["withdrawal"] == "w-9"
    psp.control.advance_clock(86400 + 1)
    assert stripe.Payout.retrieve(po.id).status == "paid"
    types = [e.type for e in stripe.Event.list(limit=100).data if e.data.object["id"] == po.id]
    assert types == ["payout.paid", "payout.updated", "payout.created"]  # newest first


def test_payout_failure_by_magic_destination(psp: RunningStub, stripe_global: None) -> None:
    po = stripe.Payout.create(amount=100, currency="eur", destination="ba_account_closed")
    psp.control.advance_clock(86401)
    po = stripe.Payout.retrieve(po.id)
    assert (po.status, po.failure_code) == ("failed", "account_closed")
    assert po.failure_balance_transaction is not None


def test_payout_cancel_only_while_pending(psp: RunningStub, stripe_global: None) -> None:
    po = stripe.Payout.create(amount=100, currency="eur")
    assert stripe.Payout.cancel(po.id).status == "canceled"
    later = stripe.Payout.create(amount=100, currency="eur")
    psp.control.advance_clock(86401)
    with pytest.raises(stripe.InvalidRequestError):
        stripe.Payout.cancel(later.id)


def test_lists_paginate_newest_first(stripe_client: stripe.StripeClient) -> None:
    ids = [
        stripe_client.v1.payment_intents.create(params={"amount": 100 + i, "currency": "eur"}).id
        for i in range(5)
    ]
    page1 = stripe_client.v1.payment_intents.list(params={"limit": 2})
    assert [p.id for p in page1.data] == ids[::-1][:2]
    assert page1.has_more
    page2 = stripe_client.v1.payment_intents.list(
        params={"limit": 2, "starting_after": page1.data[-1].id}
    )
    assert [p.id for p in page2.data] == ids[::-1][2:4]
    every = [p.id for p in stripe_client.v1.payment_intents.list().auto_paging_iter()]
    assert every == ids[::-1]


def test_webhook_endpoint_via_api_returns_secret_once(stripe_client: stripe.StripeClient) -> None:
    ep = stripe_client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/hook", "enabled_events": ["payout.paid"]}
    )
    assert ep.secret is not None
    assert ep.secret.startswith("whsec_")
    again = stripe_client.v1.webhook_endpoints.retrieve(ep.id)
    assert "secret" not in again
    assert stripe_client.v1.webhook_endpoints.delete(ep.id).deleted is True


def test_balance_reflects_fees_and_payouts(stripe_client: stripe.StripeClient) -> None:
    stripe_client.v1.payment_intents.create(
        params={"amount": 10000, "currency": "eur", "confirm": True}
    )
    stripe_client.v1.payouts.create(params={"amount": 2000, "currency": "eur"})
    balance = stripe_client.v1.balance.retrieve()
    pending = {b.currency: b.amount for b in balance.pending}
    available = {b.currency: b.amount for b in balance.available}
    assert pending["eur"] == 10000 - (290 + 30)  # 2.9% + 30 minor units, settles in 2 days
    assert available["eur"] == -2000
