"""golive.psp says what is public in a sorted __all__ that matches its exports."""

from __future__ import annotations

import golive.psp


def test_all_is_sorted_and_exported() -> None:
    names = golive.psp.__all__
    # isort-style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions.
    assert list(names) == sorted(
        names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    for name in names:
        assert hasattr(golive.psp, name), name
    public = {n for n in vars(golive.psp) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(golive.psp, n)).__name__ == "module"}
    assert public - modules - {"annotations"} == set(names)
