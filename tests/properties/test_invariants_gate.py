"""The end-of-suite SQL invariants gate (fixtures/invariants.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import fixtures.invariants as gate_module
from fixtures.invariants import GATE, check_books, gate_of
from golive.evidence import GateStatus
from golive.evidence.recorder import current
from golive.invariants.sql import SqlCheck, SqlCheckResult
from golive.postgres import Database, Templates
from golive.stack import PspWiring, Stack
from tests.properties.test_sql_invariants import BREAKS, correct_books

WIRING = PspWiring("http://127.0.0.1:1/stripe", "", [], "http://127.0.0.1:1/adyen", "", "")


def stack_on(dsn: str | None) -> Stack:
    return Stack("http://127.0.0.1:1", "http://127.0.0.1:2", WIRING, database_dsn=dsn)


def last_gate() -> object:
    gates = [g for g in current().gates if g.name == GATE]
    assert gates, "no gate was recorded"
    return gates[-1]


@pytest.fixture
def books(pg_templates: Templates) -> Iterator[Database]:
    db = pg_templates.clone("properties-sql-books-v2", correct_books)
    try:
        yield db
    finally:
        db.drop()


def result(rows: int = 0, error: str | None = None) -> SqlCheckResult:
    check = SqlCheck("c", "SELECT 1", "described")
    return SqlCheckResult(check, rows, [{"id": 1}] if rows else [], error)


def test_gate_status_from_results() -> None:
    assert gate_of([result(), result()])[0] is GateStatus.PASS
    status, value, reason = gate_of([result(), result(rows=2), result(error="boom")])
    assert status is GateStatus.FAIL
    assert value == "1 of 3 checks found violations"
    assert "c: 2 rows (described)" in reason
    status, _, reason = gate_of([result(), result(error="no such table")])
    assert status is GateStatus.NODATA
    assert "no such table" in reason
    assert "[invariants]" in reason
    assert gate_of([])[0] is GateStatus.NODATA


def test_correct_books_pass_the_gate(books: Database) -> None:
    check_books(stack_on(books.dsn))
    gate = last_gate()
    assert gate.status is GateStatus.PASS
    assert gate.critical


def test_broken_books_fail_the_gate(books: Database) -> None:
    with psycopg.connect(books.dsn) as conn:
        conn.execute("SET session_replication_role = replica")
        for stmt in BREAKS["deposit_credited_once"]:
            conn.execute(stmt)  # type: ignore[arg-type]
    check_books(stack_on(books.dsn))
    gate = last_gate()
    assert gate.status is GateStatus.FAIL
    assert "deposit_credited_once" in gate.reason


def test_no_database_is_no_data_and_not_critical() -> None:
    check_books(stack_on(None))
    gate = last_gate()
    assert gate.status is GateStatus.NODATA
    assert not gate.critical
    assert "GOLIVE_TARGET_DB" in gate.reason


def test_an_unreachable_database_is_no_data_not_a_crash() -> None:
    check_books(stack_on("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"))
    gate = last_gate()
    assert gate.status is GateStatus.NODATA
    assert gate.critical
    assert "could not run" in gate.reason


def test_the_check_runs_before_the_stack_is_torn_down(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = tmp_path / "order.log"
    monkeypatch.setattr(
        gate_module, "check_books", lambda s: log.open("a").write("checked books\n")
    )
    pytester.makeconftest(
        f"""
import pytest
from golive.stack import PspWiring, Stack

@pytest.fixture(scope="session")
def stack():
    yield Stack("http://x", "http://y", PspWiring("", "", [], "", "", ""), database_dsn=None)
    open({str(log)!r}, "a").write("stack torn down\\n")
"""
    )
    pytester.makepyfile("def test_one(stack):\n    pass\n\ndef test_two():\n    pass\n")
    res = pytester.runpytest_inprocess("-p", "fixtures.invariants", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=2)
    assert log.read_text().splitlines() == ["checked books", "stack torn down"]
