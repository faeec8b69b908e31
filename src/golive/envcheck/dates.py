"""Instants and deadlines as operators write them: ISO dates and times, always in UTC.

A bare date is a whole day: a deadline of 2026-01-05 holds through the end of that day,
UTC. A time without a zone is refused (which zone would it be?). A waiver register may
name its go-live time and give deadlines relative to it, as runbooks do: ``T+72h``,
``T+3d``, ``T+90m``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_RELATIVE = re.compile(r"^T\+(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class DateError(ValueError):
    """A date or time that cannot be read; the message says what form to use."""


def parse_instant(text: str) -> datetime:
    """``2025-12-27T10:00:00Z`` (or with an offset) → an aware UTC datetime."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise DateError(
            f"{text!r} is not an ISO 8601 time; write e.g. 2025-12-27T10:00:00Z"
        ) from None
    if value.tzinfo is None:
        if len(raw) == 10:  # a bare date: the start of that day, UTC
            return value.replace(tzinfo=UTC)
        raise DateError(f"{text!r} has no time zone; add Z for UTC, e.g. {raw}Z")
    return value.astimezone(UTC)


def parse_deadline(text: str, go_live: datetime | None = None) -> datetime:
    """The first instant at which a deadline has passed (a bare date: the next midnight)."""
    raw = text.strip()
    rel = _RELATIVE.match(raw)
    if rel:
        if go_live is None:
            raise DateError(
                f"{text!r} is relative to the go-live time, but the register has no go_live; "
                "add e.g. `go_live: 2025-12-26T12:00:00Z` at its top, or write a date"
            )
        return go_live + timedelta(**{_UNITS[rel.group(2)]: int(rel.group(1))})
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise DateError(f"{text!r} is not a calendar date; write YYYY-MM-DD") from None
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    try:
        return parse_instant(raw)
    except DateError:
        raise DateError(
            f"{text!r} is not a deadline; write a date (2026-01-05), a time with a zone "
            "(2026-01-05T18:00:00Z) or a time after go-live (T+72h, T+3d)"
        ) from None


def iso(value: datetime) -> str:
    """UTC, seconds, Z: 2025-12-27T10:00:00Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
