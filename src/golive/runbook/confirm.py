"""Pre-signed confirmations of manual steps, for runbooks run by CI (--non-interactive).

`golive runbook confirm` signs, with the approver's Ed25519 key, who confirmed which manual
step of which runbook (bound to the runbook file's sha256). The file is JSON:
``{"public_key": PEM, "envelope": DSSE}``; the envelope carries an in-toto Statement whose
subject is the runbook and whose predicate lists the confirmations.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from golive.errors import ConfigError
from golive.evidence import dsse
from golive.evidence.fsutil import atomic_write, canonical_json, pretty_json, sha256_file
from golive.evidence.keys import SigningKey, fingerprint
from golive.runbook.log import stamp

PREDICATE = "urn:golive:runbook-confirmations:v1"


@dataclass(frozen=True)
class Confirmation:
    step: str
    actor: str
    at: str
    note: str = ""


@dataclass(frozen=True)
class Confirmations:
    by_step: dict[str, Confirmation]
    approver: str  # the signing key's fingerprint


def check_file(path: Path) -> None:
    """The file is a golive confirmation file whose signature verifies (whatever runbook)."""
    _verified(path)


def _verified(path: Path) -> tuple[dict[str, Any], Ed25519PublicKey]:
    try:
        doc = json.loads(path.read_bytes())
        key = serialization.load_pem_public_key(doc["public_key"].encode())
        envelope = canonical_json(doc["envelope"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"confirmation file {str(path)!r} is not a golive confirmation file ({exc}); "
            "make it with `golive runbook confirm`"
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"confirmation file {str(path)!r}: the key is not Ed25519")
    try:
        statement = dsse.verify(envelope, key).statement
    except dsse.EnvelopeError as exc:
        raise ConfigError(f"confirmation file {str(path)!r} does not verify: {exc}") from None
    return statement, key


def _open(path: Path, runbook: Path) -> tuple[Confirmations, Ed25519PublicKey]:
    statement, key = _verified(path)
    digest = sha256_file(runbook)
    subjects = [s.get("digest", {}).get("sha256") for s in statement.get("subject", [])]
    if statement.get("predicateType") != PREDICATE or digest not in subjects:
        raise ConfigError(
            f"confirmation file {str(path)!r} confirms another runbook (not sha256:{digest} of "
            f"{runbook}); confirm the steps of this runbook again"
        )
    entries = statement.get("predicate", {}).get("confirmations", [])
    by_step = {e["step"]: Confirmation(**e) for e in entries}
    return Confirmations(by_step, fingerprint(key)), key


def read_confirmations(path: Path, runbook: Path) -> Confirmations:
    return _open(path, runbook)[0]


def add_confirmation(
    path: Path, runbook: Path, step: str, actor: str, note: str, key: SigningKey
) -> Confirmation:
    """Add (or replace) the confirmation of ``step`` and sign the file again with ``key``."""
    entries: dict[str, Confirmation] = {}
    if path.exists():
        existing, old_key = _open(path, runbook)
        if fingerprint(old_key) != key.fingerprint:
            raise ConfigError(
                f"confirmation file {str(path)!r} was signed by {fingerprint(old_key)}, not by "
                f"this key ({key.fingerprint}); one approver signs one file"
            )
        entries = dict(existing.by_step)
    entry = Confirmation(step, actor, stamp(), note)
    entries[step] = entry
    statement = {
        "_type": dsse.STATEMENT_TYPE,
        "subject": [{"name": runbook.name, "digest": {"sha256": sha256_file(runbook)}}],
        "predicateType": PREDICATE,
        "predicate": {"confirmations": [asdict(c) for c in entries.values()]},
    }
    envelope = json.loads(dsse.sign(canonical_json(statement), key))
    doc: dict[str, Any] = {"public_key": key.public_pem().decode(), "envelope": envelope}
    atomic_write(path, pretty_json(doc))
    return entry
