"""Promise coverage: every promise of the platform contract is named by a scenario or a
property (or listed as a known gap), every name is a promise, and docs/promises.md is the
matrix as it is now. New promises cannot land untested."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from golive.errors import ConfigError
from golive.promises import build, load, stale, to_markdown
from golive.promises.checks import Check, property_tests
from golive.promises.contract import parse
from golive.promises.detection import selected
from golive.promises.gaps import GAPS
from golive.properties import ANOMALY_KINDS, OPERATIONS, LedgerMachine
from golive.properties.promises import PROMISES as PROPERTY_PROMISES
from golive.run.suites import SUITES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def matrix():  # type: ignore[no-untyped-def]
    return build(ROOT)


def test_every_promise_is_checked_or_a_listed_gap(matrix) -> None:  # type: ignore[no-untyped-def]
    untested = set(matrix.untested)
    assert not untested - set(GAPS), (
        f"promises no scenario or property names: {sorted(untested - set(GAPS))}; tag the "
        "scenario that checks it (@P-…) or name it in golive.properties.promises"
    )
    assert not set(GAPS) - untested, (
        f"listed as gaps but checked now (take them out of golive.promises.gaps): "
        f"{sorted(set(GAPS) - untested)}"
    )


def test_gaps_are_promises_of_the_contract() -> None:
    assert set(GAPS) <= set(load(ROOT)), sorted(set(GAPS) - set(load(ROOT)))


def test_every_name_is_a_promise_of_the_contract(matrix) -> None:  # type: ignore[no-untyped-def]
    assert matrix.unknown == (), f"tags or property entries naming no promise: {matrix.unknown}"


def test_the_property_mapping_names_real_properties_and_parts() -> None:
    tests = property_tests(ROOT)
    assert set(PROPERTY_PROMISES) <= set(tests), sorted(set(PROPERTY_PROMISES) - set(tests))
    machine = PROPERTY_PROMISES["test_ledger_machine"]
    assert [r for r in machine if not callable(getattr(LedgerMachine, r, None))] == []
    assert set(PROPERTY_PROMISES["test_same_key_at_once"]) <= set(OPERATIONS)
    assert set(PROPERTY_PROMISES["test_bank_workload"]) <= set(ANOMALY_KINDS)


def test_docs_promises_is_the_matrix_as_it_is_now(matrix) -> None:  # type: ignore[no-untyped-def]
    assert not stale(ROOT, matrix), "docs/promises.md is stale: run `golive promises --write`"


def test_the_matrix_shows_every_promise_and_its_checks(matrix) -> None:  # type: ignore[no-untyped-def]
    text = to_markdown(matrix)
    for row in matrix.rows:
        assert f"| {row.promise.id} |" in text
    assert "A settlement notification delivered several times" in text
    assert "hold-overdraft (tests/detection/test_canary_detection.py)" in text


# -- the contract's ids ---------------------------------------------------------------------
DOC = """
openapi: 3.1.0
info:
  description: |
    [P-a-1] One thing holds. [P-a-2] Another
    thing holds; over two lines.

    Not a promise.
paths:
  /x:
    post:
      operationId: doX
      description: "[P-b-1] X happens once ([P-a-1])."
"""


def test_a_statement_runs_from_its_id_to_the_next_id_or_paragraph() -> None:
    found = parse(DOC)
    assert list(found) == ["P-a-1", "P-a-2", "P-b-1"]
    assert found["P-a-1"].text == "One thing holds."
    assert found["P-a-2"].text == "Another thing holds; over two lines."
    assert (found["P-b-1"].text, found["P-b-1"].where) == ("X happens once", "doX")


def test_an_id_stated_twice_is_refused() -> None:
    with pytest.raises(ConfigError, match="states P-a-1 twice"):
        parse(DOC.replace("[P-b-1]", "[P-a-1]"))


# -- the detection tests' selections, as pytest makes them -------------------------------------
# One collection of features/ in a subprocess: for each -k expression, what pytest's own
# keyword matching selects; and what carries the promise mark.
COLLECT = """
import json, sys
import pytest
from _pytest.mark import KeywordMatcher
from _pytest.mark.expression import Expression
found = {}
class Selections:
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        for expr in json.loads(sys.argv[1]):
            chosen = Expression.compile(expr)
            found[expr] = [i.nodeid for i in items if chosen.evaluate(KeywordMatcher.from_item(i))]
        found["promise"] = [i.nodeid for i in items if i.get_closest_marker("promise")]
pytest.main(["-p", "no:cacheprovider", "--collect-only", "-q", "features"], plugins=[Selections()])
print("SELECTIONS " + json.dumps(found))
"""


def _pytest_selects(expressions: list[str]) -> dict[str, set[tuple[str, str]]]:
    """(feature folder, test function) of what pytest selects, by expression."""
    proc = subprocess.run(
        [sys.executable, "-c", COLLECT, json.dumps(expressions)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    line = next((x for x in proc.stdout.splitlines() if x.startswith("SELECTIONS ")), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    found = json.loads(line.removeprefix("SELECTIONS "))
    return {expr: {_scenario(node) for node in nodes} for expr, nodes in found.items()}


def _scenario(nodeid: str) -> tuple[str, str]:
    """(feature folder, test function) of a pytest node id."""
    module, test = nodeid.split("::")[:2]
    return Path(module).parent.as_posix(), test.split("[")[0]


def _ours(checks: list[Check]) -> set[tuple[str, str]]:
    return {(Path(c.path).parent.as_posix(), c.examples[0].split("[")[0]) for c in checks}


def test_detection_selections_and_promise_marks_are_what_pytest_collects(matrix) -> None:  # type: ignore[no-untyped-def]
    """Each suite detection case's -k, read here, selects the scenarios pytest selects; and
    every scenario tagged with a promise carries the promise mark."""
    cases = {(d.selection, d.suite) for d in matrix.detections if d.suite}
    assert len(cases) >= 15, cases
    scenarios = [c for c in matrix.checks if c.kind == "scenario"]
    seen = _pytest_selects(sorted({expr for expr, _ in cases}))
    for expr, suite in cases:
        folders = SUITES[suite]
        mine = _ours(selected(expr, [c for c in scenarios if c.path.startswith(folders)]))
        theirs = {s for s in seen[expr] if s[0].startswith(folders)}
        assert mine == theirs, (expr, suite)
    assert _ours([c for c in scenarios if c.promises]) == seen["promise"]
