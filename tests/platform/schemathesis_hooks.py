"""Schemathesis hooks for two rules of the contract that JSON Schema cannot state.

Loaded by test_schemathesis.py through SCHEMATHESIS_HOOKS. Neither hook touches a check:
they keep the generated requests inside what the contract promises to accept.

- A new request needs a new Idempotency-Key (a reused key is 422 idempotency_key_reused).
  Generated keys repeat ("0" many times), so a well-formed key is made unique; a malformed
  one is sent as generated, so the refusal of bad keys is still tested.
- Money is never a float: JSON Schema counts 1050.0 as an integer, the contract refuses it
  (tests/platform/test_bad_input.py covers that refusal). Bodies holding one are dropped.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis

from refbank.idempotency import KEY_SHAPE

HEADER = "Idempotency-Key"


def _has_whole_float(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(_has_whole_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_whole_float(v) for v in value)
    return False


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    return not _has_whole_float(body)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == HEADER.lower() and isinstance(value, str) and KEY_SHAPE.fullmatch(value):
            headers[name] = f"st-{uuid.uuid4()}"
