"""Template clones: migrated once, each clone isolated from its template and its siblings,
and close() drops exactly what it created."""

from __future__ import annotations

from golive.postgres import Database, Instance, Templates, create_database, drop_database


def databases(inst: Instance) -> set[str]:
    return {str(r[0]) for r in inst.execute("SELECT datname FROM pg_database")}


def test_clone_is_isolated_from_template_and_siblings(instance: Instance) -> None:
    calls: list[str] = []

    def migrate(dsn: str) -> None:
        calls.append(dsn)
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE wallet(id int PRIMARY KEY, minor bigint NOT NULL)")
            conn.execute("INSERT INTO wallet VALUES (1, 1000)")

    keep = create_database(instance)  # not made by the Templates below: must survive close()
    templates = Templates(instance)
    try:
        a = templates.clone("wallets", migrate)
        b = templates.clone("wallets", migrate)
        assert len(calls) == 1, "the template is migrated once, not per clone"
        assert a.name != b.name

        instance.execute("INSERT INTO wallet VALUES (2, 5)", a.name)
        instance.execute("UPDATE wallet SET minor = 0 WHERE id = 1", b.name)
        assert instance.execute("SELECT id, minor FROM wallet ORDER BY id", a.name) == [
            (1, 1000),
            (2, 5),
        ]
        assert instance.execute("SELECT id, minor FROM wallet ORDER BY id", b.name) == [(1, 0)]

        # the template itself was not touched by either clone
        c = templates.clone("wallets", migrate)
        assert instance.execute("SELECT id, minor FROM wallet ORDER BY id", c.name) == [(1, 1000)]
        template = templates.template("wallets", migrate)
        flags = instance.execute(
            f"SELECT datistemplate, datallowconn FROM pg_database WHERE datname = '{template}'"
        )
        assert flags == [(True, False)]
        made = {a.name, b.name, c.name, template}
        assert made <= databases(instance)
    finally:
        templates.close()
    try:
        left = databases(instance)
        assert not made & left, "close() drops every database it created"
        assert keep.name in left, "close() never drops a database it did not create"
    finally:
        drop_database(instance, keep.name)


def test_fresh_db_fixture_gives_an_empty_database(fresh_db: Database) -> None:
    fresh_db.instance.execute("CREATE TABLE scratch(x int)", fresh_db.name)
    assert fresh_db.instance.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", fresh_db.name
    ) == [(1,)]


def test_fresh_db_fixture_does_not_see_other_tests(fresh_db: Database) -> None:
    assert fresh_db.instance.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", fresh_db.name
    ) == [(0,)]
