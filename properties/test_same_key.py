"""Same-key concurrency against the target platform: every mutating operation sent several
times at the same moment with one Idempotency-Key (a client retrying while the first request
is still running), one key with two bodies at once, one webhook event delivered at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from golive.canary.psp_ops import PspOps
from golive.properties import OPERATIONS, run_bursts
from golive.target import Target

AT_ONCE = 6


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_same_key_at_once(
    operation: str, bank_clients: Callable[[], Target], psp_ops: PspOps
) -> None:
    """One effect, every accepted answer the first one replayed, and no refusal but
    idempotency_key_in_progress (or idempotency_key_reused for another body)."""
    found = run_bursts(bank_clients, psp_ops, n=AT_ONCE, only=(operation,))
    assert not found, "\n".join(f"{a.kind}: {a.subject}: {a.detail}" for a in found)
