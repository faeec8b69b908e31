"""The rollback matrix (which failure → which rollback action → which checks), from the features.

Each drill scenario says, in its description, the failure it rehearses and the rollback
action that answers it::

    Scenario: The new release goes wrong and is rolled back with money in flight
      Failure: the new release misbehaves after go-live with money in flight
      Rollback: switch the app back to the previous release, then downgrade the schema

The checks are the scenario's closing ``Then`` steps (those after its last ``When``).
Scenario outlines give one row per example, with the placeholders filled in. Features
are read with pytest-bdd's own parser, so the matrix shows exactly what runs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pytest_bdd.parser import FeatureParser, ScenarioTemplate, render_string

from golive.errors import ConfigError

FIELDS = {"failure": "Failure", "rollback": "Rollback"}
_LINE = re.compile(r"^\s*(Failure|Rollback)\s*:\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    feature: str  # the feature file's name
    drill: str  # the feature's title
    scenario: str
    failure: str
    rollback: str
    checks: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def key(self) -> str:
        return row_key(self.feature, self.scenario)


@dataclass(frozen=True)
class Result:
    """How a drill of the matrix went, from its journal."""

    status: str
    rollback_seconds: float | None

    def describe(self) -> str:
        secs = (
            ""
            if self.rollback_seconds is None
            else f", rolled back in {self.rollback_seconds:.2f} s"
        )
        return f"{self.status}{secs}"


@dataclass
class Matrix:
    rows: list[Row] = field(default_factory=list)

    def to_markdown(self, results: Mapping[str, Result] | None = None) -> str:
        results = results or {}
        cols = ["Drill", "Failure", "Rollback action", "Checks after the rollback"]
        if results:
            cols.append("Result")
        out = ["# Rollback matrix", "", "| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
        for r in self.rows:
            cells = [
                f"**{r.drill}**<br>{r.scenario}",
                r.failure,
                r.rollback,
                "<br>".join(f"• {c}" for c in r.checks),
            ]
            if results:
                res = results.get(r.key)
                cells.append(res.describe() if res else "not run")
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(out) + "\n"

    def to_html(self, results: Mapping[str, Result] | None = None) -> str:
        """A self-contained page (no external requests)."""
        results = results or {}
        e = html.escape
        head = ["Drill", "Failure", "Rollback action", "Checks after the rollback"]
        if results:
            head.append("Result")
        rows = []
        for r in self.rows:
            checks = "".join(f"<li>{e(c)}</li>" for c in r.checks)
            cells = [
                f"<b>{e(r.drill)}</b><br>{e(r.scenario)}",
                e(r.failure),
                e(r.rollback),
                f"<ul>{checks}</ul>",
            ]
            if results:
                res = results.get(r.key)
                cells.append(e(res.describe() if res else "not run"))
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        ths = "".join(f"<th>{e(h)}</th>" for h in head)
        style = (
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:.4em;vertical-align:top;text-align:left}"
            "ul{margin:0;padding-left:1.2em}"
        )
        return (
            "<!doctype html><html><head><meta charset='utf-8'><title>Rollback matrix</title>"
            f"<style>{style}</style></head><body><h1>Rollback matrix</h1><table>"
            f"<tr>{ths}</tr>{''.join(rows)}</table></body></html>\n"
        )


def row_key(feature: str, scenario: str) -> str:
    return f"{Path(feature).name}::{scenario}"


def build_matrix(features_dir: Path) -> Matrix:
    """Every scenario of every ``*.feature`` under ``features_dir``, in file order."""
    files = sorted(features_dir.glob("*.feature"))
    if not files:
        raise ConfigError(f"no feature files in {str(features_dir)!r} to build a matrix from")
    matrix = Matrix()
    for path in files:
        feature = FeatureParser(str(path.parent), path.name).parse()
        for template in feature.scenarios.values():
            matrix.rows.extend(_rows(path, feature.name, template))
    return matrix


def _rows(path: Path, drill: str, template: ScenarioTemplate) -> list[Row]:
    fields = _fields(template.description)
    missing = [FIELDS[k] for k in FIELDS if k not in fields]
    if missing:
        raise ConfigError(
            f"{path.name}:{template.line_number}: scenario {template.name!r} does not say its "
            f"{' and '.join(missing)}: add a line '{missing[0]}: …' under the Scenario line "
            "(the rollback matrix is built from these)"
        )
    contexts: list[dict[str, str]] = [
        ctx for examples in template.examples for ctx in examples.as_contexts()
    ] or [{}]
    rows = []
    for ctx in contexts:
        scenario = template.render(ctx)
        checks = _closing_thens([(s.type, s.name) for s in scenario.steps])
        if not checks:
            raise ConfigError(
                f"{path.name}:{template.line_number}: scenario {template.name!r} ends without "
                "Then steps after its last When: the matrix has no checks to show"
            )
        tags = tuple(sorted(template.tags | template.feature.tags))
        rows.append(
            Row(
                path.name,
                drill,
                scenario.name,
                render_string(fields["failure"], ctx),
                render_string(fields["rollback"], ctx),
                checks,
                tags,
            )
        )
    return rows


def _fields(description: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in description.splitlines():
        m = _LINE.match(line)
        if m:
            found[m.group(1).lower()] = m.group(2)
    return found


def _closing_thens(steps: list[tuple[str, str]]) -> tuple[str, ...]:
    last_when = max((i for i, (kind, _) in enumerate(steps) if kind == "when"), default=-1)
    return tuple(name for kind, name in steps[last_when + 1 :] if kind == "then")
