"""Ed25519 signing keys: load, generate, fingerprint.

Where the key comes from, first match wins: `--golive-key PATH`, the environment variable
GOLIVE_SIGNING_KEY (a PEM path), else an UNMANAGED key generated for this run only and
thrown away after signing. An unmanaged signature proves the bundle is intact, not who
made it; every report says so.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from golive.errors import ConfigError

KEY_ENV = "GOLIVE_SIGNING_KEY"


@dataclass(frozen=True)
class SigningKey:
    """A private key and what the evidence says about it."""

    private: Ed25519PrivateKey
    source: str  # "--golive-key", "GOLIVE_SIGNING_KEY" or "unmanaged"

    @property
    def managed(self) -> bool:
        return self.source != "unmanaged"

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)

    def public_pem(self) -> bytes:
        return public_pem(self.public)


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(key: Ed25519PublicKey) -> str:
    """The OpenSSH SHA256 fingerprint (`ssh-keygen -lf`), e.g. SHA256:AbC…"""
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    blob = base64.b64decode(line.split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def load_private_key(path: Path, *, source: str) -> SigningKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"signing key {str(path)!r} cannot be read ({exc.strerror}); "
            "pass the path of an Ed25519 PEM private key (make one with `golive keys generate`)"
        ) from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"signing key {str(path)!r} is not an unencrypted PEM private key; "
            "create one with `golive keys generate --out DIR`"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(
            f"signing key {str(path)!r} is a {type(key).__name__}, not Ed25519; "
            "golive signs with Ed25519 only (`golive keys generate` makes one)"
        )
    return SigningKey(key, source)


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"public key {str(path)!r} cannot be read as a PEM public key ({exc}); "
            "pass the .pub file written by `golive keys generate`"
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"public key {str(path)!r} is not an Ed25519 key")
    return key


def resolve_signing_key(cli_path: str | None, environ: dict[str, str] | None = None) -> SigningKey:
    """The key for this run: --golive-key, else GOLIVE_SIGNING_KEY, else an unmanaged one."""
    env = os.environ if environ is None else environ
    if cli_path:
        return load_private_key(Path(cli_path).expanduser(), source="--golive-key")
    if env.get(KEY_ENV):
        return load_private_key(Path(env[KEY_ENV]).expanduser(), source=KEY_ENV)
    return SigningKey(Ed25519PrivateKey.generate(), "unmanaged")


def generate_keypair(out_dir: Path, *, name: str = "golive") -> tuple[Path, Path]:
    """Write NAME.key (PEM PKCS#8, mode 0600) and NAME.pub (PEM SubjectPublicKeyInfo)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out_dir / f"{name}.key", out_dir / f"{name}.pub"
    for path in (private_path, public_path):
        if path.exists():
            raise ConfigError(
                f"{str(path)!r} already exists; golive never overwrites a key. "
                "Choose another --out folder or move the old key away first"
            )
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(private_path, 0o600)
    public_path.write_bytes(public_pem(key.public_key()))
    return private_path, public_path
