"""fixtures/properties.py in child sessions: the seed options and the profile switch."""

from __future__ import annotations

import re

import pytest

from golive.properties.profiles import BUDGETS, PROFILE_ENV

ARGS = ("-p", "fixtures.properties", "-p", "no:cacheprovider", "-p", "no:golive_evidence")

SEED_TEST = """
def test_seed(property_run):
    cfg = property_run.bank_config()
    print("SEED", property_run.seed, cfg.seed, property_run.hypothesis_seed)
    assert cfg.seed == property_run.seed
    assert (cfg.workers, cfg.ops_per_worker) == ({workers}, {ops})
"""


def write_seed_test(pytester: pytest.Pytester, profile: str) -> None:
    """The seed test, expecting the bank workload budget of ``profile``."""
    budget = BUDGETS[profile]
    pytester.makepyfile(SEED_TEST.format(workers=budget.workers, ops=budget.ops_per_worker))


def seeds(result: pytest.RunResult) -> list[str]:
    found = re.search(r"SEED (\S+) (\S+) (\S+)", result.stdout.str())
    assert found, result.stdout.str()
    return list(found.groups())


def test_golive_seed_drives_the_workload_and_hypothesis_seed_is_kept(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PROFILE_ENV, raising=False)
    write_seed_test(pytester, "ci")
    res = pytester.runpytest_inprocess(
        *ARGS, "-s", "--golive-seed", "4242", "--hypothesis-seed", "4242"
    )
    res.assert_outcomes(passed=1)
    assert seeds(res) == ["4242", "4242", "4242"]


def test_without_a_seed_one_is_drawn(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PROFILE_ENV, raising=False)
    write_seed_test(pytester, "ci")
    first = pytester.runpytest_inprocess(*ARGS, "-s")
    second = pytester.runpytest_inprocess(*ARGS, "-s")
    first.assert_outcomes(passed=1)
    assert seeds(first)[2] == "None"
    assert seeds(first)[0] != seeds(second)[0]


def test_the_thorough_profile_raises_the_budget(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, "thorough")
    write_seed_test(pytester, "thorough")
    pytester.runpytest_inprocess(*ARGS, "-s", "--golive-seed", "1").assert_outcomes(passed=1)


def test_an_unknown_profile_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROFILE_ENV, "fastest")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    res = pytester.runpytest_inprocess(*ARGS)
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    assert "'fastest' is not a properties profile" in res.stderr.str()
