from __future__ import annotations

from datetime import UTC, datetime

from golive.envcheck import check_environment

REGISTER = """\
go_live: 2025-12-26T12:00:00Z
waivers:
  - finding: stripe-test-key:STRIPE_SECRET_KEY
    risk: high
    owner: DevOps
    deadline: T+72h
    mitigation: Rotate to the live key.
"""
TEST_KEY = {"STRIPE_SECRET_KEY": "sk_test_51Habcdefghijkl"}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_no_findings_is_ready(write_env) -> None:  # type: ignore[no-untyped-def]
    report = check_environment("production", write_env())
    assert report.ready
    assert int(report.exit_code) == 0
    assert report.outcomes == ()


def test_an_unwaived_finding_is_not_ready(write_env) -> None:  # type: ignore[no-untyped-def]
    report = check_environment("production", write_env(TEST_KEY))
    assert not report.ready
    assert int(report.exit_code) == 1
    assert [(o.finding.id, o.status) for o in report.outcomes] == [
        ("stripe-test-key:STRIPE_SECRET_KEY", "open")
    ]


def test_a_waiver_holds_until_its_deadline_and_then_fails(write_env, write_register) -> None:  # type: ignore[no-untyped-def]
    env, reg = write_env(TEST_KEY), write_register(REGISTER)
    before = check_environment("production", env, reg, now=_at("2025-12-29T11:59:59"))
    assert before.ready
    assert [o.status for o in before.outcomes] == ["waived"]
    at = check_environment("production", env, reg, now=_at("2025-12-29T12:00:00"))
    assert not at.ready
    assert [o.status for o in at.outcomes] == ["waiver-expired"]
    assert at.outcomes[0].waiver is not None
    assert at.outcomes[0].waiver.line == 3


def test_a_date_deadline_covers_the_whole_day(write_env, write_register) -> None:  # type: ignore[no-untyped-def]
    reg = write_register(REGISTER.replace("T+72h", "2025-12-29"))
    env = write_env(TEST_KEY)
    assert check_environment("production", env, reg, now=_at("2025-12-29T23:59:59")).ready
    assert not check_environment("production", env, reg, now=_at("2025-12-30T00:00:00")).ready


def test_a_waiver_for_another_finding_does_not_help(write_env, write_register) -> None:  # type: ignore[no-untyped-def]
    env = write_env({"ADYEN_API_KEY": None})
    report = check_environment("production", env, write_register(REGISTER), now=_at("2025-12-27"))
    assert not report.ready
    assert [(o.finding.id, o.status) for o in report.outcomes] == [
        ("secret-missing:ADYEN_API_KEY", "open")
    ]
    assert [w.code for w in report.warnings] == ["waiver-unmatched"]
    assert "line 3" in report.warnings[0].message


def test_a_waiver_that_matches_nothing_is_only_a_warning(write_env, write_register) -> None:  # type: ignore[no-untyped-def]
    report = check_environment(
        "production", write_env(), write_register(REGISTER), now=_at("2026-06-01")
    )
    assert report.ready
    assert [w.code for w in report.warnings] == ["waiver-unmatched"]
    assert "expired 2025-12-29T12:00:00Z" in report.warnings[0].message


def test_a_typo_in_the_finding_id_gets_a_hint(write_env, write_register) -> None:  # type: ignore[no-untyped-def]
    reg = write_register(REGISTER.replace("stripe-test-key:", "stripe-tst-key:"))
    report = check_environment("production", write_env(TEST_KEY), reg, now=_at("2025-12-27"))
    assert not report.ready
    assert "no check is called 'stripe-tst-key'" in report.warnings[0].message


def test_closed_waivers_are_ignored(write_env, write_register) -> None:  # type: ignore[no-untyped-def]
    reg = write_register(REGISTER + "    status: closed\n")
    report = check_environment("production", write_env(TEST_KEY), reg, now=_at("2025-12-27"))
    assert [o.status for o in report.outcomes] == ["open"]
    assert report.warnings == ()


def test_a_waiver_understating_the_risk_is_a_warning(write_env, write_register) -> None:  # type: ignore[no-untyped-def]
    reg = write_register(REGISTER.replace("risk: high", "risk: medium"))
    report = check_environment("production", write_env(TEST_KEY), reg, now=_at("2025-12-27"))
    assert report.ready
    assert [w.code for w in report.warnings] == ["waiver-risk-understated"]


def test_json_never_holds_a_secret_value(write_env, write_register) -> None:  # type: ignore[no-untyped-def]
    import json

    values = {
        "STRIPE_SECRET_KEY": "sk_test_SECRETPART1234",
        "STRIPE_WEBHOOK_SECRET": "whsec_SECRETPARTabcdefghijklmnop",
        "ADYEN_API_KEY": "SECRETPART_adyen",
        "DATABASE_URL": "postgresql://app:SECRETPARTpw@db/bank",
    }
    report = check_environment(
        "production", write_env(values), write_register(REGISTER), now=_at("2025-12-27")
    )
    text = json.dumps(report.to_json())
    assert "SECRETPART" not in text
    states = {v["name"]: v for v in report.to_json()["variables"]}
    assert states["ADYEN_API_KEY"]["fingerprint"].startswith("sha256:")
    assert [f["id"] for f in report.to_json()["findings"]] == [
        "stripe-test-key:STRIPE_SECRET_KEY",
        "database-no-tls:DATABASE_URL",
    ]


def test_duplicate_variables_are_a_warning(write_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = write_env()
    env.write_text(env.read_text() + "ADYEN_API_KEY=again_a_fake_value\n")
    report = check_environment("production", env)
    assert report.ready
    assert [w.code for w in report.warnings] == ["duplicate-variable"]
