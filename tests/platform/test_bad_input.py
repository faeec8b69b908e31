"""Bad input gets a 4xx JSON error naming the field and the reason, and nothing is written."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.platform.bank import Bank
from tests.platform.conftest import migrated_to, open_bank
from tests.platform.fake_psp import FakePsp
from tests.platform.serving import ThreadServer

TABLES = (
    "accounts",
    "ledger_entries",
    "holds",
    "deposits",
    "withdrawals",
    "transfers",
    "idempotency_keys",
    "finance_jobs",
    "webhook_events",
)


def snapshot(bank: Bank) -> tuple[Any, ...]:
    counts = tuple(bank.sql(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES)
    states = bank.sql("SELECT id, status, burned_amount FROM holds ORDER BY id")
    balances = bank.sql("SELECT id, balance FROM ledger_accounts ORDER BY id")
    return counts, tuple(states), tuple(balances), len(bank.psp.calls)


@pytest.fixture(scope="module")
def world(pg_templates) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """One platform for every case: each case checks that it changed nothing."""
    psp = FakePsp()
    db = pg_templates.clone("refbank-schema-2", migrated_to(2))
    with ExitStack() as stack:
        stack.callback(db.drop)
        psp_url = stack.enter_context(ThreadServer(psp.app())).url
        yield populated(open_bank(stack, db.dsn, psp, psp_url))


def populated(bank: Bank) -> dict[str, Any]:
    eur, other, usd = bank.account("EUR"), bank.account("EUR"), bank.account("USD")
    bank.fund(eur, 1_000)
    hold = bank.ok(bank.hold(eur, 300), 201)
    return {"bank": bank, "eur": eur, "other": other, "usd": usd, "hold": hold["id"]}


Case = tuple[str, str, Callable[[dict[str, Any]], Any], int, str, str | None]


def money(w: dict[str, Any], **over: Any) -> dict[str, Any]:
    return {"account_id": w["eur"], "amount": 100, "currency": "EUR", **over}


CASES: dict[str, Case] = {
    "malformed JSON": ("POST", "/holds", lambda w: b'{"account_id": ', 400, "invalid_json", None),
    "JSON that is not an object": (
        "POST",
        "/holds",
        lambda w: b"[1, 2]",
        400,
        "invalid_json",
        None,
    ),
    "NaN": ("POST", "/holds", lambda w: b'{"amount": NaN}', 400, "invalid_json", None),
    "no body where one is required": (
        "POST",
        "/transfers",
        lambda w: b"",
        400,
        "invalid_json",
        None,
    ),
    "zero amount": ("POST", "/holds", lambda w: money(w, amount=0), 422, "invalid_field", "amount"),
    "negative amount": (
        "POST",
        "/deposits",
        lambda w: money(w, amount=-5),
        422,
        "invalid_field",
        "amount",
    ),
    "fractional amount": (
        "POST",
        "/holds",
        lambda w: money(w, amount=10.5),
        422,
        "invalid_field",
        "amount",
    ),
    "float amount": (
        "POST",
        "/withdrawals",
        lambda w: money(w, amount=100.0),
        422,
        "invalid_field",
        "amount",
    ),
    "exponent amount": (
        "POST",
        "/holds",
        lambda w: b'{"account_id": "%s", "amount": 1e2, "currency": "EUR"}' % w["eur"].encode(),
        422,
        "invalid_field",
        "amount",
    ),
    "string amount": (
        "POST",
        "/holds",
        lambda w: money(w, amount="100"),
        422,
        "invalid_field",
        "amount",
    ),
    "boolean amount": (
        "POST",
        "/holds",
        lambda w: money(w, amount=True),
        422,
        "invalid_field",
        "amount",
    ),
    "overflowing amount": (
        "POST",
        "/deposits",
        lambda w: money(w, amount=2**63),
        422,
        "invalid_field",
        "amount",
    ),
    "missing amount": (
        "POST",
        "/holds",
        lambda w: {"account_id": w["eur"], "currency": "EUR"},
        422,
        "invalid_field",
        "amount",
    ),
    "unknown currency": (
        "POST",
        "/holds",
        lambda w: money(w, currency="XYZ"),
        422,
        "unknown_currency",
        "currency",
    ),
    "lower-case currency": (
        "POST",
        "/accounts",
        lambda w: {"owner_ref": "x", "currency": "eur"},
        422,
        "unknown_currency",
        "currency",
    ),
    "mismatched currency": (
        "POST",
        "/holds",
        lambda w: money(w, currency="USD"),
        409,
        "currency_mismatch",
        "currency",
    ),
    "mismatched deposit currency": (
        "POST",
        "/deposits",
        lambda w: money(w, currency="USD"),
        409,
        "currency_mismatch",
        "currency",
    ),
    "unknown account": (
        "POST",
        "/holds",
        lambda w: money(w, account_id=str(uuid.uuid4())),
        404,
        "account_not_found",
        "account_id",
    ),
    "malformed account id": (
        "POST",
        "/deposits",
        lambda w: money(w, account_id="acct_1"),
        422,
        "invalid_field",
        "account_id",
    ),
    "unknown field": (
        "POST",
        "/holds",
        lambda w: money(w, ammount=5),
        422,
        "invalid_field",
        "ammount",
    ),
    "unknown psp": (
        "POST",
        "/deposits",
        lambda w: money(w, psp="paypal"),
        422,
        "invalid_field",
        "psp",
    ),
    "insufficient funds": (
        "POST",
        "/withdrawals",
        lambda w: money(w, amount=701),
        409,
        "insufficient_funds",
        "amount",
    ),
    "hold above available": (
        "POST",
        "/holds",
        lambda w: money(w, amount=701),
        409,
        "insufficient_funds",
        "amount",
    ),
    "unknown hold": ("POST", "/holds/{unknown}/burn", lambda w: {}, 404, "hold_not_found", None),
    "hold of another account": (
        "POST",
        "/holds/{hold}/burn",
        lambda w: {"account_id": w["other"]},
        409,
        "hold_account_mismatch",
        "account_id",
    ),
    "release of another account's hold": (
        "POST",
        "/holds/{hold}/release",
        lambda w: {"account_id": w["other"]},
        409,
        "hold_account_mismatch",
        "account_id",
    ),
    "burn above the hold": (
        "POST",
        "/holds/{hold}/burn",
        lambda w: {"amount": 301},
        409,
        "burn_exceeds_hold",
        "amount",
    ),
    "transfer to itself": (
        "POST",
        "/transfers",
        lambda w: {
            "from_account_id": w["eur"],
            "to_account_id": w["eur"],
            "amount": 1,
            "currency": "EUR",
        },
        409,
        "same_account",
        "to_account_id",
    ),
    "transfer across currencies": (
        "POST",
        "/transfers",
        lambda w: {
            "from_account_id": w["eur"],
            "to_account_id": w["usd"],
            "amount": 1,
            "currency": "EUR",
        },
        409,
        "currency_mismatch",
        "to_account_id",
    ),
    "transfer to an unknown account": (
        "POST",
        "/transfers",
        lambda w: {
            "from_account_id": w["eur"],
            "to_account_id": str(uuid.uuid4()),
            "amount": 1,
            "currency": "EUR",
        },
        404,
        "account_not_found",
        "to_account_id",
    ),
    "expiry out of range": (
        "POST",
        "/holds",
        lambda w: money(w, expires_in_seconds=0),
        422,
        "invalid_field",
        "expires_in_seconds",
    ),
    "expire with a bad time": (
        "POST",
        "/admin/holds/expire",
        lambda w: {"now": "tomorrow"},
        422,
        "invalid_field",
        "now",
    ),
    "settings with a bad psp": (
        "PUT",
        "/admin/settings",
        lambda w: {"primary_psp": "paypal"},
        422,
        "invalid_field",
        "primary_psp",
    ),
    "empty owner": (
        "POST",
        "/accounts",
        lambda w: {"owner_ref": "", "currency": "EUR"},
        422,
        "invalid_field",
        "owner_ref",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_and_nothing_is_written(world: dict[str, Any], case: str) -> None:
    bank: Bank = world["bank"]
    method, path, body_of, status, code, field = CASES[case]
    path = path.format(hold=world["hold"], unknown=uuid.uuid4())
    body = body_of(world)
    before = snapshot(bank)
    kw: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
    resp = bank.http.request(method, path, headers={"Idempotency-Key": f"bad-{case}"}, **kw)
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert (err["code"], err["field"]) == (code, field)
    assert err["message"]
    assert snapshot(bank) == before


def test_unknown_ids_in_the_path_are_404(bank: Bank) -> None:
    for path in (
        "/accounts/nope",
        f"/accounts/{uuid.uuid4()}/balance",
        f"/deposits/{uuid.uuid4()}",
        f"/holds/{uuid.uuid4()}",
        f"/withdrawals/{uuid.uuid4()}",
        "/transfers/x",
    ):
        resp = bank.http.get(path)
        assert resp.status_code == 404, path
        assert resp.json()["error"]["code"].endswith("_not_found")


def test_bad_query_parameters(bank: Bank) -> None:
    for path, field in (
        ("/ledger/entries?limit=0", "limit"),
        ("/ledger/entries?cursor=x", "cursor"),
        ("/jobs?state=stuck", "state"),
    ):
        resp = bank.http.get(path)
        assert (resp.status_code, resp.json()["error"]["field"]) == (422, field)


def test_a_balance_that_would_overflow_is_refused(bank: Bank) -> None:
    rich, other = bank.account(), bank.account()
    bank.fund(rich, 2**63 - 1)
    bank.fund(other, 1)
    body = {"from_account_id": other, "to_account_id": rich, "amount": 1, "currency": "EUR"}
    resp = bank.post("/transfers", body)
    assert (resp.status_code, resp.json()["error"]["code"]) == (409, "amount_out_of_range")
    assert bank.balance(other)["available"] == 1
