"""Which faults of refbank's catalogue the detection tests run each scenario and property
against, read from their matrices (tests/detection/test_*_detection.py), never run.

A suite's detection test selects scenarios with `golive run --suite S -k EXPR`; the
scenarios it exercises are those of suite S that EXPR selects, matched the way pytest's -k
matches (by test name, example values, tags and folders). The properties' detection test
names the property it runs by a short name (``machine``, ``workload``, ``bursts``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _pytest.mark.expression import Expression

from golive.errors import ConfigError
from golive.promises.checks import Check
from golive.run.suites import SUITES

DETECTION = Path("tests") / "detection"
CATALOGUE = Path("docs") / "faults.md"  # refbank's fault catalogue, one table row per fault
# the properties' detection matrix names a property test by what it runs
PROPERTY_NAMES = {
    "machine": "test_ledger_machine",
    "workload": "test_bank_workload",
    "bursts": "test_same_key_at_once",
}
SUITE_ARG = re.compile(r'"--suite",\s*"([a-z]+)"')


@dataclass(frozen=True)
class Detection:
    """One detection test case: refbank with ``fault`` on, run through ``checks``."""

    fault: str
    test: str  # the detection test module, relative to the suite root
    checks: tuple[str, ...]  # labels of the scenarios and properties it runs
    suite: str = ""  # `golive run --suite` of a scenario case ("" for a property case)
    selection: str = ""  # and its -k expression


def catalogue(root: Path) -> set[str]:
    """The fault names of refbank's catalogue (docs/faults.md)."""
    path = root / CATALOGUE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the fault catalogue ({exc.strerror})") from None
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, re.M))


def _constants(tree: ast.Module) -> dict[str, Any]:
    """The module's top-level names bound to literals (the matrices and their constants)."""
    found = {}
    for node in tree.body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and value is not None:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return found


def selected(expression: str, checks: list[Check]) -> list[Check]:
    """The scenarios among ``checks`` that `-k expression` selects (any of its examples)."""
    try:
        compiled = Expression.compile(expression)
    except SyntaxError as exc:  # pytest says what is wrong with the expression
        raise ConfigError(f"-k {expression!r} is not a selection: {exc}") from None
    chosen = []
    for check in checks:
        folders = Path(check.path).parts[:-1]
        for test in check.examples:
            names = [test, *folders, *check.tags]

            def match(word: str, /, **_: object) -> bool:
                return any(word.lower() in name.lower() for name in names)  # noqa: B023

            if compiled.evaluate(match):
                chosen.append(check)
                break
    return chosen


def _in_suite(suite: str, checks: list[Check]) -> list[Check]:
    if suite not in SUITES:
        raise ConfigError(f"a detection test runs --suite {suite!r}, which is not a suite")
    folders = SUITES[suite]
    return [c for c in checks if any(c.path.startswith(f"{f}/") for f in folders)]


def _property(short: str, checks: list[Check], where: str) -> str:
    name = PROPERTY_NAMES.get(short)
    found = [c.label for c in checks if c.kind == "property" and c.name == name]
    if not found:
        raise ConfigError(f"{where}: runs the property {short!r}, which names no property test")
    return found[0]


def cases(tree: ast.Module) -> Iterator[tuple[str, Any]]:
    """(fault, what the test runs with it): a matrix row, or the module's one FAULT."""
    consts = _constants(tree)
    for name in ("MATRIX", "NEW_CLASSES"):
        yield from (consts.get(name) or {}).items()
    if isinstance(consts.get("FAULT"), str) and isinstance(consts.get("SELECTION"), str):
        yield consts["FAULT"], (consts["SELECTION"],)


def detections(root: Path, checks: list[Check]) -> list[Detection]:
    """Every detection case of a refbank fault, with the checks it runs."""
    faults = catalogue(root)
    found = []
    for path in sorted((root / DETECTION).glob("test_*_detection.py")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        suite = SUITE_ARG.search(text)
        for fault, value in cases(ast.parse(text, str(path))):
            if fault not in faults:  # another platform's fault (the wallet example's)
                continue
            runs = (value,) if isinstance(value, str) else tuple(value)
            if suite or (len(runs) > 1 and str(runs[0]) in SUITES):
                # `--suite S` written in the test, or a row naming its own: (S, -k EXPR, …)
                name, expr = (suite.group(1), runs[0]) if suite else (str(runs[0]), runs[1])
                scope = _in_suite(name, [c for c in checks if c.kind == "scenario"])
                labels = tuple(c.label for c in selected(str(expr), scope))
                case = Detection(fault, rel, labels, name, str(expr))
            else:
                labels = tuple(_property(str(short), checks, rel) for short in runs)
                case = Detection(fault, rel, labels)
            if not labels:
                raise ConfigError(f"{rel}: the case of {fault!r} selects no scenario or property")
            found.append(case)
    return found
