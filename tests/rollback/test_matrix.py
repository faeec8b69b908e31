"""The rollback matrix is built from the feature files, one row per scenario and example."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.drills.rollback.matrix import Result, build_matrix, row_key
from golive.errors import ConfigError

FEATURE = """\
@rollback
Feature: PSP failover
  Background:
    Given a funded wallet

  @psp_failover
  Scenario Outline: <primary> fails and traffic moves to <secondary> and back
    Failure: the primary payment provider <primary> answers every request with an error
    Rollback: route deposits and payouts back to <primary> once it recovers
    Given the steady state holds
    When <primary> fails
    Then deposits go to <secondary>
    When traffic is routed back to <primary>
    Then no payout was made twice
    And the steady state is back

    Examples:
      | primary | secondary |
      | stripe  | adyen     |
      | adyen   | stripe    |
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def test_one_row_per_example_with_placeholders_filled(tmp_path: Path) -> None:
    matrix = build_matrix(write(tmp_path, "failover.feature", FEATURE))
    assert [r.scenario for r in matrix.rows] == [
        "stripe fails and traffic moves to adyen and back",
        "adyen fails and traffic moves to stripe and back",
    ]
    first = matrix.rows[0]
    assert first.drill == "PSP failover"
    assert (
        first.failure == "the primary payment provider stripe answers every request with an error"
    )
    assert first.rollback == "route deposits and payouts back to stripe once it recovers"
    # only the Then steps after the last When: the checks after the rollback
    assert first.checks == ("no payout was made twice", "the steady state is back")
    assert first.tags == ("psp_failover", "rollback")


def test_markdown_and_html_carry_every_row_and_the_results(tmp_path: Path) -> None:
    matrix = build_matrix(write(tmp_path, "failover.feature", FEATURE))
    key = row_key("failover.feature", "stripe fails and traffic moves to adyen and back")
    results = {key: Result("completed", 1.234)}
    md = matrix.to_markdown(results)
    assert md.count("\n| **PSP failover**") == 2
    assert "completed, rolled back in 1.23 s" in md
    assert "not run" in md  # the adyen row has no result
    page = matrix.to_html(results)
    assert page.count("<tr>") == 3
    assert "http" not in page  # self-contained
    assert "&lt;" not in page
    assert "stripe fails" in page


def test_a_scenario_without_its_failure_or_rollback_line_is_refused(tmp_path: Path) -> None:
    text = FEATURE.replace(
        "    Rollback: route deposits and payouts back to <primary> once it recovers\n", ""
    )
    with pytest.raises(ConfigError, match=r"failover.feature:7: .* does not say its Rollback"):
        build_matrix(write(tmp_path, "failover.feature", text))


def test_a_scenario_without_closing_checks_is_refused(tmp_path: Path) -> None:
    text = FEATURE.replace(
        "    Then no payout was made twice\n    And the steady state is back\n", ""
    )
    with pytest.raises(ConfigError, match="ends without Then steps"):
        build_matrix(write(tmp_path, "failover.feature", text))


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no feature files"):
        build_matrix(tmp_path)


def test_the_rollback_features_make_a_complete_matrix() -> None:
    features = Path(__file__).resolve().parents[2] / "features" / "rollback"
    matrix = build_matrix(features)
    drills = {r.feature for r in matrix.rows}
    assert drills == {
        "release_rollback.feature",
        "failed_upgrade.feature",
        "webhooks_during_switch.feature",
        "psp_failover.feature",
        "kill_switch.feature",
    }
    for row in matrix.rows:
        assert row.failure
        assert row.rollback
        assert any("steady state is back" in c for c in row.checks), row
        assert any("within the rollback time target" in c for c in row.checks), row
