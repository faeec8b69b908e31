"""Promises no scenario or property checks yet, each with what checking it needs.

tests/test_promises.py holds this list to the matrix both ways: a promise that loses its
checks fails unless it is listed here, and a listed promise that gains one must leave.
None is left: the last, P-error-6 (a balance past 2^63-1), is checked by
features/contract/limits.feature through the `seed_balance` operation.
"""

from __future__ import annotations

GAPS: dict[str, str] = {}
