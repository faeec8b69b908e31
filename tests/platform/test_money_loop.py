"""The whole money loop through the HTTP contract, for both PSPs and both app versions."""

from __future__ import annotations

import pytest

from tests.platform.bank import Bank
from tests.platform.conftest import BankFactory


@pytest.mark.parametrize("psp", ["stripe", "adyen"])
@pytest.mark.parametrize("app_version", ["1", "2"])
def test_deposit_hold_burn_withdraw_payout(
    bank_factory: BankFactory, psp: str, app_version: str
) -> None:
    bank = bank_factory(app_version=app_version)
    acct = bank.account()
    dep = bank.deposit(acct, 10_000, psp)
    assert dep["status"] == "pending"
    assert dep["psp_reference"]
    assert bank.balance(acct) | {"account_id": None} == {
        "account_id": None,
        "currency": "EUR",
        "available": 0,
        "held": 0,
        "pending": 10_000,
    }
    assert bank.ok(bank.confirm(dep))
    assert bank.get(f"/deposits/{dep['id']}")["status"] == "succeeded"

    hold = bank.ok(bank.hold(acct, 3_000), 201)
    assert (bank.balance(acct)["available"], bank.balance(acct)["held"]) == (7_000, 3_000)
    burned = bank.ok(bank.post(f"/holds/{hold['id']}/burn", {"amount": 2_550}))
    fee = 26 if app_version == "2" else 0  # 1 % of 2550 = 25.5, rounded half up
    assert (burned["status"], burned["burned_amount"], burned["released_amount"]) == (
        "burned",
        2_550,
        450,
    )
    assert burned.get("fee_amount", 0) == fee
    assert (bank.balance(acct)["available"], bank.balance(acct)["held"]) == (7_450, 0)

    wd = bank.withdraw(acct, 4_000, psp)
    assert wd["status"] == "in_transit"
    assert wd["psp_reference"]
    assert bank.balance(acct)["available"] == 3_450
    bank.ok(bank.settle(wd))
    assert bank.get(f"/withdrawals/{wd['id']}")["status"] == "paid"

    totals = bank.totals()
    assert totals[("customer_wallet", "EUR")] == 3_450
    assert totals[("house_revenue", "EUR")] == 2_550 - fee
    assert totals.get(("house_fees", "EUR"), 0) == fee
    assert totals[("payouts_in_transit", "EUR")] == 0
    assert totals[("psp_clearing", "EUR")] == -(10_000 - 4_000)
    assert bank.problems() == []
    jobs = bank.get("/jobs")["jobs"]
    assert {(j["kind"], j["state"]) for j in jobs} == {
        ("deposit_confirmation", "done"),
        ("payout", "done"),
    }


def test_the_platform_calls_the_psps_in_their_real_shapes(bank: Bank) -> None:
    acct = bank.account()
    stripe_dep = bank.deposit(acct, 1_234, "stripe")
    call = bank.psp.last("/stripe/v1/payment_intents")
    assert call.form == {
        "amount": "1234",
        "currency": "eur",
        "confirm": "true",
        "payment_method": "pm_card_visa",
        "metadata[deposit_id]": stripe_dep["id"],
    }
    assert call.headers["authorization"] == "Bearer sk_test_refbank_tests"
    assert call.headers["idempotency-key"] == f"deposit-{stripe_dep['id']}"
    adyen_dep = bank.deposit(acct, 2_000, "adyen")
    call = bank.psp.last("/adyen/checkout/v71/payments")
    assert call.json["amount"] == {"value": 2_000, "currency": "EUR"}
    assert call.json["reference"] == adyen_dep["id"]
    assert call.json["merchantAccount"] == "RefbankTestECOM"
    assert call.headers["x-api-key"] == "AQE_test_refbank_tests"
    bank.ok(bank.confirm(stripe_dep))
    wd = bank.withdraw(acct, 1_000, "adyen")
    call = bank.psp.last("storeDetailAndSubmitThirdParty")
    assert call.path == "/adyen/pal/servlet/Payout/v68/storeDetailAndSubmitThirdParty"
    assert (call.json["reference"], call.json["amount"]) == (
        wd["id"],
        {"value": 1_000, "currency": "EUR"},
    )
    bank.withdraw(acct, 100, "stripe")
    assert bank.psp.last("/stripe/v1/payouts").form["metadata[withdrawal_id]"]


@pytest.mark.parametrize("psp", ["stripe", "adyen"])
def test_a_failed_payment_is_never_credited(bank: Bank, psp: str) -> None:
    acct = bank.account()
    dep = bank.deposit(acct, 5_000, psp)
    bank.ok(bank.confirm(dep, success=False))
    assert bank.get(f"/deposits/{dep['id']}")["status"] == "failed"
    assert bank.balance(acct) | {"account_id": None} == {
        "account_id": None,
        "currency": "EUR",
        "available": 0,
        "held": 0,
        "pending": 0,
    }
    assert bank.get("/jobs?kind=deposit_confirmation")["jobs"][0]["state"] == "done"


@pytest.mark.parametrize("psp", ["stripe", "adyen"])
def test_a_failed_payout_is_refunded(bank: Bank, psp: str) -> None:
    acct = bank.account()
    bank.fund(acct, 5_000, psp)
    wd = bank.withdraw(acct, 3_000, psp)
    bank.ok(bank.settle(wd, paid=False))
    assert bank.get(f"/withdrawals/{wd['id']}")["status"] == "failed"
    assert bank.balance(acct)["available"] == 5_000
    assert bank.get("/jobs?kind=payout")["jobs"][0]["state"] == "failed"
    assert bank.totals()[("payouts_in_transit", "EUR")] == 0
    assert bank.problems() == []


def test_a_payout_returned_after_it_was_paid_is_refunded(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 5_000)
    wd = bank.withdraw(acct, 3_000)
    bank.ok(bank.settle(wd, paid=True))
    bank.ok(bank.settle(wd, paid=False))
    assert bank.get(f"/withdrawals/{wd['id']}")["status"] == "failed"
    assert bank.balance(acct)["available"] == 5_000
    assert bank.totals()[("psp_clearing", "EUR")] == -5_000
    assert bank.problems() == []


@pytest.mark.parametrize("mode", ["decline", "error"])
def test_a_psp_that_refuses_a_payout_refunds_at_once(bank: Bank, mode: str) -> None:
    acct = bank.account()
    bank.fund(acct, 5_000)
    bank.psp.mode = mode
    resp = bank.post(
        "/withdrawals", {"account_id": acct, "amount": 2_000, "currency": "EUR", "psp": "stripe"}
    )
    assert resp.status_code == 502
    err = resp.json()["error"]
    assert err["code"] == ("psp_unavailable" if mode == "error" else "payout_declined")
    assert err["withdrawal"]["status"] == "failed"
    assert bank.balance(acct)["available"] == 5_000
    assert bank.problems() == []


def test_a_psp_that_is_down_fails_the_deposit(bank: Bank) -> None:
    acct = bank.account()
    bank.psp.mode = "error"
    resp = bank.post(
        "/deposits", {"account_id": acct, "amount": 100, "currency": "EUR", "psp": "adyen"}
    )
    assert resp.status_code == 502
    assert resp.json()["error"]["deposit"]["status"] == "failed"
    assert bank.balance(acct)["pending"] == 0


def test_release_and_expiry_give_the_money_back(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 1_000)
    a = bank.ok(bank.hold(acct, 300), 201)
    b = bank.ok(bank.hold(acct, 200, expires_in_seconds=60), 201)
    assert bank.balance(acct)["available"] == 500
    released = bank.ok(bank.post(f"/holds/{a['id']}/release", {}))
    assert (released["status"], released["released_amount"]) == ("released", 300)
    assert bank.ok(bank.post("/admin/holds/expire", {}))["expired"] == []
    expired = bank.ok(bank.post("/admin/holds/expire", {"now": "2999-01-01T00:00:00Z"}))
    assert expired["expired"] == [b["id"]]
    assert bank.get(f"/holds/{b['id']}")["status"] == "expired"
    assert bank.balance(acct) | {"account_id": None} == {
        "account_id": None,
        "currency": "EUR",
        "available": 1_000,
        "held": 0,
        "pending": 0,
    }
    resp = bank.post(f"/holds/{a['id']}/burn", {})
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "hold_not_pending")
    assert bank.problems() == []


def test_a_transfer_moves_money_between_wallets(bank: Bank) -> None:
    a, b = bank.account(), bank.account()
    bank.fund(a, 1_000)
    body = {"from_account_id": a, "to_account_id": b, "amount": 400, "currency": "EUR"}
    t = bank.ok(bank.post("/transfers", body), 201)
    assert bank.get(f"/transfers/{t['id']}")["transaction_id"] == t["transaction_id"]
    assert (bank.balance(a)["available"], bank.balance(b)["available"]) == (600, 400)
    resp = bank.post("/transfers", body | {"amount": 601})
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "insufficient_funds")
    assert bank.problems() == []


def test_settings_switch_withdrawals_off_and_choose_the_psp(bank: Bank) -> None:
    acct = bank.account()
    bank.fund(acct, 1_000)
    assert bank.get("/admin/settings") == {
        "withdrawals_enabled": True,
        "primary_psp": "stripe",
        "fee_bps": 100,
    }
    put = bank.http.put(
        "/admin/settings", json={"withdrawals_enabled": False, "primary_psp": "adyen"}
    )
    assert bank.ok(put)["primary_psp"] == "adyen"
    resp = bank.post("/withdrawals", {"account_id": acct, "amount": 10, "currency": "EUR"})
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "withdrawals_disabled")
    bank.http.put("/admin/settings", json={"withdrawals_enabled": True})
    assert (
        bank.ok(
            bank.post("/withdrawals", {"account_id": acct, "amount": 10, "currency": "EUR"}), 201
        )["psp"]
        == "adyen"
    )
    assert bank.deposit(acct, 5, psp=None)["psp"] == "adyen"  # type: ignore[arg-type]


def test_fee_rate_is_a_v2_setting(bank_factory: BankFactory) -> None:
    v2 = bank_factory(app_version="2")
    assert v2.ok(v2.http.put("/admin/settings", json={"fee_bps": 250}))["fee_bps"] == 250
    acct = v2.account()
    v2.fund(acct, 10_000)
    hold = v2.ok(v2.hold(acct, 1_000), 201)
    assert v2.ok(v2.post(f"/holds/{hold['id']}/burn", {}))["fee_amount"] == 25
    v1 = bank_factory(app_version="1", dsn=v2.dsn)
    resp = v1.http.put("/admin/settings", json={"fee_bps": 1})
    assert (resp.status_code, resp.json()["error"]["field"]) == (422, "fee_bps")


def test_a_zero_exponent_currency_works(bank: Bank) -> None:
    acct = bank.account("JPY")
    bank.fund(acct, 1_999, currency="JPY")
    assert bank.balance(acct)["available"] == 1_999
    assert bank.problems() == []


@pytest.mark.parametrize("psp", ["stripe", "adyen"])
@pytest.mark.parametrize("app_version", ["1", "2"])
def test_ledger_entries_carry_the_psp_reference(
    bank_factory: BankFactory, psp: str, app_version: str
) -> None:
    bank = bank_factory(app_version=app_version)
    acct = bank.account()
    dep = bank.fund(acct, 5_000, psp)
    paid, refunded = bank.withdraw(acct, 1_000, psp), bank.withdraw(acct, 1_000, psp)
    bank.ok(bank.settle(paid))
    bank.ok(bank.settle(refunded, paid=False))
    hold = bank.ok(bank.hold(acct, 100), 201)
    bank.ok(bank.post(f"/holds/{hold['id']}/burn"))
    refs: dict[str, set[str | None]] = {}
    for e in bank.entries():
        refs.setdefault(e["transaction_kind"], set()).add(e["reference"])
    wd_refs = {bank.get(f"/withdrawals/{w['id']}")["psp_reference"] for w in (paid, refunded)}
    assert refs["deposit"] == {dep["psp_reference"]}
    assert refs["withdrawal"] == wd_refs
    assert refs["payout_settled"] == {paid["psp_reference"]}
    assert refs["payout_refund"] == {refunded["psp_reference"]}
    assert refs["hold_place"] == refs["hold_burn"] == {None}
    assert None not in wd_refs
    assert len(wd_refs) == 2
