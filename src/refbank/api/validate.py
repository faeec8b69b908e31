"""Request bodies: strict JSON, every field checked, errors that name the field and why."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from refbank.currencies import EXPONENTS, MAX_AMOUNT
from refbank.errors import ApiError, invalid
from refbank.psp import PSPS

MAX_EXPIRY_SECONDS = 366 * 24 * 3600
DEFAULT_EXPIRY_SECONDS = 7 * 24 * 3600


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object; an empty body is ``{}``."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(
            400, "invalid_json", f"the body must be a JSON object, not {type(data).__name__}"
        )
    return data


def uuid_text(value: str, field: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise invalid(field, f"{field} {value!r} is not an id (a UUID)") from None


class Body:
    """A request body with its allowed fields; each accessor validates one field."""

    def __init__(self, data: dict[str, Any], *allowed: str) -> None:
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise invalid(
                unknown[0],
                f"unknown field {unknown[0]!r}: this call takes "
                f"{', '.join(allowed) or 'no fields'}",
            )
        self.data = data

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            raise invalid(name, f"{name} is required")
        return value

    def amount(self, name: str = "amount", *, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid(
                name,
                f"{name} must be an integer number of minor units (1050 for 10.50), "
                f"not a {type(value).__name__} ({value!r})",
            )
        if isinstance(value, float):
            detail = "has a fractional part" if value != int(value) else "is a float"
            raise invalid(
                name,
                f"{name} {value!r} {detail}: money is an integer number of minor units "
                "(1050 for 10.50), never a float",
            )
        if value <= 0:
            raise invalid(name, f"{name} must be positive, not {value}")
        if value > MAX_AMOUNT:
            raise invalid(name, f"{name} {value} exceeds the largest amount {MAX_AMOUNT} (2^63-1)")
        return value

    def currency(self, name: str = "currency") -> str:
        value = self._get(name, True)
        if not isinstance(value, str) or value not in EXPONENTS:
            raise invalid(
                name,
                f"unknown currency {value!r}: use an upper-case ISO 4217 code the platform "
                f"supports ({', '.join(sorted(EXPONENTS))})",
                code="unknown_currency",
            )
        return value

    def id(self, name: str, *, required: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid(name, f"{name} must be a string id, not {type(value).__name__}")
        return uuid_text(value, name)

    def text(self, name: str, *, max_length: int = 200) -> str:
        value = self._get(name, True)
        if not isinstance(value, str) or not 1 <= len(value) <= max_length or "\x00" in value:
            raise invalid(
                name, f"{name} must be a string of 1 to {max_length} characters, without NUL"
            )
        return value

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self._get(name, required)
        if value is not None and value not in options:
            raise invalid(name, f"{name} {value!r} is not one of {', '.join(options)}")
        return None if value is None else str(value)

    def psp(self) -> str | None:
        return self.choice("psp", PSPS)

    def integer(self, name: str, low: int, high: int, default: int | None = None) -> int | None:
        value = self._get(name, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise invalid(name, f"{name} must be an integer from {low} to {high}, not {value!r}")
        return value

    def boolean(self, name: str) -> bool | None:
        value = self._get(name, False)
        if value is not None and not isinstance(value, bool):
            raise invalid(name, f"{name} must be true or false, not {value!r}")
        return value

    def timestamp(self, name: str) -> datetime | None:
        value = self._get(name, False)
        if value is None:
            return None
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise invalid(name, f"{name} {value!r} is not an ISO 8601 timestamp") from None
        if when.tzinfo is None:
            raise invalid(name, f"{name} {value!r} needs a time zone (e.g. 2030-01-01T00:00:00Z)")
        return when
