"""The three roots of golive.errors decide a scenario's verdict: a platform fault (and the one
ExpectationFailed) is NO-GO, a harness fault (Inconclusive) or a configuration error is
INCONCLUSIVE. And no error class is left that nothing raises or builds on."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import golive.errors as errors
from golive.evidence import dsse

from .conftest import only_run

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raised", "code", "verdict"),
    [
        ("ExpectationFailed('the balance is 90 EUR, expected 100 EUR')", 1, "NO-GO"),
        ("GateFailed('p99 latency over the target')", 1, "NO-GO"),
        ("Inconclusive('seeding funded no wallet')", 3, "INCONCLUSIVE"),
        ("ConfigError('no docker here')", 3, "INCONCLUSIVE"),
    ],
)
def test_the_root_of_a_raised_error_decides_the_verdict(
    pytester: pytest.Pytester, raised: str, code: int, verdict: str
) -> None:
    pytester.makepyfile(
        **{
            "properties/test_root": (
                f"import golive.errors as errors\ndef test_scenario():\n    raise errors.{raised}\n"
            )
        }
    )
    result = pytester.runpytest("--golive-evidence=on", "-p", "no:cacheprovider")
    assert result.ret == code
    manifest = json.loads((only_run(pytester.path) / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == verdict


def test_expectation_failed_is_a_platform_fault_and_an_assertion() -> None:
    exc = errors.ExpectationFailed("x")
    assert isinstance(exc, errors.PlatformFault)
    assert isinstance(exc, AssertionError)
    assert exc.exit_code is errors.ExitCode.NO_GO


def test_an_envelope_error_is_in_the_tree_not_a_bare_value_error() -> None:
    assert dsse.EnvelopeError is errors.EnvelopeError
    assert issubclass(errors.EnvelopeError, errors.GoLiveError)
    assert not issubclass(errors.EnvelopeError, ValueError)


def _error_classes() -> list[str]:
    return [
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.GoLiveError)
    ]


def _used_names() -> set[str]:
    """Names raised (`raise X(...)`) or subclassed (`class Y(X)`) anywhere in golive's code."""
    used: set[str] = set()
    folders = ("src/golive", "steps", "features", "fixtures", "properties")
    files = [p for f in folders for p in (ROOT / f).rglob("*.py")] + [ROOT / "conftest.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc
                targets.append(exc.func if isinstance(exc, ast.Call) else exc)
            elif isinstance(node, ast.ClassDef):
                targets.extend(node.bases)
            for target in targets:
                if isinstance(target, ast.Name):
                    used.add(target.id)
                elif isinstance(target, ast.Attribute):
                    used.add(target.attr)
    return used


def test_every_error_class_is_raised_or_built_on() -> None:
    used = _used_names()
    unused = [name for name in _error_classes() if name not in used]
    assert unused == []


def test_one_expectation_failed_class() -> None:
    defined = []
    for folder in ("src", "steps", "tests", "fixtures", "properties"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            defined += [
                path
                for n in ast.walk(tree)
                if isinstance(n, ast.ClassDef)
                and n.name in ("ExpectationFailed", "DrillExpectation")
            ]
    assert defined == [ROOT / "src/golive/errors.py"]
