"""Promises no scenario or property checks yet, each with what checking it needs.

tests/test_promises.py holds this list to the matrix both ways: a promise that loses its
checks fails unless it is listed here, and a listed promise that gains one must leave.
"""

from __future__ import annotations

GAPS: dict[str, str] = {
    "P-error-6": (
        "a balance near 2^63-1, which only deposits reach: a PSP takes at most 99,999,999 minor "
        "units a payment (Stripe's limit, kept by the stub), so about 9.2e10 deposits; and the "
        "PSP's clearing account would reach -(2^63-1) with them, so every later deposit in that "
        "currency overflows (on an external target, for good). It needs a throwaway platform "
        "whose database the check may seed directly, which the HTTP contract does not give"
    ),
}
