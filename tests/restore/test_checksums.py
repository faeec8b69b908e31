"""Checksums: the same rows in any order give the same sum; any change in the rows does not."""

from __future__ import annotations

import threading
import time

import pytest

from golive.drills.restore import checksums
from golive.drills.restore.checksums import TableSum, compare_sums, table_sums
from golive.drills.restore.reference import frozen_point, take_reference
from golive.postgres import Instance, create_database


def sums(server: Instance, db: str) -> dict[str, TableSum]:
    return table_sums(lambda: server.connect(db))


def test_row_order_does_not_matter(server: Instance, ledger_db: str) -> None:
    before = sums(server, ledger_db)
    # rewrite every table in another physical order: same rows, new order on disk
    server.execute("CLUSTER ledger_entries USING ledger_entries_account", ledger_db)
    server.execute(
        "CREATE TABLE copy AS SELECT * FROM ledger_accounts ORDER BY random()", ledger_db
    )
    copy = sums(server, ledger_db)["copy"]
    assert copy.rows == before["ledger_accounts"].rows
    assert copy.digest == before["ledger_accounts"].digest
    after = sums(server, ledger_db)
    assert after["ledger_entries"] == before["ledger_entries"]


def test_same_rows_loaded_in_reverse_order_give_the_same_sum(server: Instance) -> None:
    a, b = create_database(server), create_database(server)
    try:
        for db, order in ((a.name, "ASC"), (b.name, "DESC")):
            server.execute("CREATE TABLE t (k int, v text, at timestamptz)", db)
            server.execute(
                "INSERT INTO t SELECT g, md5(g::text), "
                "timestamptz '2024-01-01' + g * interval '1h' "
                f"FROM generate_series(1, 500) g ORDER BY g {order}",
                db,
            )
        assert sums(server, a.name) == sums(server, b.name)
    finally:
        a.drop()
        b.drop()


def test_any_change_to_the_rows_changes_the_sum(server: Instance) -> None:
    db = create_database(server)
    try:
        server.execute("CREATE TABLE t (k int, v bigint)", db.name)
        server.execute("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)", db.name)
        base = sums(server, db.name)["t"]  # regclass text: unqualified on the search path
        seen = {base.digest}
        for change in (
            "UPDATE t SET v = 21 WHERE k = 2",  # one value
            "UPDATE t SET v = CASE k WHEN 1 THEN 20 WHEN 2 THEN 10 ELSE v END",  # swapped values
            "INSERT INTO t VALUES (1, 20)",  # a duplicated row
            "DELETE FROM t WHERE k = 3",
        ):
            server.execute(change, db.name)
            now = sums(server, db.name)["t"]
            assert now.digest not in seen, change
            seen.add(now.digest)
    finally:
        db.drop()


def test_a_duplicate_is_not_the_same_as_a_missing_row(server: Instance) -> None:
    """Sums, not XOR: two copies of a row must not cancel out."""
    db = create_database(server)
    try:
        server.execute("CREATE TABLE t (k int)", db.name)
        server.execute("INSERT INTO t VALUES (1), (2), (2), (3)", db.name)
        dup = sums(server, db.name)["t"]
        server.execute("DELETE FROM t WHERE k = 2", db.name)
        server.execute("INSERT INTO t VALUES (4), (4)", db.name)
        other = sums(server, db.name)["t"]
        assert dup.rows == other.rows == 4
        assert dup.digest != other.digest
    finally:
        db.drop()


def test_compare_names_the_table_and_what_differs() -> None:
    want = {
        "public.a": TableSum("public.a", 3, "x" * 32),
        "public.b": TableSum("public.b", 2, "y" * 32),
    }
    got = {
        "public.a": TableSum("public.a", 0, "0" * 32),
        "public.c": TableSum("public.c", 1, "z" * 32),
    }
    found = {
        (v.subject, v.detail.split(" —")[0]) for v in compare_sums(want, got, unlogged=["public.a"])
    }
    assert ("public.a", "0 rows restored, 3 at the recovery point") in found
    assert ("public.b", "missing from the restored database") in found
    assert any(s == "public.c" for s, _ in found)
    text = " ".join(v.detail for v in compare_sums(want, got, unlogged=["public.a"]))
    assert "UNLOGGED" in text
    same = {"public.a": TableSum("public.a", 3, "x" * 32)}
    assert compare_sums(same, dict(same)) == []
    changed = compare_sums(same, {"public.a": TableSum("public.a", 3, "q" * 32)})
    assert len(changed) == 1
    assert "different contents" in changed[0].detail


def test_a_frozen_point_ignores_writes_that_come_after_it(server: Instance, ledger_db: str) -> None:
    """Writers keep writing; the snapshot shows the source exactly as at the point."""
    stop = threading.Event()
    writes = [0]

    def writer() -> None:
        with server.connect(ledger_db) as conn:
            while not stop.is_set():
                conn.execute("SELECT post(1, 2, 1)")
                writes[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with frozen_point(server, ledger_db) as point:
            frozen = table_sums(lambda: server.connect(ledger_db), snapshot=point.snapshot)
            before = writes[0]
            deadline = time.monotonic() + 60
            while writes[0] < before + 20 and time.monotonic() < deadline:
                time.sleep(0.01)  # writers are not held off after the point
            assert writes[0] >= before + 20, "writers were held off after the point"
            again = table_sums(lambda: server.connect(ledger_db), snapshot=point.snapshot)
        reference, _ = take_reference(server, ledger_db)
    finally:
        stop.set()
        thread.join()
    assert frozen == again
    live = sums(server, ledger_db)
    assert live["ledger_entries"].rows > frozen["ledger_entries"].rows
    assert reference.tables["ledger_entries"].rows >= frozen["ledger_entries"].rows + 40
    # legs come in pairs: a snapshot never shows half a transaction
    assert frozen["ledger_entries"].rows % 2 == 0


def test_block_ranges_add_up_to_the_whole_table(
    server: Instance, ledger_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut into block ranges over several readers, the sums are those of one whole scan."""
    whole = sums(server, ledger_db)
    monkeypatch.setattr(checksums, "CHUNK_PAGES", 1)
    server.execute("VACUUM ANALYZE", ledger_db)
    pages = server.execute(
        "SELECT relpages FROM pg_class WHERE relname = 'ledger_entries'", ledger_db
    )[0][0]
    assert int(str(pages)) > 2, "the table must span several blocks for this test"
    assert checksums.quiet_sums(lambda: server.connect(ledger_db), workers=3) == whole
