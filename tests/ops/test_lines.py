from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from golive.errors import ConfigError
from golive.ops.lines import (
    LedgerLine,
    read_adyen_report,
    read_ledger_lines,
    read_stripe_report,
    write_ledger_lines,
)

STRIPE = """\
balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,reporting_category,source_id,payment_intent_id,payout_id,description
txn_1,2025-12-27 10:00:00,2025-12-29 10:00:00,eur,10.50,0.60,9.90,charge,ch_1,pi_1,,
txn_2,2025-12-27 11:00:00,2025-12-27 11:00:00,jpy,-400,0,-400,payout,po_1,,po_1,
txn_3,2025-12-28 09:00:00,2025-12-28 09:00:00,bhd,12.345,0.000,12.345,payout_reversal,po_2,,po_2,
txn_4,2025-12-28 09:00:00,2025-12-28 09:00:00,eur,-1.00,0.00,-1.00,adjustment,adj_1,,,
"""
ADYEN_HEAD = (
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,"
    "Creation Date,TimeZone,Type,Modification Reference,Gross Currency,Gross Debit (GC),"
    "Gross Credit (GC),Exchange Rate,Net Currency,Net Debit (NC),Net Credit (NC),"
    "Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Payment Method Variant,"
    "Modification Merchant Reference,Batch Number\n"
)
ADYEN = ADYEN_HEAD + (
    "C,M,PSP1,dep-1,visa,2025-12-27 10:00:00,UTC,Settled,,EUR,,10.00,1,EUR,,9.82,0.18,,,,visa,,1\n"
    "C,M,PSP2,wd-1,iban,2025-12-27 11:00:00,CET,PaidOut,,EUR,40.00,,1,EUR,40.00,,0.00,,,,iban,,1\n"
)


def test_stripe_rows() -> None:
    lines = read_stripe_report(STRIPE, "s.csv")
    assert [(ln.kind, ln.reference, ln.amount, ln.currency, ln.fee) for ln in lines] == [
        ("payment", "pi_1", 1050, "EUR", 60),
        ("payout", "po_1", -400, "JPY", 0),
        ("payout_reversal", "po_2", 12345, "BHD", 0),
        ("other", "adj_1", -100, "EUR", 0),
    ]
    assert lines[0].booked_at == datetime(2025, 12, 27, 10, tzinfo=UTC)
    assert lines[0].line_id == "txn_1"
    assert lines[1].where == "s.csv:3"


def test_adyen_rows_and_time_zone() -> None:
    lines = read_adyen_report(ADYEN, "a.csv")
    assert [(ln.kind, ln.reference, ln.amount, ln.fee, ln.merchant_reference) for ln in lines] == [
        ("payment", "PSP1", 1000, 18, "dep-1"),
        ("payout", "PSP2", -4000, 0, "wd-1"),
    ]
    assert lines[1].booked_at == datetime(2025, 12, 27, 10, tzinfo=UTC)  # 11:00 CET


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("id,created\n", "s.csv:1: the header lacks 'balance_transaction_id'"),
        (STRIPE.replace("10.50", "10.505"), "s.csv:2: column 'gross': '10.505' is not an amount"),
        (STRIPE.replace("10.50", "ten"), "s.csv:2: column 'gross': 'ten' is not an amount"),
        (STRIPE.replace(",jpy,", ",xyz,"), "s.csv:3: column 'currency': unknown currency 'XYZ'"),
        (STRIPE.replace("2025-12-27 11:00:00,2025", "yesterday,2025"),
         "s.csv:3: column 'created_utc': 'yesterday' is not a date and time"),
    ],
)  # fmt: skip
def test_bad_stripe_reports_name_line_and_column(text: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(pattern)):
        read_stripe_report(text, "s.csv")


def test_bad_adyen_time_zone() -> None:
    with pytest.raises(ConfigError, match=re.escape("a.csv:2: column 'TimeZone': 'Mars/Base'")):
        read_adyen_report(ADYEN.replace(",UTC,", ",Mars/Base,"), "a.csv")


def test_ledger_lines_round_trip() -> None:
    t = datetime(2025, 12, 27, 10, tzinfo=UTC)
    lines = [
        LedgerLine("stripe", "payment", "pi_1", 1050, "EUR", t, "tx1", "dep-1"),
        LedgerLine("adyen", "payout", None, -400, "JPY", t, "tx2", None),
    ]
    assert read_ledger_lines(write_ledger_lines(lines)) == lines


@pytest.mark.parametrize(
    ("bad", "pattern"),
    [
        (("1050", "10.5"), "l.csv:2: column 'amount': '10.5' is not whole minor units"),
        (("payment", "deposit"), "l.csv:2: column 'kind': 'deposit' is not one of"),
    ],
)
def test_bad_ledger_lines(bad: tuple[str, str], pattern: str) -> None:
    t = datetime(2025, 12, 27, 10, tzinfo=UTC)
    text = write_ledger_lines([LedgerLine("stripe", "payment", "pi_1", 1050, "EUR", t, "tx1")])
    with pytest.raises(ConfigError, match=re.escape(pattern)):
        read_ledger_lines(text.replace(*bad), "l.csv")


def test_the_stub_psps_reports_parse() -> None:
    """The stub's settlement reports are what golive reads (same columns, exact amounts)."""
    import json

    from golive.psp.state import StubPSP

    psp = StubPSP(speed=0)
    auth = {"Authorization": "Bearer sk_test_abcdefghij"}
    pay = "amount=1050&currency=eur&confirm=true&payment_method=pm_card_visa"
    psp.handle("POST", "/stripe/v1/payment_intents", headers=auth, body=pay)
    psp.handle("POST", "/stripe/v1/payouts", headers=auth, body="amount=400&currency=eur")
    psp.handle("POST", "/adyen/checkout/v71/payments", headers={"X-API-Key": "k"}, body=json.dumps({
        "amount": {"value": 1000, "currency": "EUR"}, "reference": "dep-1",
        "merchantAccount": "M", "returnUrl": "http://127.0.0.1/r",
        "paymentMethod": {"type": "scheme", "number": "4111111111111111", "expiryMonth": "03",
                          "expiryYear": "2030", "cvc": "737"},
    }))  # fmt: skip
    day = datetime.fromtimestamp(psp.clock.now(), UTC).date().isoformat()
    stripe = read_stripe_report(
        psp.handle("GET", "/_stub/settlement/stripe", query=f"date={day}").body.decode()
    )
    adyen = read_adyen_report(
        psp.handle("GET", "/_stub/settlement/adyen", query=f"date={day}").body.decode()
    )
    assert sorted((ln.kind, ln.amount) for ln in stripe) == [("payment", 1050), ("payout", -400)]
    assert all(ln.reference.startswith(("pi_", "po_")) for ln in stripe)
    assert [(ln.kind, ln.amount, ln.merchant_reference) for ln in adyen] == [
        ("payment", 1000, "dep-1")
    ]
