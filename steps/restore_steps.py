"""Backups, disasters and restores: thin steps over golive.drills.restore.scenario.

A drill whose target lacks an operation it needs (or the [target] database to read) is
skipped naming it: the verdict is INCONCLUSIVE, never GO.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from pytest_bdd import given, parsers, then, when

from golive.drills.restore.checks import Check
from golive.drills.restore.scenario import TRAFFIC_AFTER, Books, DrillScenario
from golive.operations import OperationNotConfigured

BooksOf = Callable[[int, int], Books]
BOOKS = "{accounts:d} customers and {transfers:d} transfers made through its API"


@contextlib.contextmanager
def skipped_when_not_configured() -> Iterator[None]:
    try:
        yield
    except OperationNotConfigured as exc:
        pytest.skip(str(exc))


@given(parsers.parse("a primary database holding the platform's books: " + BOOKS))
def given_primary_with_books(
    restore_scenario: DrillScenario, books_of: BooksOf, accounts: int, transfers: int
) -> None:
    with skipped_when_not_configured():
        restore_scenario.require_target()
        restore_scenario.primary_with_books(books_of(accounts, transfers), archive=False)


@given(parsers.parse(
    "a primary database that archives its write-ahead log, holding the platform's books: " + BOOKS
))  # fmt: skip
def given_archiving_primary_with_books(
    restore_scenario: DrillScenario, books_of: BooksOf, accounts: int, transfers: int
) -> None:
    with skipped_when_not_configured():
        restore_scenario.require_target()
        restore_scenario.primary_with_books(books_of(accounts, transfers), archive=True)


@given("the backup the operator named")
def given_operator_backup(restore_scenario: DrillScenario) -> None:
    with skipped_when_not_configured():
        restore_scenario.target.require("use_database", database=True)
        restore_scenario.operator_backup()


@given("the primary has been backed up with a logical dump")
@when("the primary is backed up with a logical dump")
def when_logical_backup(restore_scenario: DrillScenario) -> None:
    restore_scenario.logical_backup()


@given("a base backup of the primary has been taken and verified")
def given_base_backup(restore_scenario: DrillScenario) -> None:
    restore_scenario.base_backup()


@given("customers keep moving money after the backup")
def given_traffic(restore_scenario: DrillScenario) -> None:
    restore_scenario.keep_moving_money()


@given("a recovery point has been marked")
@when("a recovery point is marked just before the disaster")
def when_recovery_point(restore_scenario: DrillScenario) -> None:
    restore_scenario.mark_recovery_point()


@given("the dump was cut short when the backup disk filled up")
def given_dump_cut_short(restore_scenario: DrillScenario) -> None:
    restore_scenario.cut_dump_short()


@given("a write-ahead log segment written after the backup is missing from the archive")
def given_wal_segment_lost(restore_scenario: DrillScenario, lost_segment: list[str]) -> None:
    lost_segment.append(restore_scenario.lose_wal_segment())


@given("a file of the full backup was damaged in the repository")
def given_backup_file_damaged(restore_scenario: DrillScenario, damaged: list[str]) -> None:
    damaged.append(restore_scenario.corrupt_backup_file())


@given("the configuration the restore reads has a wrong passphrase for the repository")
def given_wrong_passphrase(restore_scenario: DrillScenario) -> None:
    restore_scenario.forget_passphrase()


@when("disaster strikes and the primary is lost")
def when_disaster(restore_scenario: DrillScenario) -> None:
    restore_scenario.disaster()


@when("customers go on moving money until disaster strikes and the primary is lost")
def when_disaster_under_traffic(restore_scenario: DrillScenario) -> None:
    restore_scenario.disaster(after_transfers=TRAFFIC_AFTER)


@when("the dump is restored into a fresh server")
@when("the base backup is recovered into a fresh server up to the recovery point")
@when("it is restored into a throwaway server")
def when_restored(restore_scenario: DrillScenario) -> None:
    restore_scenario.restore()


@then("the restored schema is the primary's, object for object")
def then_schema_equal(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect(Check.SCHEMA)


@then("every table holds exactly the rows it held when the backup was taken")
@then("every table holds exactly the rows it held at the recovery point")
def then_rows_equal(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect(Check.ROWS)


@then("the restored database passes the storage integrity check")
def then_storage_intact(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect(Check.STORAGE, Check.BASE_BACKUP_VERIFIED)


@then("the ledger invariants hold on the restored database")
def then_invariants_hold(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect_invariants()


@then("a canary money loop passes against the restored database")
def then_canary_passes(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect_canary()


@then("the recovery time and the data lost are within their targets")
@then("the restore time is within the recovery time target")
def then_within_targets(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect_targets()


@then("the drill ends NO-GO and names the damaged dump")
def then_no_go_naming_dump(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect_no_go(naming=restore_scenario.dump_name)


@then("the drill ends NO-GO and names the missing write-ahead log segment")
def then_no_go_naming_segment(restore_scenario: DrillScenario, lost_segment: list[str]) -> None:
    restore_scenario.expect_no_go(naming=lost_segment[0])


@then("the drill ends NO-GO and names the damaged backup")
def then_no_go_naming_backup(restore_scenario: DrillScenario, damaged: list[str]) -> None:
    restore_scenario.expect_no_go(naming=damaged[0])


@then("the drill ends NO-GO and names the wrong passphrase")
def then_no_go_naming_passphrase(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect_no_go(naming="passphrase")


@then("nothing was left half-restored")
def then_nothing_half_restored(restore_scenario: DrillScenario) -> None:
    restore_scenario.expect_nothing_half_restored()
