"""Hypercare probes: the stuck-jobs check and the daily reconciliation, on the scenario's clock."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from pytest_bdd import given, parsers, then, when

from golive.canary.world import CanaryWorld
from golive.evidence import attach
from golive.ops.scenario import Hypercare
from golive.stack import Stack


@given("the hypercare watch starts now", target_fixture="hypercare")
def given_hypercare_watch(world: CanaryWorld, stack: Stack, tmp_path: Path) -> Hypercare:
    return Hypercare.start(world, stack.platform_url, stack.psp_url, tmp_path)


@given("the payment provider will lose every webhook from now on")
def given_webhooks_lost(world: CanaryWorld) -> None:
    world.psp.set_faults(drop_webhooks=1.0)


@when("the payment provider confirms the payout late")
def when_payout_confirmed_late(hypercare: Hypercare, world: CanaryWorld) -> None:
    hypercare.hold_until_late()
    world.settle_payouts()


@when("a day passes at the payment provider")
def when_a_day_passes(hypercare: Hypercare) -> None:
    hypercare.a_day_passes()


def _stuck_evidence(hypercare: Hypercare) -> None:
    if hypercare.stuck is not None:
        attach("stuck-jobs.json", json.dumps(hypercare.stuck.to_json(), indent=2), "json")


@then("the stuck-jobs check finds no stuck finance job")
def then_nothing_stuck(hypercare: Hypercare) -> None:
    hypercare.check_stuck()
    _stuck_evidence(hypercare)
    hypercare.expect_nothing_stuck()


@then(parsers.parse("the stuck-jobs check {hours:d} hours into the day finds no stuck finance job"))
def then_nothing_stuck_yet(hypercare: Hypercare, hours: int) -> None:
    hypercare.check_stuck(at=hypercare.real_start + timedelta(hours=hours))
    _stuck_evidence(hypercare)
    hypercare.expect_nothing_stuck()


@then("the stuck-jobs check reports the payout as stuck and raises the alarm")
def then_payout_stuck(hypercare: Hypercare) -> None:
    hypercare.check_stuck()
    _stuck_evidence(hypercare)
    hypercare.expect_payout_stuck()


def _reports_evidence(hypercare: Hypercare) -> None:
    kinds = {".md": "md", ".html": "html", ".csv": "csv"}
    for path in hypercare.reports:
        attach(path.name, path, kinds[path.suffix])


@when("the day is reconciled")
def when_day_reconciled(hypercare: Hypercare) -> None:
    hypercare.reconcile()
    _reports_evidence(hypercare)


@then("every line of the day is matched")
def then_all_matched(hypercare: Hypercare) -> None:
    hypercare.expect_all_mine_matched()


@then(parsers.parse("reconciliation reports {status} for the {what}"))
def then_reconciliation_reports(hypercare: Hypercare, status: str, what: str) -> None:
    hypercare.expect_status(status, what)


@then("reconciliation fails so that cron raises the alarm")
def then_reconciliation_alarm(hypercare: Hypercare) -> None:
    hypercare.expect_alarm()
