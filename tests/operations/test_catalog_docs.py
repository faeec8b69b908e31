"""docs/operations-hooks.md describes every operation of the catalog and every placeholder,
with the placeholders each operation must use."""

from __future__ import annotations

import re
from pathlib import Path

from golive.operations import CATALOG, Placeholder

DOC = (Path(__file__).resolve().parents[2] / "docs" / "operations-hooks.md").read_text()


def _rows(header: str, first_cell: str) -> dict[str, str]:
    """The rows of the table under ``header`` whose first cell is a backticked name."""
    table = DOC[DOC.index(header) :].split("\n\n", 1)[0]
    return dict(re.findall(rf"^\| `({first_cell})` \|(.*)$", table, re.M))


def test_every_operation_has_a_row_naming_what_it_must_use() -> None:
    rows = _rows("| operation | what it must do", "[a-z_]+")
    assert set(CATALOG) <= set(rows), sorted(set(CATALOG) - set(rows))
    for name, spec in CATALOG.items():
        must = rows[name].split("|")[1]
        assert sorted(re.findall(r"\{(\w+)\}", must)) == sorted(p.value for p in spec.needs), name


def test_every_placeholder_is_explained() -> None:
    rows = _rows("| placeholder | filled with", r"\{[a-z_]+\}")
    assert {p.value for p in Placeholder} == {r.strip("{}") for r in rows}
