"""Database rows as contract JSON (ids and timestamps as strings, amounts as integers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

Row = dict[str, Any]


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)  # UUID


def pick(row: Row, *names: str) -> Row:
    return {n: _json(row[n]) for n in names if n in row}


def account(row: Row) -> Row:
    return pick(row, "id", "owner_ref", "currency", "created_at")


def deposit(row: Row) -> Row:
    return pick(
        row,
        "id",
        "account_id",
        "amount",
        "currency",
        "psp",
        "psp_reference",
        "status",
        "failure_reason",
        "created_at",
        "updated_at",
    )


withdrawal = deposit


def hold(row: Row) -> Row:
    return pick(
        row,
        "id",
        "account_id",
        "amount",
        "currency",
        "status",
        "burned_amount",
        "released_amount",
        "fee_amount",
        "expires_at",
        "created_at",
        "resolved_at",
    )


def transfer(row: Row) -> Row:
    return pick(
        row,
        "id",
        "transaction_id",
        "from_account_id",
        "to_account_id",
        "amount",
        "currency",
        "created_at",
    )


def job(row: Row) -> Row:
    return pick(row, "id", "kind", "state", "reference", "detail", "created_at", "updated_at")


def entry(row: Row) -> Row:
    return pick(
        row,
        "id",
        "transaction_id",
        "transaction_kind",
        "account_id",
        "account_kind",
        "direction",
        "amount",
        "currency",
        "created_at",
        "reference",
    )
