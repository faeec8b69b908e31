from __future__ import annotations

from pathlib import Path

import pytest

from golive.config import BUILTIN_PROFILES, EnvProfile
from golive.envcheck import fingerprint, read_env_file, run_checks

from .conftest import GOOD

PROD = BUILTIN_PROFILES["production"]


def _ids(env_path: Path, profile: EnvProfile = PROD) -> dict[str, str]:
    return {f.id: f.risk for f in run_checks(read_env_file(env_path), profile)}


def test_a_good_production_environment_has_no_findings(write_env) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env()) == {}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_missing_required_secret_is_a_finding(write_env, name: str) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({name: None})) == {f"secret-missing:{name}": "high"}


def test_an_empty_or_blank_secret_is_missing(write_env) -> None:  # type: ignore[no-untyped-def]
    found = run_checks(read_env_file(write_env({"ADYEN_API_KEY": "'   '"})), PROD)
    assert [(f.id, f.detail) for f in found] == [
        ("secret-missing:ADYEN_API_KEY", "ADYEN_API_KEY is set but empty")
    ]


@pytest.mark.parametrize("value", ["changeme", "<your key>", "${ADYEN_KEY}", "xxxxx", "TODO"])
def test_a_placeholder_is_a_finding(write_env, value: str) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({"ADYEN_API_KEY": f"'{value}'"})) == {
        "secret-placeholder:ADYEN_API_KEY": "high"
    }


def test_a_test_stripe_key_is_a_finding_in_production(write_env) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({"STRIPE_SECRET_KEY": "sk_test_51Habcdefghijkl"})) == {
        "stripe-test-key:STRIPE_SECRET_KEY": "high"
    }


def test_a_restricted_live_key_is_fine(write_env) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({"STRIPE_SECRET_KEY": "rk_live_51Habcdefghijkl"})) == {}


def test_a_live_stripe_key_is_a_finding_in_staging(write_env) -> None:  # type: ignore[no-untyped-def]
    env = write_env()
    assert _ids(env, BUILTIN_PROFILES["staging"]) == {"stripe-live-key:STRIPE_SECRET_KEY": "high"}


@pytest.mark.parametrize("value", ["pk_live_51Habcdefghijkl", "51Habcdefghijkl", "sk_live_x"])
def test_not_a_stripe_secret_key(write_env, value: str) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({"STRIPE_SECRET_KEY": value})) == {
        "stripe-key-form:STRIPE_SECRET_KEY": "high"
    }


@pytest.mark.parametrize("value", ["sk_live_51Habcdefghijkl", "whsec_short", "secret_" + "a" * 30])
def test_a_webhook_secret_must_be_whsec(write_env, value: str) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({"STRIPE_WEBHOOK_SECRET": value})) == {
        "webhook-secret-form:STRIPE_WEBHOOK_SECRET": "high"
    }


@pytest.mark.parametrize("value", ["44782DEF547AAA06", "Z" * 64, "44782DEF" * 9])
def test_the_adyen_hmac_key_is_64_hex_characters(write_env, value: str) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({"ADYEN_HMAC_KEY": value})) == {
        "adyen-hmac-key-form:ADYEN_HMAC_KEY": "high"
    }


def test_lower_case_hex_hmac_key_is_fine(write_env) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({"ADYEN_HMAC_KEY": GOOD["ADYEN_HMAC_KEY"].lower()})) == {}


@pytest.mark.parametrize(
    "dsn", ["sqlite:///var/lib/app.db", "sqlite+aiosqlite:///app.db", "/var/lib/app.sqlite3"]
)
def test_sqlite_is_a_finding_in_production(write_env, dsn: str) -> None:  # type: ignore[no-untyped-def]
    assert _ids(write_env({"DATABASE_URL": dsn})) == {"database-sqlite:DATABASE_URL": "high"}


def test_sqlite_is_allowed_in_development(write_env) -> None:  # type: ignore[no-untyped-def]
    env = write_env({"DATABASE_URL": "sqlite:///dev.db", "STRIPE_SECRET_KEY": "sk_test_abcdefghij"})
    assert _ids(env, BUILTIN_PROFILES["development"]) == {}


@pytest.mark.parametrize(
    ("dsn", "ok"),
    [
        ("postgresql://app@db/bank?sslmode=require", True),
        ("postgres://app@db/bank?sslmode=verify-ca", True),
        ("postgresql+psycopg://app@db/bank?sslmode=verify-full", True),
        ("postgresql://app@db/bank", False),
        ("postgresql://app@db/bank?sslmode=prefer", False),
        ("postgresql://app@db/bank?sslmode=disable", False),
        ("host=db dbname=bank sslmode=verify-full", True),
        ("host=db dbname=bank sslmode='require'", True),
        ("host=db dbname=bank", False),
    ],
)
def test_the_database_requires_tls(write_env, dsn: str, ok: bool) -> None:  # type: ignore[no-untyped-def]
    expected = {} if ok else {"database-no-tls:DATABASE_URL": "high"}
    assert _ids(write_env({"DATABASE_URL": f'"{dsn}"'})) == expected


def test_pgsslmode_in_the_environment_counts(write_env) -> None:  # type: ignore[no-untyped-def]
    env = write_env({"DATABASE_URL": "postgresql://app@db/bank", "PGSSLMODE": "verify-full"})
    assert _ids(env) == {}


def test_other_databases_cannot_be_judged(write_env) -> None:  # type: ignore[no-untyped-def]
    env = write_env({"DATABASE_URL": "mysql://app@db/bank"})
    assert _ids(env) == {"database-tls-unknown:DATABASE_URL": "medium"}


def test_an_unreadable_url_is_a_finding(write_env) -> None:  # type: ignore[no-untyped-def]
    env = write_env({"DATABASE_URL": "postgresql://app@db:notaport/bank?sslmode=require"})
    assert _ids(env) == {"database-url-form:DATABASE_URL": "high"}


def test_findings_never_carry_a_secret_value(write_env) -> None:  # type: ignore[no-untyped-def]
    bad = {
        "STRIPE_SECRET_KEY": "sk_test_SECRETPART1234",
        "STRIPE_WEBHOOK_SECRET": "notwhsecSECRETPART5678",
        "ADYEN_HMAC_KEY": "SECRETPART9abc",
        "DATABASE_URL": "postgresql://app:SECRETPARTpw@db/bank",
    }
    found = run_checks(read_env_file(write_env(bad)), PROD)
    assert len(found) == 4
    for f in found:
        assert "SECRETPART" not in f"{f.id} {f.detail} {f.fix}"
    assert fingerprint(bad["STRIPE_SECRET_KEY"]) in found[0].detail


def test_fingerprint_is_a_short_sha256_prefix() -> None:
    assert fingerprint("abc") == "sha256:ba7816bf8f01"
