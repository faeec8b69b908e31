"""What names a promise: scenarios by their Gherkin tags, properties by their mapping.

A scenario tagged ``@P-idem-1`` (on the scenario or its feature) checks that promise; a
property lists its promises in golive.properties.promises. Both are read, never run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.parser import FeatureParser
from pytest_bdd.scenario import make_python_name

from golive.errors import ConfigError
from golive.promises.contract import PROMISE_ID
from golive.properties.promises import PROMISES as PROPERTY_PROMISES


@dataclass(frozen=True)
class Check:
    """A scenario or a property, with the promises it names."""

    kind: str  # "scenario" or "property"
    name: str  # the scenario's name, or the property test's
    path: str  # the feature file or property module, relative to the suite root
    line: int
    promises: tuple[str, ...]
    tags: frozenset[str] = frozenset()  # a scenario's tags, without the promise ids
    parts: tuple[str, ...] = ()  # a property's parts (rules, bursts, anomaly kinds) named
    # a scenario's test name as pytest names each of its examples (the example's values)
    examples: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.path}: {self.name}"


def scenarios(root: Path) -> list[Check]:
    """Every scenario of the suite's features/, in file and line order."""
    found = []
    base = root / "features"
    for path in sorted(base.rglob("*.feature")):
        rel = path.relative_to(root).as_posix()
        try:
            feature = FeatureParser(str(path.parent), path.name).parse()
        except Exception as exc:  # the Gherkin parser's own errors, one line
            raise ConfigError(f"{rel}: not a feature file: {' '.join(str(exc).split())}") from None
        for sc in feature.scenarios.values():
            tags = set(sc.tags) | set(feature.tags)
            rows = [tuple(row) for ex in sc.examples for row in ex.examples] or [()]
            test = f"test_{make_python_name(sc.name)}"
            examples = [f"{test}[{'-'.join(row)}]" if row else test for row in rows]
            found.append(
                Check(
                    kind="scenario",
                    name=sc.name,
                    path=rel,
                    line=sc.line_number,
                    promises=tuple(sorted(t for t in tags if PROMISE_ID.fullmatch(t))),
                    tags=frozenset(t for t in tags if not PROMISE_ID.fullmatch(t)),
                    examples=tuple(examples),
                )
            )
    return found


def property_tests(root: Path) -> dict[str, tuple[str, int]]:
    """The property tests of the suite's properties/: test name → (module path, line)."""
    found = {}
    for path in sorted((root / "properties").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found[node.name] = (path.relative_to(root).as_posix(), node.lineno)
    return found


def properties(root: Path) -> list[Check]:
    """Every property test, with the promises its parts name (golive.properties.promises)."""
    found = []
    for name, (path, line) in property_tests(root).items():
        parts = PROPERTY_PROMISES.get(name, {})
        named = sorted({p for ids in parts.values() for p in ids})
        found.append(Check("property", name, path, line, tuple(named), parts=tuple(parts)))
    return found


def parts_naming(check: Check, promise: str) -> list[str]:
    """The parts of a property that name ``promise``."""
    parts = PROPERTY_PROMISES.get(check.name, {})
    return [part for part, ids in parts.items() if promise in ids]


def all_checks(root: Path) -> list[Check]:
    return scenarios(root) + properties(root)
