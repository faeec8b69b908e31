"""Errors the platform answers with: ``{"error": {"code", "field", "message"}}`` and a status.

    ApiError               a 4xx/5xx the client sees; nothing was written unless it says so
    ConfigError            the platform was started or migrated with bad configuration (exit 2)

Database refusals (the invariants Postgres enforces) are translated by ``from_db_error``.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import errors as pg


class ConfigError(Exception):
    """Bad flags, environment or database state at start-up; the process exits with code 2."""


class ApiError(Exception):
    """An error response: HTTP ``status``, a stable ``code``, the offending ``field``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "field": self.field, "message": self.message}
        return {"error": err | self.extra}


def invalid(field: str, message: str, code: str = "invalid_field") -> ApiError:
    return ApiError(422, code, message, field=field)


def not_found(what: str, ident: object, field: str | None = None) -> ApiError:
    return ApiError(404, f"{what}_not_found", f"no {what} with id {str(ident)!r}", field=field)


def conflict(code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(409, code, message, field=field)


# constraint name → (status, code, field, message prefix)
_CONSTRAINTS: dict[str, tuple[int, str, str | None, str]] = {
    "ledger_accounts_no_overdraft": (409, "insufficient_funds", "amount", "insufficient funds"),
    "holds_resolved_once": (409, "hold_not_pending", None, "the hold is already resolved"),
    "ledger_entries_account_currency": (
        409,
        "currency_mismatch",
        "currency",
        "the currency is not the account's currency",
    ),
}


def from_db_error(exc: psycopg.Error) -> ApiError | None:
    """The client-facing error for a refusal by the database's invariants (None: a real 500)."""
    constraint = exc.diag.constraint_name or ""
    if constraint in _CONSTRAINTS:
        status, code, field, prefix = _CONSTRAINTS[constraint]
        return ApiError(status, code, f"{prefix}: {exc.diag.message_primary}", field=field)
    if isinstance(exc, pg.NumericValueOutOfRange):
        return ApiError(
            409,
            "amount_out_of_range",
            "the resulting balance would not fit in a signed 64-bit integer of minor units",
            field="amount",
        )
    return None
