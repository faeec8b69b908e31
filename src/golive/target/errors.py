"""How a target says no: the same two exceptions whatever the implementation.

- ``PlatformError``: the platform answered and refused (``status`` is the HTTP status, or the
  nearest one for a non-HTTP API; ``code`` is the contract's error code, e.g.
  ``insufficient_funds``). A refused deposit or withdrawal that the platform recorded as
  failed comes back in ``resource``.
- ``NoAnswer``: the platform gave no answer at all (connection refused, timeout).
"""

from __future__ import annotations

from typing import Any


class PlatformError(Exception):
    """The platform refused a call; ``status`` and ``code`` say how."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str = "",
        *,
        body: Any = None,
        resource: object | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.body = body  # the raw answer, for the record (None when the adapter has none)
        self.resource = resource  # the failed Deposit or Withdrawal, when there is one
        super().__init__(message or f"refused with {status} {code!r}")


class NoAnswer(Exception):
    """The platform did not answer (connection refused, reset or timed out)."""
