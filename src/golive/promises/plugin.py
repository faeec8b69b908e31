"""pytest: a scenario's promise tag (``@P-idem-1``) becomes the mark ``promise("P-idem-1")``,
one marker for every id (registered by golive.markers), so ``--strict-markers`` accepts
them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from golive.promises.contract import PROMISE_ID


def pytest_bdd_apply_tag(tag: str, function: Callable[..., object]) -> bool | None:
    if not PROMISE_ID.fullmatch(tag):
        return None  # pytest-bdd's own: the tag as a mark
    pytest.mark.promise(tag)(function)
    return True
