"""Nothing outside a provider's package and the registry names a provider: lists of providers,
defaults and step patterns derive from golive.psp.provider (CONVENTIONS: extension points)."""

from __future__ import annotations

import ast
from pathlib import Path

from golive.psp.provider import SHARED, names

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = "src/golive/psp/provider.py"


def naming(path: Path, provider: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return any(isinstance(node, ast.Constant) and node.value == provider for node in ast.walk(tree))


def test_only_the_registry_and_the_provider_packages_name_a_provider() -> None:
    found = []
    for path in sorted([*(ROOT / "src/golive").rglob("*.py"), *(ROOT / "steps").rglob("*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel == REGISTRY:
            continue
        for provider in names():
            if naming(path, provider) and not rel.startswith(f"src/golive/psp/{provider}/"):
                found.append(f"{rel}: {provider!r}")
    assert found == []


def test_the_shared_providers_are_registered() -> None:
    assert len(SHARED) == 2
    assert set(SHARED) <= set(names())
