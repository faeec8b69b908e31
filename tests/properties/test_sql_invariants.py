"""The read-only SQL invariants against a real, migrated reference-platform database.

A template holds a small, correct set of books (written the way the platform writes them);
each test gets a clone, breaks one thing behind the database's back (triggers off, a
constraint dropped: the platform's own guards would refuse it otherwise) and expects the
check for that invariant to report it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from golive.config import load_config
from golive.errors import ConfigError
from golive.invariants.sql import (
    REFERENCE_CHECKS,
    SqlCheck,
    run_checks,
    select_checks,
    validate_query,
    violations,
)
from golive.postgres import Database, Templates
from golive.stack import migrate

A, B = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
D1, D2 = "d1d1d1d1-0000-4000-8000-000000000001", "d2d2d2d2-0000-4000-8000-000000000002"
H1, H2 = "a1a1a1a1-0000-4000-8000-000000000001", "a2a2a2a2-0000-4000-8000-000000000002"
W1, W2 = "e1e1e1e1-0000-4000-8000-000000000001", "e2e2e2e2-0000-4000-8000-000000000002"
T1 = "f1f1f1f1-0000-4000-8000-000000000001"
SYSTEM = {
    "psp_clearing": "psp_clearing:stripe:EUR",
    "payouts_in_transit": "payouts_in_transit:stripe:EUR",
    "house_revenue": "house_revenue:EUR",
}


def _post(
    conn: psycopg.Connection, kind: str, ref: str, legs: list[tuple[str, str, str, int]]
) -> str:
    """One balanced transaction; a leg is (account kind, owner, direction, amount)."""
    txn = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO ledger_transactions (id, kind, reference) VALUES (%s, %s, %s)",
        (txn, kind, ref),
    )
    for acc_kind, owner, direction, amount in legs:
        conn.execute(
            "INSERT INTO ledger_entries (transaction_id, account_id, currency, direction, amount) "
            "SELECT %s, id, 'EUR', %s, %s FROM ledger_accounts WHERE kind = %s AND owner = %s",
            (txn, direction, amount, acc_kind, owner),
        )
    return txn


def correct_books(dsn: str) -> None:
    """Schema 2 plus a small set of correct books: deposits, holds, withdrawals, a transfer."""
    migrate(dsn, "2")
    with psycopg.connect(dsn) as conn:
        for acc, owner in ((A, "alice"), (B, "bob")):
            conn.execute(
                "INSERT INTO accounts (id, owner_ref, currency) VALUES (%s, %s, 'EUR')",
                (acc, owner),
            )
            conn.execute(
                "INSERT INTO ledger_accounts (kind, owner, currency) VALUES "
                "('customer_wallet', %s, 'EUR'), ('customer_held', %s, 'EUR')",
                (acc, acc),
            )
        for kind, owner in SYSTEM.items():
            conn.execute(
                "INSERT INTO ledger_accounts (kind, owner, currency) VALUES (%s, %s, 'EUR')",
                (kind, owner),
            )
        wallet, held = ("customer_wallet", A), ("customer_held", A)
        clearing, transit = (
            ("psp_clearing", SYSTEM["psp_clearing"]),
            ("payouts_in_transit", SYSTEM["payouts_in_transit"]),
        )
        house = ("house_revenue", SYSTEM["house_revenue"])
        conn.execute(
            "INSERT INTO deposits (id, account_id, amount, currency, psp, psp_reference, "
            "status) VALUES (%s, %s, 1000, 'EUR', 'stripe', 'pi_1', 'succeeded'), "
            "(%s, %s, 500, 'EUR', 'stripe', 'pi_2', 'pending')",
            (D1, A, D2, A),
        )
        _post(conn, "deposit", D1, [(*clearing, "debit", 1000), (*wallet, "credit", 1000)])
        conn.execute(
            "INSERT INTO holds (id, account_id, amount, currency, expires_at) VALUES "
            "(%s, %s, 300, 'EUR', now() + interval '1 hour'), "
            "(%s, %s, 50, 'EUR', now() + interval '1 hour')",
            (H1, A, H2, A),
        )
        _post(conn, "hold_place", H1, [(*wallet, "debit", 300), (*held, "credit", 300)])
        _post(conn, "hold_place", H2, [(*wallet, "debit", 50), (*held, "credit", 50)])
        _post(
            conn,
            "hold_burn",
            H1,
            [(*held, "debit", 300), (*house, "credit", 100), (*wallet, "credit", 200)],
        )
        conn.execute(
            "UPDATE holds SET status = 'burned', burned_amount = 100, "
            "released_amount = 200, resolved_at = now() WHERE id = %s",
            (H1,),
        )
        conn.execute(
            "INSERT INTO withdrawals (id, account_id, amount, currency, psp, psp_reference,"
            " status) VALUES (%s, %s, 200, 'EUR', 'stripe', 'po_1', 'paid'), "
            "(%s, %s, 100, 'EUR', 'stripe', 'po_2', 'in_transit')",
            (W1, A, W2, A),
        )
        _post(conn, "withdrawal", W1, [(*wallet, "debit", 200), (*transit, "credit", 200)])
        _post(conn, "payout_settled", W1, [(*transit, "debit", 200), (*clearing, "credit", 200)])
        _post(conn, "withdrawal", W2, [(*wallet, "debit", 100), (*transit, "credit", 100)])
        txn = _post(
            conn, "transfer", T1, [(*wallet, "debit", 150), ("customer_wallet", B, "credit", 150)]
        )
        conn.execute(
            "INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, "
            "transaction_id) VALUES (%s, %s, %s, 150, 'EUR', %s)",
            (T1, A, B, txn),
        )


@pytest.fixture
def books(pg_templates: Templates) -> Iterator[Database]:
    db = pg_templates.clone("properties-sql-books-v2", correct_books)
    try:
        yield db
    finally:
        db.drop()


def failing(dsn: str) -> set[str]:
    return {r.check.name for r in run_checks(dsn, REFERENCE_CHECKS) if not r.passed}


def behind_the_back(dsn: str, *statements: str) -> None:
    """Write what the platform's own guards would refuse: triggers and FKs off."""
    with psycopg.connect(dsn) as conn:
        conn.execute("SET session_replication_role = replica")
        for stmt in statements:
            conn.execute(stmt)  # type: ignore[arg-type]


def test_correct_books_pass_every_check(books: Database) -> None:
    results = run_checks(books.dsn, REFERENCE_CHECKS)
    assert [r.check.name for r in results] == [c.name for c in REFERENCE_CHECKS]
    assert [(r.check.name, r.error, r.sample) for r in results if not r.passed] == []


BREAKS = {
    "transaction_legs_balance": [
        f"INSERT INTO ledger_transactions (id, kind) VALUES ('{T1[:-1]}9', 'x')",
        "INSERT INTO ledger_entries (transaction_id, account_id, currency, direction, amount) "
        f"SELECT '{T1[:-1]}9', id, 'EUR', 'debit', 7 FROM ledger_accounts "
        "WHERE kind = 'house_revenue'",
    ],
    "ledger_sums_to_zero": [
        f"UPDATE ledger_accounts SET balance = balance + 1 WHERE owner = '{B}' "
        "AND kind = 'customer_wallet'"
    ],
    "leg_currency_is_account_currency": [
        "UPDATE ledger_entries SET currency = 'USD' WHERE transaction_id = "
        f"(SELECT id FROM ledger_transactions WHERE reference = '{T1}')"
    ],
    "no_negative_customer_balance": [
        "ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_no_overdraft",
        f"UPDATE ledger_accounts SET balance = -5 WHERE owner = '{B}' AND kind = 'customer_held'",
    ],
    "held_equals_pending_holds": [
        "INSERT INTO holds (id, account_id, amount, currency, expires_at) VALUES "
        f"('{H2[:-1]}9', '{B}', 10, 'EUR', now())"
    ],
    "hold_resolution_adds_up": [
        "ALTER TABLE holds DROP CONSTRAINT holds_resolution_adds_up",
        f"UPDATE holds SET released_amount = 150 WHERE id = '{H1}'",
    ],
    "customer_has_wallet_and_held": [
        f"INSERT INTO accounts (id, owner_ref, currency) VALUES ('{B[:-1]}9', 'carol', 'EUR')"
    ],
    "holds_posted_to_ledger": [f"UPDATE holds SET ledger_posted = false WHERE id = '{H2}'"],
    "hold_ledger_matches_record": [
        f"UPDATE holds SET status = 'released', released_amount = 50, resolved_at = now() "
        f"WHERE id = '{H2}'"
    ],
    "hold_resolved_at_most_once": [
        f"INSERT INTO ledger_transactions (id, kind, reference) VALUES "
        f"('{T1[:-1]}8', 'hold_release', '{H1}')"
    ],
    "burned_amount_reached_house": [
        f"UPDATE holds SET burned_amount = 90, released_amount = 210 WHERE id = '{H1}'"
    ],
    "deposit_credited_once": [f"UPDATE deposits SET amount = 1001 WHERE id = '{D1}'"],
    "withdrawal_ledger_matches_status": [
        f"UPDATE withdrawals SET status = 'failed' WHERE id = '{W2}'"
    ],
    "payouts_in_transit_match_withdrawals": [
        f"UPDATE withdrawals SET status = 'paid' WHERE id = '{W2}'"
    ],
    "money_in_system": [
        f"UPDATE deposits SET status = 'failed' WHERE id = '{D2}'",
        f"UPDATE withdrawals SET amount = 201 WHERE id = '{W1}'",
    ],
    "transfer_posted": [f"UPDATE transfers SET amount = 151 WHERE id = '{T1}'"],
    "balance_matches_entries": [
        f"UPDATE ledger_accounts SET balance = balance + 1 WHERE owner = '{B}' "
        "AND kind = 'customer_wallet'"
    ],
}


def test_every_reference_check_has_a_break() -> None:
    assert set(BREAKS) == {c.name for c in REFERENCE_CHECKS}


@pytest.mark.parametrize("check", sorted(BREAKS))
def test_each_check_finds_its_break(books: Database, check: str) -> None:
    behind_the_back(books.dsn, *BREAKS[check])
    found = failing(books.dsn)
    assert check in found, f"{check} did not notice; failing: {sorted(found)}"


def test_a_failing_check_keeps_a_sample_and_names_itself(books: Database) -> None:
    behind_the_back(books.dsn, *BREAKS["deposit_credited_once"])
    [result] = run_checks(
        books.dsn, [c for c in REFERENCE_CHECKS if c.name == "deposit_credited_once"]
    )
    assert result.rows == 1
    assert result.sample[0]["id"] == D1
    assert result.sample[0]["credited"] == 1000
    [v] = violations([result])
    assert v.check == "deposit_credited_once"
    assert "1 rows" in v.subject


def test_checks_cannot_write(books: Database) -> None:
    deleting = SqlCheck(
        "deleting",
        f"WITH gone AS (DELETE FROM holds WHERE id = '{H2}' RETURNING id) SELECT * FROM gone",
    )
    bumping = SqlCheck(
        "bumping", "SELECT setval(pg_get_serial_sequence('ledger_entries', 'id'), 999999)"
    )
    results = run_checks(books.dsn, [deleting, bumping])
    assert all(r.error is not None for r in results)
    assert "read-only" in str(results[1].error)
    with psycopg.connect(books.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM holds WHERE id = %s", (H2,)).fetchone() == (1,)
        last = conn.execute("SELECT last_value FROM ledger_entries_id_seq").fetchone()
        assert last is not None
        assert last[0] < 999999


def test_a_query_that_fails_is_reported_and_the_others_still_run(books: Database) -> None:
    broken = SqlCheck("broken", "SELECT * FROM no_such_table")
    results = run_checks(books.dsn, [broken, REFERENCE_CHECKS[0]])
    assert results[0].error is not None
    assert "no_such_table" in results[0].error
    assert results[1].passed
    assert [v.check for v in violations(results)] == ["broken"]


# -- configuration ----------------------------------------------------------------------------
def test_configured_queries_replace_defaults_and_disable_drops(tmp_path: Path) -> None:
    path = tmp_path / "golive.toml"
    path.write_text(
        "[invariants]\n"
        'disable = ["money_in_system"]\n'
        "statement_timeout_ms = 5000\n"
        "[invariants.queries]\n"
        'transfer_posted = "SELECT 1 WHERE false"\n'
        'orphan_legs = "SELECT id FROM ledger_entries WHERE transaction_id IS NULL;"\n'
    )
    inv = load_config(path).invariants
    names = [c.name for c in select_checks(inv)]
    assert "money_in_system" not in names
    assert "orphan_legs" in names
    assert {c.name: c.query for c in select_checks(inv)}[
        "transfer_posted"
    ] == "SELECT 1 WHERE false"
    assert inv.statement_timeout_ms == 5000


def test_only_configured_queries_without_defaults(tmp_path: Path) -> None:
    path = tmp_path / "golive.toml"
    path.write_text('[invariants]\nuse_defaults = false\n[invariants.queries]\nmine = "SELECT 1"\n')
    assert [c.name for c in select_checks(load_config(path).invariants)] == ["mine"]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[invariants.queries]\nbad = "DELETE FROM holds"\n', "must be one SELECT"),
        ('[invariants.queries]\nbad = "SELECT 1; DROP TABLE holds"\n', "more than one statement"),
        ('[invariants.queries]\n"Bad Name" = "SELECT 1"\n', "not a check name"),
        ('[invariants]\nuse_defaults = "yes"\n', "true or false"),
        ('[invariants]\ndisable = "money_in_system"\n', "list of check names"),
        ("[invariants]\nstatement_timeout_ms = -1\n", "must not be negative"),
        ("[invariants]\nunknown = 1\n", "not a golive setting"),
    ],
)
def test_bad_configuration_is_refused(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "golive.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=complaint):
        load_config(path)


def test_disabling_an_unknown_check_names_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "golive.toml"
    path.write_text('[invariants]\ndisable = ["no_such_check"]\n')
    with pytest.raises(ConfigError, match=r"'no_such_check'.*money_in_system"):
        select_checks(load_config(path).invariants)


def test_validate_query_accepts_with_select() -> None:
    validate_query("ok_check", "WITH x AS (SELECT 1 AS a) SELECT a FROM x WHERE a > 1;")
