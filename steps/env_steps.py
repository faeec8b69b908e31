"""Environment readiness: an environment file, a waiver register, and what the check says."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from golive.envcheck.scenario import EnvScenario, value_of_kind
from golive.evidence import attach, register_secret


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "env: environment readiness scenarios (features/env)")


@given(
    "a production environment with live keys, real webhook secrets and a TLS database",
    target_fixture="env_case",
)
def given_good_environment(tmp_path: Path) -> EnvScenario:
    case = EnvScenario(tmp_path)
    for value in case.secret_values:
        register_secret(value)
    return case


@given(parsers.re(r"(?P<name>[A-Z_]+) is set to (?P<kind>(?:a|an) .+)$"))
def given_variable_value(env_case: EnvScenario, name: str, kind: str) -> None:
    value, secret = value_of_kind(kind)
    if secret:
        register_secret(value)
    env_case.set(name, value)


@given(parsers.parse("{name} is not set"))
def given_variable_unset(env_case: EnvScenario, name: str) -> None:
    env_case.set(name, None)


@given("the waiver register:")
def given_waiver_register(env_case: EnvScenario, docstring: str) -> None:
    env_case.register = docstring + "\n"


@when(
    parsers.re(
        r"the environment is checked against the (?P<profile>\w+) profile(?: at (?P<now>\S+))?$"
    )
)
def when_env_checked(env_case: EnvScenario, profile: str, now: str | None) -> None:
    env_case.check(profile, now)
    if env_case.report is not None:
        attach(f"env-check-{profile}.json", env_case.outputs[1], "json")


@then("the environment is ready")
def then_env_ready(env_case: EnvScenario) -> None:
    env_case.expect_ready(True)


@then("the environment is not ready")
def then_env_not_ready(env_case: EnvScenario) -> None:
    env_case.expect_ready(False)


@then("no finding is reported")
def then_no_finding(env_case: EnvScenario) -> None:
    env_case.expect_findings({})


@then(
    parsers.re(
        r'the only finding is "(?P<finding>[^"]+)" with (?P<risk>\w+) risk'
        r"(?P<expired>, its waiver expired)?$"
    )
)
def then_only_finding(env_case: EnvScenario, finding: str, risk: str, expired: str | None) -> None:
    env_case.expect_findings({finding: (risk, "waiver-expired" if expired else "open")})


@then(parsers.parse('"{finding}" is waived until {until} by {owner}'))
def then_finding_waived(env_case: EnvScenario, finding: str, until: str, owner: str) -> None:
    env_case.expect_waived(finding, until, owner)


@then(parsers.parse("the check warns that the waiver on line {line:d} matches no finding"))
def then_unmatched_warning(env_case: EnvScenario, line: int) -> None:
    env_case.expect_warning("waiver-unmatched", f"waiver on line {line} ")


@then("no secret value is shown, only fingerprints")
def then_no_secret_shown(env_case: EnvScenario) -> None:
    env_case.expect_no_secret_shown()


@then(
    parsers.parse(
        'the check refuses the waiver register, naming line {line:d} and the field "{name}"'
    )
)
def then_register_refused(env_case: EnvScenario, line: int, name: str) -> None:
    env_case.expect_refusal("waivers.yaml", line, name)
