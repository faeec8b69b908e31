"""Typed access to Stripe form parameters, with Stripe's own 400 messages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from golive.money import EXPONENTS
from golive.psp.http import ApiError, stripe_error

MAX_AMOUNT = 99_999_999  # Stripe's eight-digit limit
_INT = re.compile(r"^-?[0-9]{1,18}$")


def bad(message: str, param: str | None = None, code: str = "parameter_invalid") -> ApiError:
    return stripe_error(400, message, code=code, param=param)


class Params:
    """Parameters of one call; unknown names are refused up front, like Stripe does."""

    def __init__(self, raw: dict[str, Any], allowed: Iterable[str]) -> None:
        allowed = set(allowed) | {"expand"}
        for name in raw:
            if name not in allowed:
                raise bad(f"Received unknown parameter: {name}", name, "parameter_unknown")
        self.raw = raw

    def has(self, name: str) -> bool:
        return name in self.raw

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.raw:
            if required:
                raise bad(f"Missing required param: {name}.", name, "parameter_missing")
            return None
        return self.raw[name]

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not _INT.match(value):
            raise bad(f"Invalid integer: {_show(value)}", name, "parameter_invalid_integer")
        number = int(value)
        if minimum is not None and number < minimum:
            code = "amount_too_small" if "amount" in name else "parameter_invalid_integer"
            raise bad(f"This value must be greater than or equal to {minimum}.", name, code)
        if maximum is not None and number > maximum:
            code = "amount_too_large" if "amount" in name else "parameter_invalid_integer"
            raise bad(f"This value must be less than or equal to {maximum}.", name, code)
        return number

    def amount(self, name: str = "amount", *, required: bool = False) -> int | None:
        return self.integer(name, required=required, minimum=1, maximum=MAX_AMOUNT)

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        choices: Iterable[str] | None = None,
        max_length: int = 5000,
    ) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise bad(f"Invalid string: {_show(value)}", name, "parameter_invalid_string")
        if required and value == "":
            raise bad(f"Missing required param: {name}.", name, "parameter_missing")
        options = list(choices) if choices is not None else None
        if options is not None and value not in options:
            raise bad(
                f"Invalid {name}: must be one of {', '.join(options)}", name, "parameter_invalid"
            )
        if len(value) > max_length:
            raise bad(f"Invalid {name}: longer than {max_length} characters", name)
        return value

    def boolean(self, name: str) -> bool | None:
        value = self._get(name, False)
        if value is None:
            return None
        if value not in ("true", "false"):
            raise bad(f"Invalid boolean: {_show(value)}", name, "parameter_invalid_boolean")
        return bool(value == "true")

    def currency(self, *, required: bool = True) -> str | None:
        value = self.string("currency", required=required)
        if value is None:
            return None
        if value.upper() not in EXPONENTS:
            raise bad(
                f"Invalid currency: {value}. The stub supports: "
                + ", ".join(sorted(c.lower() for c in EXPONENTS)),
                "currency",
                "parameter_invalid",
            )
        return value.lower()

    def metadata(self) -> dict[str, str] | None:
        """Metadata hash; `metadata=""` clears it, a key set to "" deletes that key."""
        value = self._get("metadata", False)
        if value is None:
            return None
        if value == "":
            return {}
        if not isinstance(value, dict) or len(value) > 50:
            raise bad("Invalid metadata: must be a hash of at most 50 keys", "metadata")
        for k, v in value.items():
            if not isinstance(v, str) or len(k) > 40 or len(v) > 500:
                raise bad(
                    "Invalid metadata: keys up to 40 characters, string values up to 500",
                    f"metadata[{k}]",
                )
        return dict(value)

    def string_list(self, name: str) -> list[str] | None:
        value = self._get(name, False)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value] if value else []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(f"Invalid array: {name}", name, "parameter_invalid")
        return list(value)

    def hash(self, name: str) -> dict[str, Any] | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad(f"Invalid hash: {name}", name, "parameter_invalid")
        return value


def merge_metadata(current: dict[str, str], update: dict[str, str] | None) -> dict[str, str]:
    if update is None:
        return current
    if not update:
        return {}
    merged = {**current, **update}
    return {k: v for k, v in merged.items() if v != ""}


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:80]
