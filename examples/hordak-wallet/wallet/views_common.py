"""How the wallet's resources look in its API (decimal-string amounts, its own names)."""

from typing import Any

from wallet.api import fmt
from wallet.models import Move, Payout, Reservation, Task, TopUp, Wallet


def iso(t: Any) -> str | None:
    return None if t is None else t.isoformat().replace("+00:00", "Z")


def wallet(w: Wallet) -> dict[str, Any]:
    return {
        "wallet_id": str(w.id),
        "owner_ref": w.owner_ref,
        "currency": w.currency,
        "opened_at": iso(w.created_at),
    }


def topup(t: TopUp) -> dict[str, Any]:
    return {
        "topup_id": str(t.id),
        "wallet_id": str(t.wallet_id),
        "amount": fmt(t.amount, t.currency),
        "currency": t.currency,
        "provider": t.provider,
        "provider_ref": t.provider_ref,
        "state": t.state,
        "failure": t.failure,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
    }


def payout(p: Payout) -> dict[str, Any]:
    return {
        "payout_id": str(p.id),
        "wallet_id": str(p.wallet_id),
        "amount": fmt(p.amount, p.currency),
        "currency": p.currency,
        "provider": p.provider,
        "provider_ref": p.provider_ref,
        "state": p.state,
        "failure": p.failure,
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
    }


def reservation(r: Reservation) -> dict[str, Any]:
    out = {
        "reservation_id": str(r.id),
        "wallet_id": str(r.wallet_id),
        "amount": fmt(r.amount, r.currency),
        "currency": r.currency,
        "state": r.state,
        "captured": fmt(r.captured, r.currency),
        "returned": fmt(r.returned, r.currency),
        "lapses_at": iso(r.lapses_at),
        "created_at": iso(r.created_at),
        "closed_at": iso(r.closed_at),
    }
    fee = getattr(r, "fee_amount", None)
    if fee is not None:
        out["fee"] = fmt(fee, r.currency)
    return out


def move(m: Move) -> dict[str, Any]:
    return {
        "transfer_id": str(m.id),
        "ledger_txn": str(m.txn_uuid),
        "from_wallet": str(m.source_id),
        "to_wallet": str(m.target_id),
        "amount": fmt(m.amount, m.currency),
        "currency": m.currency,
        "created_at": iso(m.created_at),
    }


def task(t: Task) -> dict[str, Any]:
    return {
        "task_id": str(t.id),
        "kind": t.kind,
        "ref": t.ref,
        "state": t.state,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
    }
