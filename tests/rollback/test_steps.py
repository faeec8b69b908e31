"""Every step of the rollback features is bound to exactly one step definition, a drill one.

Step definitions share one namespace across the suite: a generic pattern elsewhere
("every deposit is {status}") would silently take over a drill's check and pass it
without looking. This test fails as soon as a drill step has a second taker.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.parser import FeatureParser

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "features" / "rollback"


def step_modules() -> list[str]:
    tree = ast.parse((ROOT / "conftest.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets
        ):
            return [str(name) for name in ast.literal_eval(node.value)]
    raise AssertionError("conftest.py has no pytest_plugins")


def step_definitions() -> list[tuple[str, Any]]:
    found = []
    for name in step_modules():
        module = importlib.import_module(name)
        for attr in dir(module):
            if attr.startswith("pytestbdd_stepdef_"):
                ctx = getattr(module, attr)._get_wrapped_function()()
                found.append((name, ctx))
    return found


def drill_steps() -> list[tuple[str, str, str]]:
    steps = []
    for path in sorted(FEATURES.glob("*.feature")):
        feature = FeatureParser(str(path.parent), path.name).parse()
        for template in feature.scenarios.values():
            contexts = [c for ex in template.examples for c in ex.as_contexts()] or [{}]
            for ctx in contexts:
                for step in template.render(ctx).steps:
                    steps.append((path.name, step.type, step.name))
    return steps


def test_the_rollback_step_module_is_registered() -> None:
    assert "steps.rollback_steps" in step_modules()


@pytest.mark.parametrize(("feature", "kind", "text"), sorted(set(drill_steps())))
def test_each_drill_step_has_exactly_one_definition(feature: str, kind: str, text: str) -> None:
    takers = [
        f"{module}.{ctx.step_func.__name__}"
        for module, ctx in step_definitions()
        if ctx.type in (None, kind) and ctx.parser.is_matching(text)
    ]
    assert len(takers) == 1, f"{feature}: {kind} {text!r} is matched by {takers}"
    assert takers[0].startswith("steps.rollback_steps."), takers
