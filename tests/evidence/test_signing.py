"""DSSE signing: PAE per the spec, our verifier, and an independent one (securesystemslib)."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

from golive.errors import ConfigError
from golive.evidence import dsse
from golive.evidence.fsutil import canonical_json, sha256_file
from golive.evidence.keys import (
    SigningKey,
    fingerprint,
    generate_keypair,
    load_private_key,
    load_public_key,
    resolve_signing_key,
)
from golive.evidence.manifest import ATTESTATION, MANIFEST

from .conftest import build_bundle


def test_pae_matches_the_dsse_spec_example() -> None:
    # The worked example of the DSSE protocol document.
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_fingerprint_is_openssh_style() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    fp = fingerprint(key)
    assert fp.startswith("SHA256:")
    assert len(fp) == len("SHA256:") + 43  # unpadded base64 of 32 bytes


def test_roundtrip_and_wrong_key() -> None:
    key = SigningKey(Ed25519PrivateKey.generate(), "--golive-key")
    envelope = dsse.sign(b'{"a": 1}', key)
    opened = dsse.verify(envelope, key.public)
    assert opened.statement == {"a": 1}
    assert opened.keyid == key.fingerprint
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(dsse.EnvelopeError, match="names key"):
        dsse.verify(envelope, other)


def test_non_canonical_base64_is_refused() -> None:
    key = SigningKey(Ed25519PrivateKey.generate(), "--golive-key")
    envelope = json.loads(dsse.sign(b"x", key))
    sig = envelope["signatures"][0]["sig"]
    # 64 bytes take 86 base64 characters + "==": the last character has 4 unused low bits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    alt = sig[:-3] + alphabet[alphabet.index(sig[-3]) ^ 1] + "=="
    assert base64.b64decode(alt) == base64.b64decode(sig)  # same bytes, different text
    envelope["signatures"][0]["sig"] = alt
    with pytest.raises(dsse.EnvelopeError, match="canonical base64"):
        dsse.verify(canonical_json(envelope), key.public)


def test_securesystemslib_accepts_the_attestation(tmp_path: Path, signing_key: SigningKey) -> None:
    run_dir = build_bundle(tmp_path / "reports", signing_key)
    envelope = Envelope.from_dict(json.loads((run_dir / ATTESTATION).read_bytes()))
    ssl_key = SSlibKey.from_crypto(signing_key.public, keyid=signing_key.fingerprint)
    accepted = envelope.verify([ssl_key], 1)
    assert signing_key.fingerprint in accepted
    statement = json.loads(envelope.payload)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://in-toto.io/attestation/test-result/v0.1"
    assert statement["subject"] == [
        {"name": "manifest.json", "digest": {"sha256": sha256_file(run_dir / MANIFEST)}}
    ]
    predicate = statement["predicate"]
    assert predicate["result"] == "PASSED"
    assert predicate["passedTests"] == ["features/test_money.py::test_deposit", "gate: p95 latency"]
    assert {"name": "golive-configuration", "digest": {"sha256": "0" * 64}} in (
        predicate["configuration"]
    )
    # and an unrelated key is refused by the independent verifier too
    stranger = SSlibKey.from_crypto(
        Ed25519PrivateKey.generate().public_key(), keyid=signing_key.fingerprint
    )
    with pytest.raises(Exception, match="threshold"):
        envelope.verify([stranger], 1)


def test_failed_run_is_failed_in_toto(tmp_path: Path, signing_key: SigningKey) -> None:
    run_dir = build_bundle(tmp_path / "reports", signing_key, outcome="failed")
    statement = dsse.verify((run_dir / ATTESTATION).read_bytes(), signing_key.public).statement
    assert statement["predicate"]["result"] == "FAILED"
    assert statement["predicate"]["failedTests"] == ["features/test_money.py::test_deposit"]


def test_generate_keypair_modes_and_no_overwrite(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path / "keys")
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    key = load_private_key(private, source="--golive-key")
    assert fingerprint(load_public_key(public)) == key.fingerprint
    with pytest.raises(ConfigError, match="never overwrites"):
        generate_keypair(tmp_path / "keys")


def test_key_resolution_order(tmp_path: Path) -> None:
    private, _ = generate_keypair(tmp_path)
    assert resolve_signing_key(str(private), {}).source == "--golive-key"
    assert resolve_signing_key(None, {"GOLIVE_SIGNING_KEY": str(private)}).source == (
        "GOLIVE_SIGNING_KEY"
    )
    unmanaged = resolve_signing_key(None, {})
    assert unmanaged.source == "unmanaged"
    assert not unmanaged.managed


def test_bad_key_file_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    with pytest.raises(ConfigError, match=r"bad\.pem"):
        resolve_signing_key(str(bad), {})
    with pytest.raises(ConfigError, match="cannot be read"):
        resolve_signing_key(str(tmp_path / "missing.pem"), {})
