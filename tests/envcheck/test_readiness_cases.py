"""The checker on made-up environments: one test per former features/env scenario, with its
assertions (the env feature now checks the target's own environment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.envcheck.env_case import EnvScenario, value_of_kind

EXPIRING_WAIVER = """\
go_live: 2025-12-26T12:00:00Z
waivers:
  - finding: stripe-test-key:STRIPE_SECRET_KEY
    risk: high
    owner: DevOps
    deadline: T+72h
    mitigation: Rotate to the live key immediately.
"""


def test_a_correctly_configured_production_environment_is_ready(tmp_path: Path) -> None:
    case = EnvScenario(tmp_path)
    case.check("production")
    case.expect_ready(True)
    case.expect_findings({})
    case.expect_no_secret_shown()


@pytest.mark.parametrize(
    ("variable", "kind", "finding", "risk"),
    [
        ("STRIPE_SECRET_KEY", "a test-mode key", "stripe-test-key:STRIPE_SECRET_KEY", "high"),
        ("STRIPE_SECRET_KEY", "a publishable key", "stripe-key-form:STRIPE_SECRET_KEY", "high"),
        ("STRIPE_WEBHOOK_SECRET", "a secret of the wrong form",
         "webhook-secret-form:STRIPE_WEBHOOK_SECRET", "high"),
        ("STRIPE_WEBHOOK_SECRET", "a placeholder",
         "secret-placeholder:STRIPE_WEBHOOK_SECRET", "high"),
        ("ADYEN_API_KEY", "an empty value", "secret-missing:ADYEN_API_KEY", "high"),
        ("ADYEN_HMAC_KEY", "a key that is not hex", "adyen-hmac-key-form:ADYEN_HMAC_KEY", "high"),
        ("DATABASE_URL", "a SQLite file", "database-sqlite:DATABASE_URL", "high"),
        ("DATABASE_URL", "a database URL without TLS", "database-no-tls:DATABASE_URL", "high"),
    ],
)  # fmt: skip
def test_each_problem_is_a_finding(
    tmp_path: Path, variable: str, kind: str, finding: str, risk: str
) -> None:
    case = EnvScenario(tmp_path)
    case.set(variable, value_of_kind(kind)[0])
    case.check("production")
    case.expect_ready(False)
    case.expect_findings({finding: (risk, "open")})
    case.expect_no_secret_shown()


def test_a_required_secret_that_is_not_set_at_all_is_a_finding(tmp_path: Path) -> None:
    case = EnvScenario(tmp_path)
    case.set("ADYEN_HMAC_KEY", None)
    case.check("production")
    case.expect_ready(False)
    case.expect_findings({"secret-missing:ADYEN_HMAC_KEY": ("high", "open")})


def test_a_waived_finding_is_accepted_until_its_deadline(tmp_path: Path) -> None:
    case = EnvScenario(tmp_path)
    case.set("STRIPE_SECRET_KEY", value_of_kind("a test-mode key")[0])
    case.register = EXPIRING_WAIVER
    case.check("production", "2025-12-28T09:00:00Z")
    case.expect_ready(True)
    case.expect_waived("stripe-test-key:STRIPE_SECRET_KEY", "2025-12-29T12:00:00Z", "DevOps")
    case.expect_no_secret_shown()


def test_a_waiver_past_its_deadline_fails_the_check(tmp_path: Path) -> None:
    case = EnvScenario(tmp_path)
    case.set("STRIPE_SECRET_KEY", value_of_kind("a test-mode key")[0])
    case.register = EXPIRING_WAIVER
    case.check("production", "2025-12-29T12:00:00Z")
    case.expect_ready(False)
    case.expect_findings({"stripe-test-key:STRIPE_SECRET_KEY": ("high", "waiver-expired")})


def test_a_waiver_that_matches_no_finding_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    case = EnvScenario(tmp_path)
    case.register = (
        "waivers:\n  - finding: secret-missing:ADYEN_API_KEY\n    risk: high\n"
        "    owner: DevOps\n    deadline: 2025-12-27\n    mitigation: Inject the real secret.\n"
    )
    case.check("production", "2025-12-27T09:00:00Z")
    case.expect_ready(True)
    case.expect_warning("waiver-unmatched", "waiver on line 2 ")


@pytest.mark.parametrize(
    ("entry", "line", "field"),
    [
        ("  - finding: secret-missing:ADYEN_API_KEY\n    risk: high\n"
         "    deadline: 2025-12-27\n    mitigation: Inject the real secret.\n", 2, "owner"),
        ("  - finding: database-sqlite:DATABASE_URL\n    risk: low\n    owner: DevOps\n"
         "    mitigation: Accepted for this simulation environment.\n", 2, "deadline"),
        ("  - finding: stripe-test-key:STRIPE_SECRET_KEY\n    risk: medium\n    owner: DevOps\n"
         "    deadline: 29/12/2025\n    mitigation: Rotate to the live key immediately.\n",
         5, "deadline"),
    ],
    ids=["without-owner", "without-deadline", "unreadable-date"],
)  # fmt: skip
def test_a_bad_waiver_is_refused_naming_line_and_field(
    tmp_path: Path, entry: str, line: int, field: str
) -> None:
    case = EnvScenario(tmp_path)
    case.register = "waivers:\n" + entry
    case.check("production")
    case.expect_refusal("waivers.yaml", line, field)
