"""`__all__` of the probe packages names exactly what they export (httpx's check)."""

from __future__ import annotations

import pytest

import golive.envcheck
import golive.ops


@pytest.mark.parametrize("module", [golive.ops, golive.envcheck])
def test_all_is_sorted_and_real(module) -> None:  # type: ignore[no-untyped-def]
    names = module.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    public = {n for n in vars(module) if not n.startswith("_") and n != "annotations"}
    modules = {n for n in public if type(getattr(module, n)).__name__ == "module"}
    assert set(names) == public - modules
