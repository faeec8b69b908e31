"""Idempotency-Key: replay, mismatch, concurrent first uses, and nothing stored for refusals."""

from __future__ import annotations

import threading
from typing import Any

from tests.platform.bank import Bank


def test_same_key_same_request_replays_the_first_response(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 1_000)
    body = {"account_id": acct, "amount": 100, "currency": "EUR"}
    first = bank.post("/holds", body, key="k-hold")
    again = bank.post("/holds", body, key="k-hold")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert bank.balance(acct)["held"] == 100


def test_same_key_different_request_is_refused(bank: Bank) -> None:
    acct, other = bank.account(), bank.account()
    bank.fund(acct, 1_000)
    bank.ok(
        bank.post("/holds", {"account_id": acct, "amount": 100, "currency": "EUR"}, key="k"), 201
    )
    for path, body in (
        ("/holds", {"account_id": acct, "amount": 101, "currency": "EUR"}),
        (
            "/transfers",
            {"from_account_id": acct, "to_account_id": other, "amount": 1, "currency": "EUR"},
        ),
    ):
        resp = bank.post(path, body, key="k")
        err = resp.json()["error"]
        assert (resp.status_code, err["code"], err["field"]) == (
            422,
            "idempotency_key_reused",
            "Idempotency-Key",
        )
    assert bank.balance(acct) | {"account_id": None} == {
        "account_id": None,
        "currency": "EUR",
        "available": 900,
        "held": 100,
        "pending": 0,
    }


def test_a_retried_deposit_charges_once(bank: Bank) -> None:
    acct = bank.account()
    body = {"account_id": acct, "amount": 700, "currency": "EUR", "psp": "stripe"}
    first, again = bank.post("/deposits", body, key="dep"), bank.post("/deposits", body, key="dep")
    assert again.json()["id"] == first.json()["id"]
    assert len([c for c in bank.psp.calls if "payment_intents" in c.path]) == 1
    assert bank.balance(acct)["pending"] == 700


def test_a_retried_withdrawal_pays_out_once(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 1_000)
    body = {"account_id": acct, "amount": 600, "currency": "EUR", "psp": "adyen"}
    ids = {bank.post("/withdrawals", body, key="wd").json()["id"] for _ in range(3)}
    assert len(ids) == 1
    assert len([c for c in bank.psp.calls if "Payout" in c.path]) == 1
    assert bank.balance(acct)["available"] == 400


def test_a_refused_request_stores_nothing_under_its_key(bank: Bank) -> None:
    acct = bank.account()
    body = {"account_id": acct, "amount": 500, "currency": "EUR"}
    assert bank.post("/holds", body, key="later").status_code == 409  # no funds yet
    bank.fund(acct, 500)
    assert bank.post("/holds", body, key="later").status_code == 201


def test_concurrent_first_uses_of_a_key_make_one_hold(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 1_000)
    body = {"account_id": acct, "amount": 100, "currency": "EUR"}
    results: list[tuple[int, Any]] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        barrier.wait(timeout=30)
        resp = bank.post("/holds", body, key="racing-key")
        results.append((resp.status_code, resp.json().get("id")))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 6
    assert {status for status, _ in results} == {201}
    assert len({hold_id for _, hold_id in results}) == 1
    assert bank.balance(acct)["held"] == 100
