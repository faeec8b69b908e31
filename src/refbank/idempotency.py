"""``Idempotency-Key``: the first response to a key is stored with the request's fingerprint.

Same key and same request → the stored response, replayed. Same key and a different request
→ 422 ``idempotency_key_reused``. The key row is written in the same database transaction as
the effect, so a stored response exists exactly when the effect was committed. A request
that fails validation stores nothing (nothing was written), so it can be retried.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from psycopg.types.json import Jsonb

from refbank.db import Conn
from refbank.errors import ApiError, conflict

# 1 to 255 printable ASCII characters, no leading or trailing space (as the contract says)
KEY_SHAPE = re.compile(r"[!-~]([ -~]{0,253}[!-~])?")


@dataclass(frozen=True)
class Reply:
    """A response: status and JSON body; ``replayed`` when it came from the key store."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


@dataclass(frozen=True)
class Key:
    """An Idempotency-Key and the fingerprint of the request that carried it."""

    key: str
    fingerprint: str = field(repr=False)

    @classmethod
    def of(cls, key: str, method: str, path: str, body: Any) -> Key:
        if not KEY_SHAPE.fullmatch(key):
            raise ApiError(
                400,
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 printable ASCII characters without leading "
                "or trailing spaces (a UUID is a good key)",
                field="Idempotency-Key",
            )
        canon = json.dumps(body, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(f"{method} {path}\n{canon}".encode()).hexdigest()
        return cls(key, digest)


def begin(conn: Conn, key: Key) -> Reply | None:
    """Claim ``key`` in this transaction; the stored reply if it was already used."""
    row = conn.execute(
        "INSERT INTO idempotency_keys (key, request_hash) VALUES (%s, %s) "
        "ON CONFLICT (key) DO NOTHING RETURNING key",
        (key.key, key.fingerprint),
    ).fetchone()
    if row is not None:
        return None
    # a concurrent first use has committed by now (the INSERT waited for it)
    stored = lookup(conn, key)
    assert stored is not None
    return stored


def lookup(conn: Conn, key: Key) -> Reply | None:
    """The stored reply of ``key`` (None if it was never used), without claiming it."""
    stored = conn.execute(
        "SELECT request_hash, status_code, response FROM idempotency_keys WHERE key = %s",
        (key.key,),
    ).fetchone()
    if stored is None:
        return None
    if stored["request_hash"] != key.fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"Idempotency-Key {key.key!r} was already used for a different request; "
            "use a new key for a new request",
            field="Idempotency-Key",
        )
    if stored["status_code"] is None:
        raise conflict(
            "idempotency_key_in_progress",
            f"the request with Idempotency-Key {key.key!r} is still being processed; retry later",
            field="Idempotency-Key",
        )
    return Reply(int(stored["status_code"]), dict(stored["response"]), replayed=True)


def finish(conn: Conn, key: Key, reply: Reply) -> None:
    conn.execute(
        "UPDATE idempotency_keys SET status_code = %s, response = %s, completed_at = now() "
        "WHERE key = %s",
        (reply.status, Jsonb(reply.body), key.key),
    )


def store(conn: Conn, key: Key, reply: Reply) -> None:
    """Store ``reply`` under a key that was looked up, not claimed (a later first use wins)."""
    conn.execute(
        "INSERT INTO idempotency_keys (key, request_hash, status_code, response, completed_at) "
        "VALUES (%s, %s, %s, %s, now()) ON CONFLICT (key) DO NOTHING",
        (key.key, key.fingerprint, reply.status, Jsonb(reply.body)),
    )
