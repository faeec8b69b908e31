"""Decode Stripe's form encoding: `metadata[k]=v`, `types[0]=a`, `expand[]=b`, nesting."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

MAX_PARAMS = 1000
MAX_DEPTH = 5
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class FormError(ValueError):
    """A form body that cannot be decoded into parameters; `param` names the culprit."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


def decode_form(text: str) -> dict[str, Any]:
    """Nested dicts and lists from a form-encoded string. Lists come from all-digit keys."""
    pairs = parse_qsl(text, keep_blank_values=True, errors="replace", max_num_fields=MAX_PARAMS)
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if not match:
            raise FormError(f"Invalid parameter name: {key!r}", key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        if len(parts) > MAX_DEPTH:
            raise FormError(f"Parameter {key!r} is nested too deeply", key)
        _assign(root, parts, value, key)
    return _listify(root)  # type: ignore[no-any-return]


def _assign(node: dict[str, Any], parts: list[str], value: str, key: str) -> None:
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "":  # `a[]`: append
            part = str(sum(1 for k in node if _index(k)))
        if last:
            if isinstance(node.get(part), dict):
                raise FormError(f"Parameter {key!r} is both a value and a hash", key)
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise FormError(f"Parameter {key!r} is both a value and a hash", key)
        node = child


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {k: _listify(v) for k, v in value.items()}
    if converted and all(_index(k) for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def _index(key: str) -> bool:
    """A list index: ASCII digits only ("²".isdigit() is true, but int() refuses it)."""
    return key.isascii() and key.isdigit() and len(key) <= 6
