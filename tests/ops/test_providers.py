"""Reconciliation reads the settlement reports of registered providers only."""

from __future__ import annotations

from golive.ops.sources import PROVIDERS, READERS
from golive.psp.provider import names


def test_every_report_reader_belongs_to_a_registered_provider() -> None:
    assert set(READERS) <= set(names()), "a reader keyed by a name the registry does not know"
    assert set(PROVIDERS) == set(READERS)
    assert list(PROVIDERS) == [n for n in names() if n in PROVIDERS]  # in the registry's order
