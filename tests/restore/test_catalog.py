"""The schema comparison finds every kind of difference a restore could introduce."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from golive.drills.restore.catalog import schema_diff, schema_of, unlogged_tables
from golive.postgres import Database, Instance, create_database
from tests.restore.conftest import SCHEMA


@pytest.fixture
def pair(server: Instance) -> Iterator[tuple[Database, Database]]:
    a, b = create_database(server), create_database(server)
    for db in (a, b):
        server.execute(SCHEMA, db.name)
    yield a, b
    a.drop()
    b.drop()


def diff(server: Instance, a: Database, b: Database) -> dict[str, str]:
    with server.connect(a.name) as ca, server.connect(b.name) as cb:
        return {v.subject: v.detail for v in schema_diff(schema_of(ca), schema_of(cb))}


def test_identical_schemas_have_no_difference(
    server: Instance, pair: tuple[Database, Database]
) -> None:
    a, b = pair
    assert diff(server, a, b) == {}
    with server.connect(a.name) as conn:
        schema = schema_of(conn)
    kinds = {key.split()[0] for key in schema}
    assert {"relation", "column", "constraint", "index", "trigger", "function", "sequence"} <= kinds


@pytest.mark.parametrize(
    ("change", "subject", "words"),
    [
        ("DROP INDEX ledger_entries_account", "index ledger_entries_account", "missing"),
        (
            "ALTER TABLE ledger_entries ALTER amount TYPE numeric",
            "column ledger_entries.amount",
            "numeric",
        ),
        (
            "ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_no_overdraft",
            "constraint ledger_accounts.ledger_accounts_no_overdraft",
            "missing",
        ),
        (
            "ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_apply",
            "trigger ledger_entries.ledger_entries_apply",
            "enabled=D",
        ),
        ("ALTER TABLE ledger_entries SET UNLOGGED", "relation ledger_entries", "UNLOGGED"),
        ("CREATE TABLE extra (id int)", "relation extra", "not in the source"),
        (
            "ALTER TABLE ledger_entries ALTER currency DROP NOT NULL",
            "column ledger_entries.currency",
            "not null",
        ),
        (
            "CREATE OR REPLACE FUNCTION ledger_apply_entry() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RETURN NULL; END $$",
            "function ledger_apply_entry()",
            "source has",
        ),
        (
            "ALTER TABLE ledger_accounts ALTER balance SET DEFAULT 1",
            "column ledger_accounts.balance",
            "default 1",
        ),
    ],
)
def test_a_difference_is_found_and_named(
    server: Instance, pair: tuple[Database, Database], change: str, subject: str, words: str
) -> None:
    a, b = pair
    server.execute(change, b.name)
    found = diff(server, a, b)
    assert subject in found, found
    assert words in found[subject]


def test_unlogged_tables_are_listed(server: Instance, pair: tuple[Database, Database]) -> None:
    a, _ = pair
    with server.connect(a.name) as conn:
        assert unlogged_tables(schema_of(conn)) == []
    server.execute("ALTER TABLE ledger_entries SET UNLOGGED", a.name)
    with server.connect(a.name) as conn:
        assert unlogged_tables(schema_of(conn)) == ["ledger_entries"]
