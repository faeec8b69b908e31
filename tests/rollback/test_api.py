"""The package says what is public, sorted, and lists exactly the names it exports."""

from __future__ import annotations

import inspect

import golive.drills.rollback as rollback


def test_all_is_sorted_and_matches_the_exports() -> None:
    assert rollback.__all__ == sorted(rollback.__all__)
    exported = {
        name
        for name, obj in vars(rollback).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and obj.__module__.startswith("golive.drills.rollback.")
    }
    assert set(rollback.__all__) == exported
