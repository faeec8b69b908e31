"""Builds a platform's ledger entries, records and jobs the way the contract shows them."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .fake_platform import Canned

T0 = datetime(2025, 12, 27, 10, 0, tzinfo=UTC)


@dataclass
class Book:
    data: Canned = field(default_factory=Canned)
    with_reference: bool = False  # entries carry the PSP's reference (the contract's `reference`)
    with_kind: bool = True  # entries carry transaction_kind
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def _post(self, kind: str, psp_ref: str | None, legs: list[tuple[str, str, str, int, str]],
              at: datetime) -> str:  # fmt: skip
        txn = str(uuid.uuid4())
        for account_kind, account_id, direction, amount, cur in legs:
            e: dict[str, Any] = {
                "id": str(next(self._ids)), "transaction_id": txn, "account_id": account_id,
                "account_kind": account_kind, "direction": direction, "amount": amount,
                "currency": cur, "created_at": at.isoformat(),
            }  # fmt: skip
            if self.with_kind:
                e["transaction_kind"] = kind
            if self.with_reference:
                e["reference"] = psp_ref
            self.data.entries.append(e)
        return txn

    def _job(self, kind: str, ref: str, at: datetime, state: str = "done") -> None:
        self.data.jobs.append({"id": str(uuid.uuid4()), "kind": kind, "state": state,
                               "reference": ref, "created_at": at.isoformat(),
                               "updated_at": at.isoformat()})  # fmt: skip

    def deposit(self, account: str, amount: int, *, psp: str = "stripe", cur: str = "EUR",
                psp_ref: str | None = None, minutes: int = 0, credits: int = 1) -> str:  # fmt: skip
        at = T0 + timedelta(minutes=minutes)
        dep = str(uuid.uuid4())
        self.data.deposits[dep] = {"id": dep, "account_id": account, "amount": amount,
                                   "currency": cur, "psp": psp, "psp_reference": psp_ref,
                                   "status": "succeeded", "created_at": at.isoformat()}  # fmt: skip
        self._job("deposit_confirmation", dep, at)
        for n in range(credits):
            self._post("deposit", psp_ref, [
                ("psp_clearing", f"psp_clearing:{psp}:{cur}", "debit", amount, cur),
                ("customer_wallet", account, "credit", amount, cur),
            ], at + timedelta(seconds=1 + n))  # fmt: skip
        return dep

    def withdraw(self, account: str, amount: int, *, psp: str = "stripe", cur: str = "EUR",
                 psp_ref: str | None = None, minutes: int = 0,
                 fails: bool = False) -> str:  # fmt: skip
        at = T0 + timedelta(minutes=minutes)
        wd = str(uuid.uuid4())
        self.data.withdrawals[wd] = {"id": wd, "account_id": account, "amount": amount,
                                     "currency": cur, "psp": psp, "psp_reference": psp_ref,
                                     "status": "failed" if fails else "paid",
                                     "created_at": at.isoformat()}  # fmt: skip
        self._job("payout", wd, at)
        self._post("withdrawal", psp_ref, [
            ("customer_wallet", account, "debit", amount, cur),
            ("payouts_in_transit", f"payouts_in_transit:{psp}:{cur}", "credit", amount, cur),
        ], at)  # fmt: skip
        later = at + timedelta(minutes=5)
        if fails:
            self._post("payout_refund", psp_ref, [
                ("payouts_in_transit", f"payouts_in_transit:{psp}:{cur}", "debit", amount, cur),
                ("customer_wallet", account, "credit", amount, cur),
            ], later)  # fmt: skip
        else:
            self._post("payout_settled", psp_ref, [
                ("payouts_in_transit", f"payouts_in_transit:{psp}:{cur}", "debit", amount, cur),
                ("psp_clearing", f"psp_clearing:{psp}:{cur}", "credit", amount, cur),
            ], later)  # fmt: skip
        return wd

    def hold_burn(self, account: str, amount: int, cur: str = "EUR") -> None:
        self._post("hold_burn", None, [
            ("customer_held", account, "debit", amount, cur),
            ("house_revenue", f"house_revenue:{cur}", "credit", amount, cur),
        ], T0)  # fmt: skip
