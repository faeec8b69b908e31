"""Failing examples: kept in the evidence with their reproduce blob, and replayed from it.

Hypothesis reports a failing state-machine run as notes on the exception: the steps, then
``@reproduce_failure('<version>', b'<blob>')``. ``run_machine`` saves those (with the seed
and the profile) as evidence and re-raises. To replay, set
``GOLIVE_HYPOTHESIS_REPRODUCE=<test name>:<blob>`` (several separated by commas) and run
the same test: the blob, not the seed, then decides every step.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hypothesis
from hypothesis import reproduce_failure, settings
from hypothesis.reporting import with_reporter
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

REPRODUCE_ENV = "GOLIVE_HYPOTHESIS_REPRODUCE"
BLOB = re.compile(r"@reproduce_failure\('([^']+)', b'([^']*)'\)")


@dataclass(frozen=True)
class FailingExample:
    test: str
    steps: list[str]
    version: str | None
    blob: str | None
    error: str
    seed: object
    profile: str

    def text(self) -> str:
        lines = [
            f"Failing example of {self.test} (profile {self.profile}, seed {self.seed})",
            "",
            f"error: {self.error}",
            "",
            "steps:",
        ]
        lines += [f"    {s}" for s in self.steps] or ["    (none recorded)"]
        if self.blob:
            lines += [
                "",
                f"reproduce blob (hypothesis {self.version}): {self.blob}",
                "",
                "replay:",
                f"    {REPRODUCE_ENV}='{self.test}:{self.blob}' "
                f"golive run --suite properties -k {self.test}",
            ]
        return "\n".join(lines)


def failing_example(exc: BaseException, *, test: str, seed: object, profile: str) -> FailingExample:
    notes = [line for n in getattr(exc, "__notes__", []) for line in str(n).splitlines()]
    steps = _steps(notes)
    found = next((m for n in notes if (m := BLOB.search(n))), None)
    return FailingExample(
        test=test,
        steps=steps,
        version=found.group(1) if found else None,
        blob=found.group(2) if found else None,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        seed=seed,
        profile=profile,
    )


def _steps(notes: list[str]) -> list[str]:
    """The failing program: from "Failing test case" to ``state.teardown()``, draws included."""
    start = next((i for i, n in enumerate(notes) if n.startswith("Failing test case")), None)
    if start is None:
        return []
    end = next((i for i in range(start, len(notes)) if notes[i].strip() == "state.teardown()"),
               len(notes) - 1)  # fmt: skip
    return [n for n in notes[start : end + 1] if n.strip()]


def wanted_blob(test: str, env: dict[str, str] | None = None) -> str | None:
    """The blob ``GOLIVE_HYPOTHESIS_REPRODUCE`` names for ``test``, if any."""
    raw = (os.environ if env is None else env).get(REPRODUCE_ENV, "")
    for item in raw.split(","):
        name, _, blob = item.strip().partition(":")
        if name == test and blob:
            base64.b64decode(blob, validate=True)  # a mangled blob fails here, not deep inside
            return blob
    return None


def run_machine(
    factory: Callable[[], RuleBasedStateMachine],
    *,
    test: str,
    settings_: settings,
    seed: object = None,
    profile: str = "ci",
    on_failure: Callable[[FailingExample], Any] | None = None,
) -> None:
    """Run the state machine; on failure hand the example to ``on_failure``, then re-raise."""
    run: Any = factory
    blob = wanted_blob(test)
    if blob:
        run = reproduce_failure(hypothesis.__version__, blob.encode())(lambda: factory())
    reported: list[str] = []  # a replay reports its steps here instead of as notes
    try:
        with with_reporter(lambda text: reported.append(str(text))):
            run_state_machine_as_test(run, settings=settings_)
    except BaseException as exc:
        notes = getattr(exc, "__notes__", [])
        for line in "\n".join(reported).splitlines():
            if line not in notes:
                exc.add_note(line)
        if on_failure is not None and isinstance(exc, Exception):
            on_failure(failing_example(exc, test=test, seed=seed, profile=profile))
        raise
