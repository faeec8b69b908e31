"""Environment readiness: the environment the target runs with, its profile, its waivers."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from golive.config import Config
from golive.envcheck.scenario import AREAS, TargetEnvCheck, TargetEnvironment
from golive.evidence import attach, register_secret
from golive.stack import Stack


@given("the environment the target runs with", target_fixture="env_check")
def given_target_environment(stack: Stack, golive_config: Config) -> TargetEnvCheck:
    where = TargetEnvironment.of(golive_config, env_file=stack.env_file)
    return TargetEnvCheck(where, golive_config)


@when("it is checked against the target's profile and waiver register")
def when_target_env_checked(env_check: TargetEnvCheck) -> None:
    report = env_check.run()
    for value in env_check.secrets:
        register_secret(value)
    attach(f"env-check-{report.profile}.json", env_check.outputs[1], "json")


@then(parsers.re(rf"no (?P<area>{'|'.join(AREAS)}) finding is open$"))
def then_area_clear(env_check: TargetEnvCheck, area: str) -> None:
    env_check.expect_area_clear(area)


@then("no finding is accepted on a waiver past its deadline")
def then_no_expired_waiver(env_check: TargetEnvCheck) -> None:
    env_check.expect_no_expired_waiver()


@then("no secret value is shown, only fingerprints")
def then_no_secret_shown(env_check: TargetEnvCheck) -> None:
    env_check.expect_no_secret_shown()
