"""The shared drill model says what is public, sorted, and lists exactly what it exports."""

from __future__ import annotations

import inspect

import golive.drills as drills


def test_all_is_sorted_and_matches_the_exports() -> None:
    assert drills.__all__ == sorted(drills.__all__)
    exported = {
        name
        for name, obj in vars(drills).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and obj.__module__.startswith("golive.drills.")
    }
    assert set(drills.__all__) == exported
