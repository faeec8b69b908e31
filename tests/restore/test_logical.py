"""Logical backups: a round trip restores every row, and a damaged dump never half-restores."""

from __future__ import annotations

from pathlib import Path

from golive.drills.restore.catalog import schema_diff, schema_of
from golive.drills.restore.checksums import compare_sums, table_sums
from golive.drills.restore.logical import (
    check_dump,
    dump_database,
    relation_count,
    restore_dump,
    sha256_of,
    sidecar,
    write_sidecar,
)
from golive.drills.restore.reference import take_reference
from golive.postgres import Instance, create_database


def test_dump_and_restore_round_trip(server: Instance, ledger_db: str, tmp_path: Path) -> None:
    dest = tmp_path / "ledger.dump"
    reference, dump = take_reference(
        server,
        ledger_db,
        alongside=lambda snap: dump_database(server, ledger_db, dest, snapshot=snap),
    )
    assert dump is not None
    assert dump.size == dest.stat().st_size > 0
    assert sidecar(dest).read_text().split()[0] == sha256_of(dest) == dump.sha256
    assert check_dump(dest, server) == []
    target = create_database(server)
    try:
        run = restore_dump(server, dest, target.name)
        assert run.ok, run.describe()
        restored = table_sums(lambda: server.connect(target.name))
        assert compare_sums(reference.tables, restored) == []
        with server.connect(target.name) as conn:
            assert schema_diff(reference.schema, schema_of(conn)) == []
    finally:
        target.drop()


def test_a_truncated_dump_restores_nothing(
    server: Instance, ledger_db: str, tmp_path: Path
) -> None:
    """Cut short by a full disk, with a checksum of the short file: pg_restore fails, and
    the restore, one transaction, leaves the target empty."""
    dest = tmp_path / "cut.dump"
    dump_database(server, ledger_db, dest)
    data = dest.read_bytes()
    dest.write_bytes(data[: int(len(data) * 0.7)])
    write_sidecar(dest, sha256_of(dest))
    target = create_database(server)
    try:
        run = restore_dump(server, dest, target.name)
        assert not run.ok
        assert run.stderr.strip(), "pg_restore says why"
        assert relation_count(server, target.name) == 0, "a partial restore was left behind"
    finally:
        target.drop()


def test_a_dump_that_changed_after_it_was_written_is_refused(
    server: Instance, ledger_db: str, tmp_path: Path
) -> None:
    dest = tmp_path / "ledger.dump"
    dump_database(server, ledger_db, dest)
    assert check_dump(dest, server) == []
    data = dest.read_bytes()
    dest.write_bytes(data[: len(data) // 2])  # the recorded checksum is of the whole file
    problems = check_dump(dest, server)
    assert any("sha256" in p and "recorded" in p for p in problems), problems


def test_not_a_dump_at_all(server: Instance, tmp_path: Path) -> None:
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"this is not a pg_dump archive\n" * 10)
    problems = check_dump(junk, server)
    assert any("table of contents" in p for p in problems), problems
    assert check_dump(tmp_path / "absent.dump", server) == [
        f"{str(tmp_path / 'absent.dump')!r} does not exist or is not a file"
    ]
