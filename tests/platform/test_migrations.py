"""Schema versions: up, down and up again keep every cent; app versions check the schema."""

from __future__ import annotations

import pytest

from refbank import current_schema_version, migrate
from refbank.errors import ConfigError
from refbank.migrations import MigrationError
from refbank.platform import check_schema
from tests.platform.bank import Bank
from tests.platform.conftest import BankFactory


def busy_v2(bank: Bank) -> dict[str, str]:
    """A v2 platform with money in every kind of account, fees included."""
    a, b = bank.account(), bank.account("JPY")
    bank.fund(a, 10_000)
    bank.fund(b, 5_000, "adyen", "JPY")
    for amount in (2_550, 999):
        hold = bank.ok(bank.hold(a, amount), 201)
        bank.ok(bank.post(f"/holds/{hold['id']}/burn", {}))
    bank.ok(bank.hold(a, 100), 201)
    bank.withdraw(a, 1_000)
    bank.ok(
        bank.post(
            f"/holds/{bank.ok(bank.hold(b, 3_000, 'JPY'), 201)['id']}/burn", {"amount": 1_234}
        )
    )
    assert bank.totals()[("house_fees", "EUR")] == 26 + 10
    return {"eur": a, "jpy": b}


def money_picture(bank: Bank, accounts: dict[str, str]) -> tuple[object, ...]:
    totals = bank.totals()
    house = {
        cur: sum(v for (k, c), v in totals.items() if c == cur and k.startswith("house"))
        for _, cur in totals
    }
    customers = {name: bank.balance(acct) for name, acct in accounts.items()}
    non_house = {k: v for k, v in totals.items() if not k[0].startswith("house")}
    entries = [
        (e["transaction_id"], e["direction"], e["amount"], e["currency"]) for e in bank.entries()
    ]
    return house, customers, non_house, sorted(entries)


def test_down_and_up_again_keep_every_cent(bank_factory: BankFactory) -> None:
    v2 = bank_factory(app_version="2")
    accounts = busy_v2(v2)
    before = money_picture(v2, accounts)
    assert migrate(v2.dsn, 1) == 2
    assert current_schema_version(v2.dsn) == 1
    v1 = bank_factory(app_version="1", dsn=v2.dsn)
    assert v1.get("/version") == {"app_version": "1", "schema_version": "1", "contract": "1.0"}
    assert money_picture(v1, accounts) == before
    assert ("house_fees", "EUR") not in v1.totals()
    assert v1.problems() == []
    # v1 keeps working on the downgraded schema: burns without a fee
    hold = v1.ok(v1.hold(accounts["eur"], 100), 201)
    burned = v1.ok(v1.post(f"/holds/{hold['id']}/burn", {}))
    assert "fee_amount" not in burned
    migrate(v2.dsn, 2)
    again = bank_factory(app_version="2", dsn=v2.dsn)
    assert again.totals()[("house_fees", "EUR")] == 36  # the fee accounts are fee accounts again
    assert again.problems() == []


def test_app_v1_runs_on_schema_v2(bank_factory: BankFactory) -> None:
    v1 = bank_factory(app_version="1", dsn=None)  # schema 1
    assert v1.get("/version")["schema_version"] == "1"
    migrate(v1.dsn, 2)
    on_v2 = bank_factory(app_version="1", dsn=v1.dsn)
    acct = on_v2.account()
    on_v2.fund(acct, 1_000)
    hold = on_v2.ok(on_v2.hold(acct, 500), 201)
    on_v2.ok(on_v2.post(f"/holds/{hold['id']}/burn", {}))
    assert on_v2.totals()[("house_revenue", "EUR")] == 500
    assert on_v2.problems() == []


def test_app_v2_refuses_schema_v1_with_a_clear_message(new_db) -> None:  # type: ignore[no-untyped-def]
    dsn = new_db(1)
    with pytest.raises(
        ConfigError, match=r"app version 2 needs schema version 2 .* schema version 1.*--to 2"
    ):
        check_schema("2", dsn)
    assert check_schema("1", dsn) == 1


def test_an_empty_database_is_refused_by_both_apps(fresh_db) -> None:  # type: ignore[no-untyped-def]
    for app in ("1", "2"):
        with pytest.raises(ConfigError, match="schema version 0"):
            check_schema(app, fresh_db.dsn)


def test_migrate_from_nothing_to_two_and_back_to_nothing(fresh_db) -> None:  # type: ignore[no-untyped-def]
    assert current_schema_version(fresh_db.dsn) == 0
    migrate(fresh_db.dsn, 2)
    assert current_schema_version(fresh_db.dsn) == 2
    migrate(fresh_db.dsn, 2)  # already there: nothing to do
    migrate(fresh_db.dsn, 0)
    assert current_schema_version(fresh_db.dsn) == 0
    with pytest.raises(MigrationError, match="does not exist"):
        migrate(fresh_db.dsn, 3)
