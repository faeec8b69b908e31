"""Bad rows written straight to the database are refused by the database itself."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors as pg


@pytest.fixture
def conn(new_db) -> Iterator[psycopg.Connection]:  # type: ignore[no-untyped-def]
    with psycopg.connect(new_db(2), autocommit=True) as c:
        yield c


def _account(conn: psycopg.Connection, currency: str = "EUR") -> tuple[str, int, int]:
    """A customer account; its wallet and held ledger account ids."""
    aid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO accounts (id, owner_ref, currency) VALUES (%s, 't', %s)", (aid, currency)
    )
    rows = conn.execute(
        "INSERT INTO ledger_accounts (kind, owner, currency) VALUES "
        "('customer_wallet', %s, %s), ('customer_held', %s, %s) RETURNING id",
        (aid, currency, aid, currency),
    ).fetchall()
    return aid, rows[0][0], rows[1][0]


LEG_COLUMNS = "transaction_id, account_id, direction, amount, currency"


def _clearing(conn: psycopg.Connection, currency: str = "EUR") -> int:
    row = conn.execute(
        "INSERT INTO ledger_accounts (kind, owner, currency) "
        "VALUES ('psp_clearing', %s, %s) RETURNING id",
        (f"psp_clearing:stripe:{currency}", currency),
    ).fetchone()
    assert row
    return int(row[0])


def _post(conn: psycopg.Connection, legs: list[tuple[int, str, int, str]]) -> str:
    """Insert a transaction and its legs (account, direction, amount, currency) in one go."""
    txn = str(uuid.uuid4())
    with conn.transaction():
        conn.execute("INSERT INTO ledger_transactions (id, kind) VALUES (%s, 'test')", (txn,))
        for account, direction, amount, currency in legs:
            conn.execute(
                f"INSERT INTO ledger_entries ({LEG_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",
                (txn, account, direction, amount, currency),
            )
    return txn


def _balance(conn: psycopg.Connection, ledger_id: int) -> int:
    row = conn.execute("SELECT balance FROM ledger_accounts WHERE id = %s", (ledger_id,)).fetchone()
    assert row
    return int(row[0])


def test_a_balanced_transaction_is_accepted_and_moves_balances(conn: psycopg.Connection) -> None:
    _, wallet, _ = _account(conn)
    clearing = _clearing(conn)
    _post(conn, [(clearing, "debit", 500, "EUR"), (wallet, "credit", 500, "EUR")])
    assert (_balance(conn, wallet), _balance(conn, clearing)) == (500, -500)


def test_an_unbalanced_transaction_is_refused_at_commit_naming_it(conn: psycopg.Connection) -> None:
    _, wallet, _ = _account(conn)
    clearing = _clearing(conn)
    txn = str(uuid.uuid4())
    conn.execute("BEGIN")
    conn.execute("INSERT INTO ledger_transactions (id, kind) VALUES (%s, 'test')", (txn,))
    conn.execute(
        f"INSERT INTO ledger_entries ({LEG_COLUMNS}) "
        "VALUES (%s, %s, 'debit', 500, 'EUR'), (%s, %s, 'credit', 499, 'EUR')",
        (txn, clearing, txn, wallet),
    )  # accepted for now: the check is deferred to the commit
    with pytest.raises(pg.CheckViolation) as caught:
        conn.execute("COMMIT")
    assert caught.value.sqlstate == "23514"
    assert txn in str(caught.value)
    assert "debits 500, credits 499" in str(caught.value)
    assert _balance(conn, wallet) == 0
    assert conn.execute("SELECT count(*) FROM ledger_entries").fetchone() == (0,)


def test_legs_balancing_only_across_currencies_are_refused(conn: psycopg.Connection) -> None:
    _, eur_wallet, _ = _account(conn, "EUR")
    usd_clearing = _clearing(conn, "USD")
    with pytest.raises(pg.CheckViolation, match="does not balance"):
        _post(conn, [(usd_clearing, "debit", 100, "USD"), (eur_wallet, "credit", 100, "EUR")])


@pytest.mark.parametrize("amount", [0, -5])
def test_a_leg_amount_must_be_positive(conn: psycopg.Connection, amount: int) -> None:
    _, wallet, _ = _account(conn)
    clearing = _clearing(conn)
    with pytest.raises(pg.CheckViolation) as caught:
        _post(conn, [(clearing, "debit", amount, "EUR"), (wallet, "credit", amount, "EUR")])
    assert caught.value.diag.constraint_name == "ledger_entries_amount_positive"


def test_a_customer_balance_cannot_go_negative(conn: psycopg.Connection) -> None:
    _, wallet, held = _account(conn)
    with pytest.raises(pg.CheckViolation) as caught:
        _post(conn, [(wallet, "debit", 1, "EUR"), (held, "credit", 1, "EUR")])
    assert caught.value.diag.constraint_name == "ledger_accounts_no_overdraft"
    assert (_balance(conn, wallet), _balance(conn, held)) == (0, 0)


def test_a_leg_in_another_currency_than_its_account_is_refused(conn: psycopg.Connection) -> None:
    _, wallet, _ = _account(conn, "EUR")
    clearing = _clearing(conn, "EUR")
    with pytest.raises(pg.ForeignKeyViolation) as caught:
        _post(conn, [(clearing, "debit", 100, "USD"), (wallet, "credit", 100, "USD")])
    assert caught.value.diag.constraint_name == "ledger_entries_account_currency"


def test_a_balance_cannot_be_set_by_hand(conn: psycopg.Connection) -> None:
    _, wallet, _ = _account(conn)
    with pytest.raises(pg.CheckViolation, match="derived from its ledger entries"):
        conn.execute("UPDATE ledger_accounts SET balance = 1000000 WHERE id = %s", (wallet,))
    with pytest.raises(pg.CheckViolation, match="must start at balance 0"):
        conn.execute(
            "INSERT INTO ledger_accounts (kind, owner, currency, balance) "
            "VALUES ('house_revenue', 'x', 'EUR', 10)"
        )


def test_the_ledger_is_append_only(conn: psycopg.Connection) -> None:
    _, wallet, _ = _account(conn)
    clearing = _clearing(conn)
    _post(conn, [(clearing, "debit", 500, "EUR"), (wallet, "credit", 500, "EUR")])
    for statement in (
        "UPDATE ledger_entries SET amount = 1",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries CASCADE",
        "DELETE FROM ledger_transactions",
    ):
        with pytest.raises(pg.IntegrityConstraintViolation, match="append-only"):
            conn.execute(statement)
    assert conn.execute("SELECT count(*) FROM ledger_entries").fetchone() == (2,)


def _hold(conn: psycopg.Connection, account: str) -> str:
    hid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO holds (id, account_id, amount, currency, expires_at) "
        "VALUES (%s, %s, 300, 'EUR', now() + interval '1 day')",
        (hid, account),
    )
    return hid


def test_a_hold_is_resolved_exactly_once(conn: psycopg.Connection) -> None:
    account, _, _ = _account(conn)
    hid = _hold(conn, account)
    conn.execute(
        "UPDATE holds SET status = 'burned', burned_amount = 300, resolved_at = now() "
        "WHERE id = %s",
        (hid,),
    )
    for second in (
        "UPDATE holds SET status = 'released', burned_amount = 0, released_amount = 300 "
        "WHERE id = %s",
        "UPDATE holds SET status = 'burned', burned_amount = 300 WHERE id = %s",
        "UPDATE holds SET status = 'pending', burned_amount = 0, resolved_at = NULL WHERE id = %s",
        "DELETE FROM holds WHERE id = %s",
    ):
        with pytest.raises(pg.CheckViolation) as caught:
            conn.execute(second, (hid,))
        assert caught.value.diag.constraint_name == "holds_resolved_once"
    assert conn.execute("SELECT status FROM holds WHERE id = %s", (hid,)).fetchone() == ("burned",)


def test_a_hold_starts_pending_and_its_resolution_adds_up(conn: psycopg.Connection) -> None:
    account, _, _ = _account(conn)
    with pytest.raises(pg.CheckViolation, match="must start pending"):
        conn.execute(
            "INSERT INTO holds (id, account_id, amount, currency, status, expires_at) "
            "VALUES (%s, %s, 10, 'EUR', 'burned', now())",
            (str(uuid.uuid4()), account),
        )
    hid = _hold(conn, account)
    with pytest.raises(pg.CheckViolation) as caught:  # burned 200 + released 0 ≠ 300
        conn.execute(
            "UPDATE holds SET status = 'burned', burned_amount = 200, resolved_at = now() "
            "WHERE id = %s",
            (hid,),
        )
    assert caught.value.diag.constraint_name == "holds_resolution_adds_up"
