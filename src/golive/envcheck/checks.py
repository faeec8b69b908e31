"""The environment checks. Each finding has a stable id, ``<check>:<VARIABLE>``, so a waiver
register can name it, and a risk level. No finding ever carries a secret value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from golive.config import EnvProfile
from golive.envcheck.envfile import EnvFile

RISKS = ("low", "medium", "high", "critical")

# check name → what it means; the first half of every finding id
CHECKS: dict[str, str] = {
    "secret-missing": "a required secret is not set, or is empty",
    "secret-placeholder": "a required secret holds a placeholder, not a real value",
    "stripe-key-form": "a Stripe API key that is not a secret (sk_) or restricted (rk_) key",
    "stripe-test-key": "a test-mode Stripe key where the profile needs a live key",
    "stripe-live-key": "a live-mode Stripe key outside production",
    "webhook-secret-form": "a Stripe webhook signing secret that is not of the form whsec_…",
    "adyen-hmac-key-form": "an Adyen HMAC key that is not 64 hexadecimal characters",
    "database-url-form": "the database URL cannot be read",
    "database-sqlite": "the database is SQLite",
    "database-no-tls": "the database connection does not require TLS",
    "database-tls-unknown": "the database is not PostgreSQL, so its TLS setting cannot be judged",
}

_PLACEHOLDERS = {
    "changeme", "change_me", "change-me", "placeholder", "dummy", "todo", "tbd", "fixme",
    "replace_me", "replaceme", "secret", "password", "none", "null", "undefined", "test", "xxx",
}  # fmt: skip
_STRIPE_KEY = re.compile(r"^(sk|rk)_(live|test)_[A-Za-z0-9]{8,}$")
_WHSEC = re.compile(r"^whsec_[A-Za-z0-9+/=_-]{16,}$")
_HEX64 = re.compile(r"^[0-9A-Fa-f]{64}$")
TLS_MODES = ("require", "verify-ca", "verify-full")


@dataclass(frozen=True)
class Finding:
    id: str  # "<check>:<VARIABLE>"
    risk: str  # one of RISKS
    variable: str
    detail: str  # what was seen, never the value
    fix: str

    @property
    def check(self) -> str:
        return self.id.partition(":")[0]


def fingerprint(value: str) -> str:
    """A value's identity without the value: ``sha256:`` and 12 hex digits."""
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def risk_rank(risk: str) -> int:
    return RISKS.index(risk)


def run_checks(env: EnvFile, profile: EnvProfile) -> list[Finding]:
    """Every finding of ``env`` under ``profile``, in a stable order."""
    found = [*_required(env, profile), *_stripe(env, profile), *_adyen(env, profile)]
    found += _database(env, profile)
    return found


def _finding(check: str, risk: str, var: str, detail: str, fix: str) -> Finding:
    return Finding(f"{check}:{var}", risk, var, detail, fix)


def _set(env: EnvFile, name: str) -> str | None:
    """The value when it is set and not blank (missing values are reported once, elsewhere)."""
    value = env.get(name)
    return value if value is not None and value.strip() else None


def _is_placeholder(value: str) -> bool:
    v = value.strip().lower()
    return (
        v in _PLACEHOLDERS
        or bool(re.fullmatch(r"x{3,}|\*{3,}|\.{3,}|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}", v))
        or v.startswith(("your_", "your-", "insert_", "replace_with"))
    )


def _required(env: EnvFile, profile: EnvProfile) -> Iterator[Finding]:
    for name in profile.required_secrets:
        value = env.get(name)
        if value is None or not value.strip():
            seen = "is not set" if value is None else "is set but empty"
            yield _finding(
                "secret-missing", "high", name, f"{name} {seen}",
                f"inject the real {name} into the deployment's environment",
            )  # fmt: skip
        elif _is_placeholder(value):
            yield _finding(
                "secret-placeholder", "high", name,
                f"{name} holds a placeholder ({fingerprint(value)})",
                f"replace the placeholder with the real {name}",
            )  # fmt: skip


def _stripe(env: EnvFile, profile: EnvProfile) -> Iterator[Finding]:
    for name in profile.stripe_key_vars:
        value = _set(env, name)
        if value is None or _is_placeholder(value):
            continue
        m = _STRIPE_KEY.match(value.strip())
        if m is None:
            kind = "a publishable key (pk_…)" if value.startswith("pk_") else "not a Stripe key"
            yield _finding(
                "stripe-key-form", "high", name,
                f"{name} is {kind} ({fingerprint(value)}); the server needs sk_… or rk_…",
                "set the secret key (sk_live_…) or a restricted key (rk_live_…) from the "
                "Stripe dashboard",
            )  # fmt: skip
        elif profile.stripe_keys == "live" and m.group(2) == "test":
            yield _finding(
                "stripe-test-key", "high", name,
                f"{name} is a test-mode key ({m.group(1)}_test_…, {fingerprint(value)}); this "
                "profile moves real money and needs a live key",
                f"rotate {name} to the live key ({m.group(1)}_live_…) and restart the platform",
            )  # fmt: skip
        elif profile.stripe_keys == "test" and m.group(2) == "live":
            yield _finding(
                "stripe-live-key", "high", name,
                f"{name} is a live-mode key ({m.group(1)}_live_…, {fingerprint(value)}) in a "
                "profile that must not move real money",
                f"use a test-mode key ({m.group(1)}_test_…) here and revoke the exposed live key",
            )  # fmt: skip
    for name in profile.webhook_secret_vars:
        value = _set(env, name)
        if value is None or _is_placeholder(value):
            continue
        # a list holds the current secret and, during a rotation, the previous one
        parts = value.split(",") if profile.webhook_secret_lists else [value]
        if all(_WHSEC.match(part.strip()) for part in parts):
            continue
        yield _finding(
            "webhook-secret-form", "high", name,
            f"{name} is not a Stripe webhook signing secret (whsec_…, {fingerprint(value)})",
            "copy the endpoint's signing secret (whsec_…) from the Stripe dashboard",
        )  # fmt: skip


def _adyen(env: EnvFile, profile: EnvProfile) -> Iterator[Finding]:
    name = profile.adyen_hmac_key_var
    value = _set(env, name)
    if value is None or _is_placeholder(value) or _HEX64.match(value.strip()):
        return
    hexness = "hexadecimal" if re.fullmatch(r"[0-9A-Fa-f]+", value.strip()) else "not hexadecimal"
    yield _finding(
        "adyen-hmac-key-form", "high", name,
        f"{name} is {len(value.strip())} characters and {hexness} ({fingerprint(value)}); "
        "Adyen HMAC keys are 64 hexadecimal characters",
        "copy the webhook's HMAC key from the Adyen Customer Area",
    )  # fmt: skip


def _database(env: EnvFile, profile: EnvProfile) -> Iterator[Finding]:
    name = profile.database_url_var
    value = _set(env, name)
    if value is None:
        return
    dsn = value.strip()
    scheme = dsn.split("://", 1)[0].lower() if "://" in dsn else ""
    if scheme.startswith("sqlite") or (
        not scheme and re.search(r"\.(db|sqlite3?)$", dsn, re.IGNORECASE)
    ):
        if not profile.sqlite_allowed:
            yield _finding(
                "database-sqlite", "high", name,
                f"{name} points at SQLite ({fingerprint(value)})",
                "use the managed PostgreSQL database (with TLS) for this environment",
            )  # fmt: skip
        return
    if not profile.database_tls:
        return
    try:
        mode = _sslmode(dsn, scheme)
    except ValueError as exc:
        yield _finding(
            "database-url-form", "high", name, f"{name} cannot be read: {exc}",
            "write a PostgreSQL URL (postgresql://user@host/db?sslmode=verify-full) or "
            "key=value DSN",
        )  # fmt: skip
        return
    if scheme and not scheme.startswith("postgres"):
        yield _finding(
            "database-tls-unknown", "medium", name,
            f"{name} uses {scheme!r}, not PostgreSQL; golive cannot judge its TLS setting",
            "check TLS by hand and waive this finding, or use PostgreSQL",
        )  # fmt: skip
        return
    if mode is None and _set(env, "PGSSLMODE"):  # libpq falls back to the environment
        mode = str(env.get("PGSSLMODE")).strip().lower()
    if mode not in TLS_MODES:
        seen = (
            "has no sslmode and PGSSLMODE is not set (libpq then uses prefer, which falls "
            "back to plaintext)"
            if mode is None
            else f"says sslmode={mode}, which does not require TLS"
        )
        yield _finding(
            "database-no-tls", "high", name, f"{name} {seen}",
            "add sslmode=verify-full (or at least sslmode=require) to the connection string",
        )  # fmt: skip


def _sslmode(dsn: str, scheme: str) -> str | None:
    if scheme:
        try:
            parts = urlsplit(dsn)
            parts.port  # noqa: B018  (raises on a malformed port)
        except ValueError as exc:
            raise ValueError(f"not a URL ({exc})") from None
        modes = parse_qs(parts.query).get("sslmode")
        return modes[-1].lower() if modes else None
    pairs = re.findall(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)", dsn)
    if not pairs:
        raise ValueError("neither a URL nor key=value pairs")
    modes = [v.strip("'") for k, v in pairs if k == "sslmode"]
    return modes[-1].lower() if modes else None
