"""The platform's configuration: flags first, then ``REFBANK_*`` environment variables.

Secrets (API keys, webhook secrets, the HMAC key) never appear in ``repr`` or in logs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from refbank.errors import ConfigError
from refbank.faults import NO_FAULTS, Faults, UnknownFault

APP_VERSIONS = ("1", "2")


@dataclass(frozen=True)
class PspConfig:
    """Where the PSPs live and the secrets the platform shares with them."""

    stripe_api_base: str | None = None
    stripe_api_key: str = field(default="", repr=False)
    stripe_webhook_secrets: tuple[str, ...] = field(default=(), repr=False)
    adyen_api_base: str | None = None
    adyen_api_key: str = field(default="", repr=False)
    adyen_hmac_key: str = field(default="", repr=False)
    adyen_merchant_account: str = "RefbankECOM"
    braintree_api_base: str | None = None
    braintree_merchant_id: str = "refbank"
    braintree_public_key: str = ""  # with the private key: API auth and webhook signatures
    braintree_private_key: str = field(default="", repr=False)
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Config:
    dsn: str = field(repr=False)
    app_version: str = "1"
    host: str = "127.0.0.1"
    port: int = 8000
    faults: Faults = NO_FAULTS
    psp: PspConfig = field(default_factory=PspConfig)
    pool_size: int = 10
    # a PSP webhook later than this after its finance job was created is "late"
    job_late_seconds: float = 2.0
    migrate: bool = False


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dsn", help="Postgres DSN (env REFBANK_DSN)")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch a catalogued fault on (repeatable; also GOLIVE_PLATFORM_FAULTS)",
    )


def add_serve(p: argparse.ArgumentParser) -> None:
    add_common(p)
    a = p.add_argument
    a("--host", help="listen address (env REFBANK_HOST, default 127.0.0.1)")
    a("--port", type=int, help="listen port (env REFBANK_PORT, default 8000)")
    a("--app-version", choices=APP_VERSIONS, help="release to run (env REFBANK_APP_VERSION)")
    a("--stripe-api-base", help="Stripe API base URL (env REFBANK_STRIPE_API_BASE)")
    a("--stripe-api-key", help="Stripe secret key (env REFBANK_STRIPE_API_KEY)")
    a(
        "--stripe-webhook-secret",
        action="append",
        default=[],
        help="Stripe webhook signing secret; repeat during rotation "
        "(env REFBANK_STRIPE_WEBHOOK_SECRETS, comma-separated)",
    )
    a("--adyen-api-base", help="Adyen API base URL (env REFBANK_ADYEN_API_BASE)")
    a("--adyen-api-key", help="Adyen API key (env REFBANK_ADYEN_API_KEY)")
    a("--adyen-hmac-key", help="Adyen notification HMAC key, hex (env REFBANK_ADYEN_HMAC_KEY)")
    a("--adyen-merchant-account", help="Adyen merchant account (REFBANK_ADYEN_MERCHANT_ACCOUNT)")
    a("--pool-size", type=int, help="database connections (env REFBANK_POOL_SIZE, default 10)")
    a("--job-late-seconds", type=float, help="when a webhook counts as late (default 2)")
    a(
        "--migrate",
        action="store_true",
        default=None,
        help="upgrade the schema to the app version's before serving (env REFBANK_MIGRATE=1)",
    )


def _pick(
    flag: object, env: Mapping[str, str], name: str, default: str | None = None
) -> str | None:
    if flag not in (None, "", []):
        return str(flag)
    return env.get(name) or default


def faults_of(args: argparse.Namespace, env: Mapping[str, str]) -> Faults:
    try:
        return Faults.from_config(args.fault, env)
    except UnknownFault as exc:
        raise ConfigError(str(exc)) from None


def dsn_of(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    dsn = _pick(args.dsn, env, "REFBANK_DSN")
    if not dsn:
        raise ConfigError(
            "no database: pass --dsn postgresql://user:password@127.0.0.1:5432/db "
            "or set REFBANK_DSN"
        )
    return dsn


def _hex_key(value: str) -> str:
    try:
        bytes.fromhex(value)
    except ValueError:
        raise ConfigError(
            "the Adyen HMAC key is not hexadecimal: copy it as shown in the Adyen customer "
            "area (64 hex digits), e.g. via REFBANK_ADYEN_HMAC_KEY"
        ) from None
    return value


def from_args(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Config:
    """The serve configuration from parsed flags plus the environment."""
    env = os.environ if env is None else env
    secrets: Sequence[str] = args.stripe_webhook_secret or [
        s.strip() for s in env.get("REFBANK_STRIPE_WEBHOOK_SECRETS", "").split(",") if s.strip()
    ]
    version = _pick(args.app_version, env, "REFBANK_APP_VERSION", "1")
    if version not in APP_VERSIONS:
        raise ConfigError(f"app version {version!r} does not exist: choose 1 or 2")
    try:
        port = int(_pick(args.port, env, "REFBANK_PORT", "8000") or 8000)
        pool = int(_pick(args.pool_size, env, "REFBANK_POOL_SIZE", "10") or 10)
        late = float(_pick(args.job_late_seconds, env, "REFBANK_JOB_LATE_SECONDS", "2") or 2)
    except ValueError as exc:
        raise ConfigError(f"a numeric setting is not a number: {exc}") from None
    psp = PspConfig(
        stripe_api_base=_pick(args.stripe_api_base, env, "REFBANK_STRIPE_API_BASE"),
        stripe_api_key=_pick(args.stripe_api_key, env, "REFBANK_STRIPE_API_KEY", "") or "",
        stripe_webhook_secrets=tuple(secrets),
        adyen_api_base=_pick(args.adyen_api_base, env, "REFBANK_ADYEN_API_BASE"),
        adyen_api_key=_pick(args.adyen_api_key, env, "REFBANK_ADYEN_API_KEY", "") or "",
        adyen_hmac_key=_hex_key(
            _pick(args.adyen_hmac_key, env, "REFBANK_ADYEN_HMAC_KEY", "") or ""
        ),
        adyen_merchant_account=_pick(
            args.adyen_merchant_account, env, "REFBANK_ADYEN_MERCHANT_ACCOUNT", "RefbankECOM"
        )
        or "RefbankECOM",
        braintree_api_base=env.get("REFBANK_BRAINTREE_API_BASE") or None,
        braintree_merchant_id=env.get("REFBANK_BRAINTREE_MERCHANT_ID") or "refbank",
        braintree_public_key=env.get("REFBANK_BRAINTREE_PUBLIC_KEY", ""),
        braintree_private_key=env.get("REFBANK_BRAINTREE_PRIVATE_KEY", ""),
    )
    return Config(
        dsn=dsn_of(args, env),
        app_version=version,
        host=_pick(args.host, env, "REFBANK_HOST", "127.0.0.1") or "127.0.0.1",
        port=port,
        faults=faults_of(args, env),
        psp=psp,
        pool_size=pool,
        job_late_seconds=late,
        migrate=bool(args.migrate) or env.get("REFBANK_MIGRATE") == "1",
    )
