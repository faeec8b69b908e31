"""Profiles, failing examples with their reproduce blobs, and replaying from a blob."""

from __future__ import annotations

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from golive.errors import ConfigError
from golive.properties.profiles import (
    BUDGETS,
    PROFILE_ENV,
    active_profile,
    budget,
    profile_settings,
)
from golive.properties.replay import (
    REPRODUCE_ENV,
    FailingExample,
    failing_example,
    run_machine,
    wanted_blob,
)

SEEN: list[int] = []


class Holder(RuleBasedStateMachine):
    """Fails on the second item of a bundle: its program has targets and draws."""

    items = Bundle("items")

    @initialize(target=items, data=st.data())
    def first(self, data: st.DataObject) -> int:
        return data.draw(st.integers(0, 3), label="first")

    @rule(target=items, item=items)
    def copy(self, item: int) -> int:
        assert item < 0, "copied"
        return item


class Counter(RuleBasedStateMachine):
    """Fails once the total reaches 15: Hypothesis finds it in a few examples."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    @rule(k=st.integers(0, 10))
    def add(self, k: int) -> None:
        SEEN.append(k)
        self.total += k

    @invariant()
    def small(self) -> None:
        assert self.total < 15, self.total


FAST = settings(max_examples=200, database=None, print_blob=True, deadline=None)


def capture() -> tuple[list[FailingExample], object]:
    found: list[FailingExample] = []
    return found, found.append


def test_a_failure_is_saved_with_steps_and_blob_then_raised() -> None:
    found, keep = capture()
    with pytest.raises(AssertionError):
        run_machine(Counter, test="counter", settings_=FAST, seed=42, profile="ci", on_failure=keep)
    [ex] = found
    assert ex.test == "counter"
    assert ex.blob
    assert any(step.startswith("state.add(") for step in ex.steps)
    assert ex.steps[0].startswith("Failing test case")
    assert ex.steps[-1] == "state.teardown()"
    assert "AssertionError" in ex.error
    text = ex.text()
    assert f"{REPRODUCE_ENV}='counter:{ex.blob}'" in text
    assert "seed 42" in text


def test_the_program_keeps_targets_and_draws() -> None:
    found, keep = capture()
    with pytest.raises(AssertionError):
        run_machine(Holder, test="holder", settings_=FAST, on_failure=keep)
    steps = found[0].steps
    assert any(s.startswith("items_0 = state.first(") for s in steps), steps
    assert any(s.startswith("Draw 1 (first)") for s in steps), steps
    assert any(".copy(item=items_0)" in s for s in steps), steps


def test_the_blob_replays_the_same_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    found, keep = capture()
    with pytest.raises(AssertionError):
        run_machine(Counter, test="counter", settings_=FAST, on_failure=keep)
    first = found[0]
    monkeypatch.setenv(REPRODUCE_ENV, f"other:AAAA,counter:{first.blob}")
    again, keep_again = capture()
    SEEN.clear()
    with pytest.raises(AssertionError):
        run_machine(Counter, test="counter", settings_=FAST, on_failure=keep_again)
    assert again[0].steps == first.steps
    added = [int(s.split("=")[1].rstrip(")")) for s in first.steps if s.startswith("state.add")]
    assert added == SEEN  # exactly the minimal example's steps, nothing generated


def test_wanted_blob_picks_the_test_and_refuses_garbage() -> None:
    env = {REPRODUCE_ENV: "a:QUJD, b:REVG"}
    assert wanted_blob("b", env) == "REVG"
    assert wanted_blob("c", env) is None
    with pytest.raises(ValueError, match=r"base64|Incorrect|Invalid"):
        wanted_blob("x", {REPRODUCE_ENV: "x:not*base64"})


def test_a_failure_without_notes_still_has_its_error() -> None:
    ex = failing_example(ValueError("plain"), test="t", seed=None, profile="ci")
    assert (ex.blob, ex.steps, ex.error) == (None, [], "ValueError: plain")
    assert "(none recorded)" in ex.text()


def test_a_passing_machine_calls_no_one() -> None:
    class Quiet(Counter):
        @invariant()
        def small(self) -> None:
            pass

    found, keep = capture()
    run_machine(Quiet, test="quiet", settings_=settings(FAST, max_examples=5), on_failure=keep)
    assert found == []


def test_profiles_are_chosen_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROFILE_ENV, raising=False)
    assert active_profile() == "ci"
    monkeypatch.setenv(PROFILE_ENV, "thorough")
    assert active_profile() == "thorough"
    assert budget() == BUDGETS["thorough"]
    s = profile_settings()
    assert s.max_examples == BUDGETS["thorough"].max_examples
    assert s.stateful_step_count == BUDGETS["thorough"].steps
    assert s.deadline is None
    assert profile_settings("ci", phases=[Phase.generate]).phases == (Phase.generate,)
    assert BUDGETS["ci"].max_examples < BUDGETS["thorough"].max_examples
    assert Phase.shrink in s.phases
    assert Phase.shrink not in profile_settings("ci").phases
    monkeypatch.setenv(PROFILE_ENV, "fast")
    with pytest.raises(ConfigError, match=r"'fast' is not a properties profile.*ci, thorough"):
        active_profile()
