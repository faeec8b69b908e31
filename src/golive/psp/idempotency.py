"""Idempotency keys: the first result is stored and replayed; other parameters are an error."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from golive.psp.http import StubResponse

KEY_TTL_SECONDS = 24 * 3600  # Stripe prunes keys after 24 hours
MAX_KEY_LENGTH = 255


@dataclass
class Saved:
    fingerprint: str
    response: StubResponse
    expires_at: float


def fingerprint(method: str, path: str, params: Any) -> str:
    text = json.dumps([method, path, params], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class IdempotencyStore:
    """Per provider: key -> saved response. Called under the stub's lock."""

    def __init__(self) -> None:
        self._saved: dict[tuple[str, str], Saved] = {}

    def get(self, provider: str, key: str, now: float) -> Saved | None:
        saved = self._saved.get((provider, key))
        if saved is not None and saved.expires_at <= now:
            del self._saved[(provider, key)]
            return None
        return saved

    def put(self, provider: str, key: str, fp: str, response: StubResponse, now: float) -> None:
        self._saved[(provider, key)] = Saved(fp, response, now + KEY_TTL_SECONDS)

    def __len__(self) -> int:
        return len(self._saved)
