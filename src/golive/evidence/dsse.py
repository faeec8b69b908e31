"""DSSE envelopes over in-toto Statements (https://github.com/secure-systems-lab/dsse).

The signature is Ed25519 over PAE(payloadType, payload):
    "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
with LEN the decimal byte length. The envelope's keyid is the key's OpenSSH SHA256
fingerprint. Envelopes are written in canonical JSON so that any changed byte shows.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from golive.errors import EnvelopeError as EnvelopeError  # readers catch dsse.EnvelopeError
from golive.evidence.fsutil import canonical_json
from golive.evidence.keys import SigningKey, fingerprint

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
TEST_RESULT_PREDICATE = "https://in-toto.io/attestation/test-result/v0.1"


def pae(payload_type: str, payload: bytes) -> bytes:
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def sign(payload: bytes, key: SigningKey, payload_type: str = PAYLOAD_TYPE) -> bytes:
    """A DSSE envelope (canonical JSON bytes) with one Ed25519 signature."""
    signature = key.private.sign(pae(payload_type, payload))
    envelope = {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": payload_type,
        "signatures": [{"keyid": key.fingerprint, "sig": base64.b64encode(signature).decode()}],
    }
    return canonical_json(envelope)


def _b64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise EnvelopeError(f"{what} is not a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise EnvelopeError(f"{what} is not in canonical base64 (it was altered)")
    return raw


@dataclass(frozen=True)
class Opened:
    """A verified envelope: the statement it carries and the key that signed it."""

    statement: dict[str, Any]
    payload: bytes
    keyid: str


def verify(envelope_bytes: bytes, key: Ed25519PublicKey) -> Opened:
    """Check an envelope file byte for byte and its signature with `key`."""
    try:
        envelope = json.loads(envelope_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError("the attestation is not valid JSON") from exc
    if not isinstance(envelope, dict) or set(envelope) != {"payload", "payloadType", "signatures"}:
        raise EnvelopeError("the attestation is not a DSSE envelope (wrong fields)")
    if canonical_json(envelope) != envelope_bytes:
        raise EnvelopeError("the attestation file was altered (it is not in its signed form)")
    if envelope["payloadType"] != PAYLOAD_TYPE:
        raise EnvelopeError(f"payloadType is {envelope['payloadType']!r}, not {PAYLOAD_TYPE!r}")
    payload = _b64(envelope["payload"], "the payload")
    signatures = envelope["signatures"]
    if not isinstance(signatures, list) or len(signatures) != 1:
        raise EnvelopeError("the attestation must carry exactly one signature")
    entry = signatures[0]
    if not isinstance(entry, dict) or set(entry) != {"keyid", "sig"}:
        raise EnvelopeError("the signature entry is malformed")
    expected_keyid = fingerprint(key)
    if entry["keyid"] not in ("", expected_keyid):
        raise EnvelopeError(
            f"the signature names key {entry['keyid']!r}, but the key used to verify is "
            f"{expected_keyid}"
        )
    try:
        key.verify(_b64(entry["sig"], "the signature"), pae(PAYLOAD_TYPE, payload))
    except InvalidSignature as exc:
        raise EnvelopeError(
            f"the signature does not verify with key {expected_keyid}: "
            "the attestation was altered or signed by another key"
        ) from exc
    try:
        statement = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError("the signed payload is not JSON") from exc
    if not isinstance(statement, dict):
        raise EnvelopeError("the signed payload is not an in-toto Statement")
    return Opened(statement, payload, str(entry["keyid"]))


def statement(
    *,
    manifest_digest: str,
    result: str,
    configuration: list[dict[str, Any]],
    passed: list[str],
    warned: list[str],
    failed: list[str],
    run: dict[str, Any] | None = None,
) -> bytes:
    """An in-toto Statement v1 with the test-result predicate, as canonical JSON. ``run``
    (release, environment, phase, target, project commit) goes into the predicate's
    ``golive`` field, which consumers of the predicate type ignore unless they look for it."""
    body: dict[str, Any] = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": "manifest.json", "digest": {"sha256": manifest_digest}}],
        "predicateType": TEST_RESULT_PREDICATE,
        "predicate": {
            "result": result,
            "configuration": configuration,
            "passedTests": passed,
            "warnedTests": warned,
            "failedTests": failed,
        },
    }
    if run is not None:
        body["predicate"]["golive"] = run
    return canonical_json(body)
