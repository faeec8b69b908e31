"""At-least-once delivery: retries on the compressed schedules, outages, duplicates,
reordering and drops, all visible in the delivery log."""

from __future__ import annotations

import itertools
import json
import threading

import httpx
import stripe

from golive.psp import ADYEN_RETRY_DELAYS, STRIPE_RETRY_DELAYS, RunningStub, running_stub
from tests.psp.receiver import Receiver

MARGIN = 30.0  # virtual seconds of real time a slow test machine may add between steps


def _payout(psp: RunningStub, amount: int = 100) -> str:
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    return client.v1.payouts.create(params={"amount": amount, "currency": "eur"}).id


def _listen(psp: RunningStub, receiver: Receiver) -> str:
    ep = psp.control.add_webhook_endpoint("stripe", receiver.url, enabled_events=["payout.created"])
    return ep.id


def test_retries_follow_the_stripe_schedule(psp: RunningStub, receiver: Receiver) -> None:
    _listen(psp, receiver)
    receiver.fail_next(2, 500)
    _payout(psp)
    psp.control.flush()
    [d] = psp.control.deliveries()
    assert d["status"] == "pending"
    assert [a["status_code"] for a in d["attempts"]] == [500]
    wait = d["next_attempt_at"] - d["attempts"][0]["at"]  # counted from the attempt's end
    assert STRIPE_RETRY_DELAYS[0] <= wait < STRIPE_RETRY_DELAYS[0] + MARGIN

    psp.control.advance_clock(STRIPE_RETRY_DELAYS[0])
    psp.control.flush()
    psp.control.advance_clock(STRIPE_RETRY_DELAYS[1])
    psp.control.flush()
    [d] = psp.control.deliveries()
    assert d["status"] == "succeeded"
    codes = [a["status_code"] for a in d["attempts"]]
    assert codes == [500, 500, 200]
    at = [a["at"] for a in d["attempts"]]
    for gap, delay in zip([at[1] - at[0], at[2] - at[1]], STRIPE_RETRY_DELAYS, strict=False):
        assert delay <= gap < delay + MARGIN
    assert len(receiver.received) == 3
    assert len({json.loads(b)["id"] for b in receiver.bodies()}) == 1  # the same event, again


def test_step_advance_plays_out_three_days_then_gives_up(
    psp: RunningStub, receiver: Receiver
) -> None:
    _listen(psp, receiver)
    receiver.fail_next(100, 503)
    _payout(psp)
    psp.control.flush()
    psp.control.advance_clock(3 * 86400, step=True)
    [d] = psp.control.deliveries()
    assert d["status"] == "failed"
    assert len(d["attempts"]) == 1 + len(STRIPE_RETRY_DELAYS)
    at = [a["at"] for a in d["attempts"]]
    gaps = [b - a for a, b in itertools.pairwise(at)]
    for gap, delay in zip(gaps, STRIPE_RETRY_DELAYS, strict=True):
        assert delay <= gap < delay + MARGIN
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    undelivered = client.v1.events.list(params={"delivery_success": False})
    assert [e.id for e in undelivered.data] == [d["event_id"]]
    assert undelivered.data[0].pending_webhooks == 1


def test_receiver_down_then_back(psp: RunningStub, receiver: Receiver) -> None:
    _listen(psp, receiver)
    receiver.stop()
    _payout(psp)
    psp.control.flush()
    [d] = psp.control.deliveries()
    first = d["attempts"][0]
    assert first["status_code"] is None
    assert "Connect" in first["error"]
    receiver.start()  # same port
    psp.control.advance_clock(STRIPE_RETRY_DELAYS[0])
    psp.control.flush()
    [d] = psp.control.deliveries()
    assert d["status"] == "succeeded"
    assert d["attempts"][-1]["status_code"] == 200
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    assert client.v1.events.retrieve(d["event_id"]).pending_webhooks == 0


def test_duplicates_are_logged_as_copies(psp: RunningStub, receiver: Receiver) -> None:
    _listen(psp, receiver)
    psp.control.set_faults(duplicate_webhooks=2)
    _payout(psp)
    psp.control.flush()
    log = psp.control.deliveries()
    assert sorted(d["copy"] for d in log) == [0, 1, 2]
    assert len({d["event_id"] for d in log}) == 1
    assert all(d["status"] == "succeeded" for d in log)
    assert len(receiver.received) == 3
    assert len({json.loads(b)["id"] for b in receiver.bodies()}) == 1


def test_reordering_delivers_newest_first(psp: RunningStub, receiver: Receiver) -> None:
    _listen(psp, receiver)
    psp.control.set_faults(reorder_webhooks=True, reorder_window=2)
    _payout(psp, 111)
    _payout(psp, 222)
    psp.control.flush()
    log = sorted(psp.control.deliveries(), key=lambda d: d["created"])
    first_created, second_created = log
    assert second_created["attempts"][0]["seq"] < first_created["attempts"][0]["seq"]


def test_dropped_webhooks_never_arrive(psp: RunningStub, receiver: Receiver) -> None:
    _listen(psp, receiver)
    psp.control.set_faults(drop_webhooks=True)
    _payout(psp)
    psp.control.flush()
    [d] = psp.control.deliveries()
    assert d["status"] == "dropped"
    assert d["attempts"] == []
    assert receiver.received == []
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    assert [e.id for e in client.v1.events.list(params={"delivery_success": False}).data] == [
        d["event_id"]
    ]


def test_webhook_delay_fault(psp: RunningStub, receiver: Receiver) -> None:
    _listen(psp, receiver)
    psp.control.set_faults(webhook_delay_s=600)
    _payout(psp)
    psp.control.flush()
    assert receiver.received == []
    psp.control.advance_clock(600)
    psp.control.flush()
    assert len(receiver.received) == 1


def test_slow_receiver_times_out_and_is_retried(receiver: Receiver) -> None:
    with running_stub(speed=1.0, delivery_timeout=0.3) as stub:
        stub.control.add_webhook_endpoint("stripe", receiver.url, enabled_events=["payout.created"])
        receiver.delay = 1.0
        _payout(stub)
        stub.control.flush()
        [d] = stub.control.deliveries()
        assert d["attempts"][0]["error"] == "timeout"
        assert d["status"] == "pending"
        receiver.delay = 0
        stub.control.advance_clock(STRIPE_RETRY_DELAYS[0])
        stub.control.flush()
        [d] = stub.control.deliveries()
        assert d["status"] == "succeeded"


def test_deleted_endpoint_abandons_its_deliveries(psp: RunningStub, receiver: Receiver) -> None:
    endpoint_id = _listen(psp, receiver)
    receiver.fail_next(1)
    _payout(psp)
    psp.control.flush()
    psp.control.delete_webhook_endpoint(endpoint_id)
    psp.control.advance_clock(STRIPE_RETRY_DELAYS[0])
    psp.control.flush()
    [d] = psp.control.deliveries()
    assert d["status"] == "abandoned"
    assert len(d["attempts"]) == 1


def test_adyen_schedule_shape() -> None:
    assert ADYEN_RETRY_DELAYS[:4] == (9, 9, 9, 120)
    assert 29 * 86400 < sum(ADYEN_RETRY_DELAYS) <= 30 * 86400
    assert 2.9 * 86400 < sum(STRIPE_RETRY_DELAYS) <= 3 * 86400


def test_concurrent_requests_are_all_applied(psp: RunningStub, receiver: Receiver) -> None:
    psp.control.add_webhook_endpoint(
        "stripe", receiver.url, enabled_events=["payment_intent.succeeded"]
    )
    errors: list[BaseException] = []
    ids: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        with httpx.Client(base_url=psp.stripe_base, trust_env=False) as http:
            for _ in range(10):
                try:
                    r = http.post(
                        "/v1/payment_intents",
                        headers={"authorization": "Bearer sk_test_x"},
                        data={"amount": "100", "currency": "eur", "confirm": "true"},
                    )
                    r.raise_for_status()
                    with lock:
                        ids.append(r.json()["id"])
                except BaseException as exc:  # collected and asserted below
                    errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(ids) == len(set(ids)) == 80
    assert psp.control.flush(timeout_s=60).idle
    assert len(receiver.received) == 80
    assert len(psp.control.state()["objects"]["payment_intent"]) == 80
