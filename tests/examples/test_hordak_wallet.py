"""examples/hordak-wallet: a Django + django-hordak wallet golive did not grow up with.

Its own behaviour (API shape, reservations, webhooks verified with the PSP SDKs, the
reversible release-2 migration), its adapter against golive's target protocol, and golive's
verdicts on it (canary, properties, environment), each run once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from golive.psp import running_stub
from golive.target import PlatformError, load_target, protocol_gaps
from tests.examples.wallet import EXAMPLE, Wallet, needs_postgres, running_wallet, verdict_lines

pytestmark = [pytest.mark.slow, needs_postgres]
ADAPTER = "golive_adapter:HordakWalletTarget"


@pytest.fixture(scope="module")
def wallet() -> Iterator[Wallet]:
    with running_wallet() as w:
        yield w


@pytest.fixture
def api(wallet: Wallet) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{wallet.url}/api/v1", timeout=30) as client:
        yield client


@pytest.fixture
def psp(wallet: Wallet) -> Iterator[Any]:
    """golive's stub PSP where the wallet calls it, delivering webhooks to the wallet."""
    env = wallet.env
    with running_stub(
        port=int(env["GOLIVE_PSP_PORT"]),
        speed=0.0,
        stripe_webhook_url=f"{wallet.url}/webhooks/stripe",
        stripe_webhook_secret=env["GOLIVE_PSP_STRIPE_WEBHOOK_SECRET"],
        adyen_webhook_url=f"{wallet.url}/webhooks/adyen",
        adyen_hmac_key=env["GOLIVE_PSP_ADYEN_HMAC_KEY"],
    ) as stub:
        yield stub


def deliver(stub: Any) -> None:
    stub.control.advance_clock(5, step=True)
    stub.control.flush()


def new_wallet(api: httpx.Client, currency: str = "EUR") -> str:
    r = api.post("/wallets", json={"owner_ref": f"t-{uuid.uuid4().hex[:8]}", "currency": currency})
    assert r.status_code == 201, r.text
    return str(r.json()["wallet_id"])


def funded(api: httpx.Client, stub: Any, amount: str, provider: str = "stripe") -> str:
    wid = new_wallet(api)
    r = api.post(
        f"/wallets/{wid}/topups", json={"amount": amount, "currency": "EUR", "provider": provider}
    )
    assert r.status_code == 201, r.text
    deliver(stub)
    assert api.get(f"/wallets/{wid}/balance").json()["spendable"] == amount
    return wid


def sign_stripe(payload: bytes, secret: str, at: int | None = None) -> str:
    t = str(at if at is not None else int(time.time()))
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


# -- the adapter --------------------------------------------------------------------------
def test_adapter_passes_the_protocol_check() -> None:
    sys.path.insert(0, str(EXAMPLE))
    try:
        cls = load_target(ADAPTER)
    finally:
        sys.path.remove(str(EXAMPLE))
    assert protocol_gaps(cls) == []
    lines = (EXAMPLE / "golive_adapter.py").read_text().count("\n")
    assert lines < 400, f"the adapter grew to {lines} lines (issue 13: a few hundred)"


# -- the wallet's own API ---------------------------------------------------------------------
def test_amounts_are_decimal_strings_and_errors_have_the_wallets_shape(
    api: httpx.Client, psp: Any
) -> None:
    wid = funded(api, psp, "50.00")
    bal = api.get(f"/wallets/{wid}/balance").json()
    assert bal == {
        "wallet_id": wid,
        "currency": "EUR",
        "spendable": "50.00",
        "reserved": "0.00",
        "incoming": "0.00",
    }
    refused = api.post(f"/wallets/{wid}/reservations", json={"amount": "50.01", "currency": "EUR"})
    assert refused.status_code == 409
    assert refused.json()["problem"]["type"] == "NOT_ENOUGH_MONEY"
    assert (
        api.post(f"/wallets/{wid}/reservations", json={"amount": 5, "currency": "EUR"}).json()[
            "problem"
        ]["type"]
        == "BAD_AMOUNT"
    )
    three_places = api.post(
        f"/wallets/{wid}/reservations", json={"amount": "1.005", "currency": "EUR"}
    )
    assert three_places.status_code == 400
    other = api.post(f"/wallets/{wid}/reservations", json={"amount": "1.00", "currency": "USD"})
    assert (other.status_code, other.json()["problem"]["type"]) == (422, "WRONG_CURRENCY")
    assert api.get(f"/wallets/{uuid.uuid4()}/balance").json()["problem"]["type"] == "NO_SUCH_WALLET"
    assert api.get(f"/wallets/{wid}/balance").json()["spendable"] == "50.00"


def test_reservations_capture_partly_once_and_void_returns_everything(
    api: httpx.Client, psp: Any
) -> None:
    wid = funded(api, psp, "100.00", provider="adyen")
    first = api.post(f"/wallets/{wid}/reservations", json={"amount": "30.00", "currency": "EUR"})
    rid = first.json()["reservation_id"]
    assert api.get(f"/wallets/{wid}/balance").json()["reserved"] == "30.00"
    cap = api.post(f"/reservations/{rid}/capture", json={"amount": "12.29"}).json()
    assert (cap["state"], cap["captured"], cap["returned"]) == ("captured", "12.29", "17.71")
    again = api.post(f"/reservations/{rid}/capture", json={})
    assert (again.status_code, again.json()["problem"]["type"]) == (409, "NOT_OPEN")
    assert api.post(f"/reservations/{rid}/void").status_code == 409
    second = api.post(f"/wallets/{wid}/reservations", json={"amount": "20.00", "currency": "EUR"})
    assert (
        api.post(f"/reservations/{second.json()['reservation_id']}/void").json()["state"]
        == "voided"
    )
    assert api.get(f"/wallets/{wid}/balance").json() | {"wallet_id": ""} == {
        "wallet_id": "",
        "currency": "EUR",
        "spendable": "87.71",
        "reserved": "0.00",
        "incoming": "0.00",
    }


def test_a_reservation_lapses_when_due_and_only_then(api: httpx.Client, psp: Any) -> None:
    wid = funded(api, psp, "10.00")
    r = api.post(
        f"/wallets/{wid}/reservations",
        json={"amount": "4.00", "currency": "EUR", "ttl_seconds": 60},
    ).json()
    assert r["reservation_id"] not in api.post("/reservations/lapse", json={}).json()["lapsed"]
    later = api.post("/reservations/lapse", json={"as_of": "2999-01-01T00:00:00+00:00"}).json()
    assert r["reservation_id"] in later["lapsed"]
    assert api.get(f"/reservations/{r['reservation_id']}").json()["state"] == "lapsed"
    assert api.get(f"/wallets/{wid}/balance").json()["spendable"] == "10.00"


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(
    api: httpx.Client, psp: Any
) -> None:
    wid = funded(api, psp, "20.00")
    body, key = {"amount": "5.00", "currency": "EUR"}, {"Idempotency-Key": "k-1"}
    one = api.post(f"/wallets/{wid}/reservations", json=body, headers=key)
    two = api.post(f"/wallets/{wid}/reservations", json=body, headers=key)
    assert one.status_code == two.status_code == 201
    assert one.json() == two.json()
    other = api.post(f"/wallets/{wid}/reservations", json=body | {"amount": "6.00"}, headers=key)
    assert (other.status_code, other.json()["problem"]["type"]) == (422, "KEY_REUSED")
    assert api.get(f"/wallets/{wid}/balance").json()["reserved"] == "5.00"


def test_ledger_legs_page_with_the_wallets_cursor(api: httpx.Client, psp: Any) -> None:
    funded(api, psp, "1.00")
    first = api.get("/ledger/legs", params={"page_size": 1}).json()
    assert len(first["legs"]) == 1
    assert first["paging"]["more"] is True
    rest = api.get("/ledger/legs", params={"after": first["paging"]["after"], "page_size": 1000})
    assert rest.json()["legs"][0]["leg"] > first["legs"][0]["leg"]
    nets: dict[str, float] = {}
    for t in api.get("/ledger/totals").json()["totals"]:
        nets[t["currency"]] = nets.get(t["currency"], 0) + float(t["net"])
    assert all(abs(v) < 1e-9 for v in nets.values()), nets  # hordak keeps the books balanced


# -- webhooks --------------------------------------------------------------------------------
def test_stripe_webhooks_are_verified_with_the_sdk(wallet: Wallet, api: httpx.Client) -> None:
    secret = wallet.env["GOLIVE_PSP_STRIPE_WEBHOOK_SECRET"]
    event = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": "pi_x",
                    "object": "payment_intent",
                    "metadata": {"topup_id": str(uuid.uuid4())},
                }
            },
        }
    ).encode()
    url = f"{wallet.url}/webhooks/stripe"
    good = httpx.post(url, content=event, headers={"Stripe-Signature": sign_stripe(event, secret)})
    assert good.status_code == 200
    assert good.json()["done"] == "unknown"  # verified; no such top-up
    forged = httpx.post(
        url, content=event, headers={"Stripe-Signature": sign_stripe(event, "whsec_wrong")}
    )
    stale = httpx.post(
        url,
        content=event,
        headers={"Stripe-Signature": sign_stripe(event, secret, int(time.time()) - 3600)},
    )
    assert forged.status_code == stale.status_code == 400


def test_adyen_notifications_need_a_valid_hmac(wallet: Wallet) -> None:
    item = {
        "pspReference": "X1",
        "originalReference": "",
        "merchantAccountCode": "M",
        "merchantReference": str(uuid.uuid4()),
        "amount": {"value": 100, "currency": "EUR"},
        "eventCode": "AUTHORISATION",
        "success": "true",
        "additionalData": {"hmacSignature": "bm90IGEgc2lnbmF0dXJl"},
    }
    r = httpx.post(
        f"{wallet.url}/webhooks/adyen",
        json={"live": "false", "notificationItems": [{"NotificationRequestItem": item}]},
    )
    assert r.status_code == 401


def test_duplicate_webhooks_credit_once(api: httpx.Client, psp: Any) -> None:
    psp.control.set_faults(duplicate_webhooks=3)
    wid = funded(api, psp, "25.00")
    assert api.get(f"/wallets/{wid}/balance").json()["spendable"] == "25.00"


# -- the reversible migration and the operations -----------------------------------------------
def test_release_2_migration_rolls_back_to_0001_and_forward_again(
    wallet: Wallet, api: httpx.Client, psp: Any
) -> None:
    wid = funded(api, psp, "40.00")
    hold = api.post(f"/wallets/{wid}/reservations", json={"amount": "10.00", "currency": "EUR"})
    assert "fee" in hold.json()
    assert "fee_bps" in api.get("/config").json()
    assert wallet.ops("deploy", "--release", "1").returncode == 0
    down = wallet.ops("migrate", "--schema", "1")
    assert down.returncode == 0, down.stderr
    status = api.get("/status").json()
    assert (status["release"], status["schema"]) == ("1", "0001")
    assert "fee_bps" not in api.get("/config").json()
    got = api.get(f"/reservations/{hold.json()['reservation_id']}").json()
    assert got["state"] == "open"  # the row stays
    assert "fee" not in got  # the fee column goes
    assert api.get(f"/wallets/{wid}/balance").json()["reserved"] == "10.00"
    assert wallet.ops("migrate", "--schema", "2").returncode == 0
    assert wallet.ops("deploy", "--release", "2").returncode == 0
    assert api.get("/status").json()["schema"] == "0002"
    assert api.get("/config").json()["fee_bps"] == 0


def test_kill_start_backup_and_restore_into_another_database(
    wallet: Wallet, api: httpx.Client, psp: Any
) -> None:
    wid = funded(api, psp, "9.99")
    assert wallet.ops("stop", "--now").returncode == 0
    with pytest.raises(httpx.TransportError):
        api.get("/status")
    assert wallet.ops("start").returncode == 0
    backup = wallet.state / "wallet.dump"
    assert wallet.ops("backup", "--to", str(backup)).returncode == 0
    pg_bin = (wallet.state / "pgbin").read_text().strip()
    port = wallet.env["EXAMPLE_PG_PORT"]
    subprocess.run([f"{pg_bin}/createdb", "-h", "127.0.0.1", "-p", port, "-U", "wallet",
                    "restored"], check=True, timeout=60)  # fmt: skip
    dsn = f"postgresql://wallet@127.0.0.1:{port}/restored"
    restored = wallet.ops("restore-into", "--dsn", dsn, "--from", str(backup))
    assert restored.returncode == 0, restored.stderr
    env_file = wallet.state / "wallet.env"
    var = "WALLET_DATABASE_URL="
    own = next(ln for ln in env_file.read_text().splitlines() if ln.startswith(var))
    moved = wallet.ops("use-database", "--dsn", dsn)
    try:
        assert moved.returncode == 0, moved.stderr
        assert api.get(f"/wallets/{wid}/balance").json()["spendable"] == "9.99"
        assert var + dsn in env_file.read_text()
    finally:  # the module's wallet goes back to its own database ([target] database)
        back = wallet.ops("use-database", "--dsn", own.removeprefix(var).strip())
        assert back.returncode == 0, back.stderr


def test_the_adapter_maps_the_wallets_refusals_to_the_contracts_codes(
    wallet: Wallet, psp: Any
) -> None:
    sys.path.insert(0, str(EXAMPLE))
    try:
        target = load_target(ADAPTER)(base_url=wallet.url)
    finally:
        sys.path.remove(str(EXAMPLE))
    acc = target.create_account("adapter-test", "JPY")
    dep = target.deposit(acc.id, 1229, "JPY", "adyen")
    deliver(psp)
    assert target.get_deposit(dep.id).status == "succeeded"
    hold = target.place_hold(acc.id, 1000, "JPY")
    assert target.burn(hold.id, 229).burned_amount == 229
    with pytest.raises(PlatformError) as refused:
        target.release(hold.id)
    assert (refused.value.status, refused.value.code) == (409, "hold_not_pending")
    assert target.balance(acc.id).available == 1000
    target.close()


def test_golive_full_suite_is_go_on_the_wallet(wallet: Wallet) -> None:
    """Every suite against the wallet, through its adapter and operations only: canary,
    webhooks, rollback, restore, properties, environment and hypercare, none skipped."""
    run = wallet.golive_run("full", timeout=2400)
    assert run.returncode == 0, verdict_lines(run)
    said = run.stdout + run.stderr
    assert "VERDICT: GO" in said
    assert " skip " not in said, said[-3000:]
    ran = re.search(r"(\d+) scenarios and properties to run", said)
    assert ran is not None
    assert int(ran.group(1)) >= 60, said[-3000:]
