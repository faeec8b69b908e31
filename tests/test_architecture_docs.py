"""docs/architecture.md and CONTRIBUTING.md name files that exist, and the map covers every
part of the package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("docs/architecture.md", "CONTRIBUTING.md")
# a path in backticks: under a top folder of the repository, or one of its root files
PATH = re.compile(
    r"`((?:src|steps|features|fixtures|properties|tests|docs|examples)/[^`\s]*"
    r"|conftest\.py|pyproject\.toml|README\.md|CONTRIBUTING\.md)`"
)


def cited(doc: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return [p for p in PATH.findall(text) if "<" not in p]


@pytest.mark.parametrize("doc", DOCS)
def test_every_cited_path_exists(doc: str) -> None:
    paths = cited(doc)
    assert len(paths) > 20, f"{doc} names too few files to be a map"
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert missing == []


def test_the_map_names_every_part_of_the_package() -> None:
    named = set(cited("docs/architecture.md"))
    parts = [
        p.relative_to(ROOT).as_posix() + ("/" if p.is_dir() else "")
        for p in sorted((ROOT / "src/golive").iterdir())
        if p.name != "__init__.py" and (p.suffix == ".py" or (p.is_dir() and any(p.glob("*.py"))))
    ]
    missing = [p for p in parts if p not in named and p.rstrip("/") not in named]
    assert missing == []
