"""Small builders for ledger and PSP lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from golive.ops.lines import LedgerLine, PspLine

T0 = datetime(2025, 12, 27, 10, 0, tzinfo=UTC)


def led(ref: str | None, amount: int, kind: str = "payment", *, psp: str = "stripe",
        cur: str = "EUR", txn: str | None = None, pid: str | None = None,
        minutes: int = 0) -> LedgerLine:  # fmt: skip
    return LedgerLine(psp, kind, ref, amount, cur, T0 + timedelta(minutes=minutes),
                      txn or f"tx-{ref}-{amount}-{minutes}", pid)  # fmt: skip


def at_psp(ref: str, amount: int, kind: str = "payment", *, psp: str = "stripe",
           cur: str = "EUR", line: str | None = None, fee: int = 0,
           minutes: int = 0) -> PspLine:  # fmt: skip
    return PspLine(psp, kind, ref, amount, cur, T0 + timedelta(minutes=minutes),
                   line or f"txn-{ref}-{minutes}", fee)  # fmt: skip
