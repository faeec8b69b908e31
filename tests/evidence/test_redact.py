"""The redactor masks known values, patterns, headers and fields; the scan finds leftovers."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from golive.evidence.redact import Redactor, dsn_passwords, mask_dsn

# Test-only fake credentials, shaped like the real ones.
STRIPE_LIVE = "sk_live_51Habcdefghijklmnopqrstuv"
STRIPE_TEST = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
RESTRICTED = "rk_live_51Hzyxwvutsrqponmlkjihg"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ADYEN_API = (
    "AQEyhmfxK4vMahZDw0m/n3Q5qf3VaY9UCJ1+XWZe9W27jmlZiv4PD4jhfNMofnLr2K5i8/0QwV1bDb7kfNy1WIxIIkxgBw=="
    "-lUKXT9IQ5GZ6d6RH4nnuOG4Bu6o3JB3gzqy6Kb9rBNE=-8<5,Ugg@x5<t_>w8J"
)
ADYEN_HMAC = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"


@pytest.mark.parametrize(
    "secret", [STRIPE_LIVE, STRIPE_TEST, RESTRICTED, WHSEC, ADYEN_API, ADYEN_HMAC]
)
def test_patterns_are_redacted_in_text_and_json(secret: str) -> None:
    r = Redactor()
    text = f"config: key={secret} done"
    clean = r.redact_text(text)
    assert secret not in clean
    assert "[REDACTED:" in clean
    assert clean.startswith("config: key=")
    as_json = json.dumps({"note": f"the key is {secret}"})
    assert secret not in r.redact_text(as_json)
    assert r.scan(text.encode())  # the scan sees the raw secret
    assert r.scan(r.redact_bytes(text.encode())) == []  # and nothing after redaction


def test_sha256_digests_are_not_mistaken_for_hmac_keys() -> None:
    digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert Redactor().redact_text(digest) == digest
    assert Redactor().redact_text("1" * 64) == "1" * 64


def test_hmac_key_after_its_name_is_redacted_in_any_case() -> None:
    lower = ADYEN_HMAC.lower()
    clean = Redactor().redact_text(f'{{"hmacKey": "{lower}"}}')
    assert lower not in clean


def test_known_values_in_encoded_forms() -> None:
    r = Redactor()
    secret = 'pa$$ "word"/with+chars'
    r.register(secret)
    for form in (
        secret,
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
        base64.b64encode(secret.encode()).decode().rstrip("="),
    ):
        assert form not in r.redact_text(f"x {form} y"), form


def test_short_values_are_not_registered() -> None:
    r = Redactor()
    r.register("abc")
    assert r.redact_text("abc") == "abc"


def test_environment_registration_picks_secret_names_only() -> None:
    r = Redactor()
    count = r.register_environment(
        {
            "PSP_API_KEY": "value-of-the-key-1",
            "HOME": "/root/home/x",
            "GOLIVE_SIGNING_KEY": "/keys/golive.key",
        }
    )
    assert count == 1
    assert "value-of-the-key-1" not in r.redact_text("value-of-the-key-1")
    assert r.redact_text("/root/home/x /keys/golive.key") == "/root/home/x /keys/golive.key"


def test_headers_by_name() -> None:
    headers = [
        ("Authorization", "Basic dXNlcjpwYXNz"),
        ("Stripe-Signature", "t=1,v1=ab"),
        ("X-API-Key", "whatever-it-is"),
        ("Content-Type", "application/json"),
        ("Cookie", "session=abc"),
    ]
    clean = dict(Redactor().redact_headers(headers))
    assert clean["Content-Type"] == "application/json"
    for name in ("Authorization", "Stripe-Signature", "X-API-Key", "Cookie"):
        assert clean[name] == "[REDACTED:header]"


def test_authorization_in_free_text() -> None:
    r = Redactor()
    for text in (
        "Authorization: Bearer abc.def.ghi-jkl",
        "authorization=Basic dXNlcjpwYXNz",
        '"Authorization": "Token 0123456789abcdef"',
    ):
        clean = r.redact_text(text)
        assert "REDACTED" in clean
        assert not any(part in clean for part in ("abc.def", "dXNlcjpwYXNz", "0123456789abcdef"))


def test_json_fields_by_name() -> None:
    clean = Redactor().redact_json(
        {
            "api_key": "plain-value-1",
            "nested": [{"client_secret": "s3cr3t-v4lue"}],
            "amount": 1000,
            "password": "",
            "idempotency_key": "k-1",
        }
    )
    assert clean["api_key"] == "[REDACTED:field]"
    assert clean["nested"][0]["client_secret"] == "[REDACTED:field]"
    assert clean["amount"] == 1000
    assert clean["idempotency_key"] == "k-1"


def test_scan_reports_offsets_and_kinds_without_the_secret() -> None:
    data = b"ok\n-----BEGIN PRIVATE KEY-----\nMC4CAQ...\n"
    findings = Redactor().scan(data)
    assert [(f.offset, f.kind) for f in findings] == [(3, "private-key-block")]
    # private keys are refused, not masked: the redactor leaves them for the scan to stop
    assert Redactor().redact_bytes(data) == data


# -- credentials in URLs and DSNs --------------------------------------------------------------

DSN_PASSWORD = "Pl4nted-pass_word"


@pytest.mark.parametrize(
    "text",
    [
        f"Stack(database_dsn='postgresql://golive:{DSN_PASSWORD}@127.0.0.1:5432/golive_1')",
        f"postgres://golive:{DSN_PASSWORD}@db.internal/ledger?sslmode=require",
        f"https://user:{DSN_PASSWORD}@proxy.example:8443/path",
        f"redis://:{DSN_PASSWORD}@127.0.0.1:6379/0",
        f"postgresql://golive@db/ledger?password={DSN_PASSWORD}&sslmode=require",
        f"host=db port=5432 user=golive password={DSN_PASSWORD} dbname=ledger",
        f"host=db password='{DSN_PASSWORD} x' user=golive",
        f"PGPASSWORD={DSN_PASSWORD} pg_dump -Fc ledger",
        f"{{'PGHOST': 'db', 'PGPASSWORD': '{DSN_PASSWORD}'}}",
        json.dumps({"db": {"password": DSN_PASSWORD}}),
        json.dumps({"note": json.dumps({"db_password": DSN_PASSWORD})}),  # JSON inside JSON
        f"DbSettings(user='golive', password='{DSN_PASSWORD}')",
    ],
)
def test_credentials_in_urls_and_dsns_are_redacted_and_scanned(text: str) -> None:
    r = Redactor()  # nothing registered: the rules alone find them
    clean = r.redact_text(text)
    assert DSN_PASSWORD not in clean
    assert "[REDACTED:" in clean
    assert r.scan(text.encode())
    assert r.scan(clean.encode()) == []  # a masked value is not a finding again
    if text.startswith('{"'):
        assert json.loads(clean)  # JSON stays JSON


@pytest.mark.parametrize(
    "text",
    [
        "password=None",
        '{"password": null, "passwd": ""}',
        "http://127.0.0.1:8080/v1/accounts?limit=10",
        "postgresql://golive@127.0.0.1:5432/postgres",
        "git+ssh://git@github.com/org/repo.git",
        "password=[REDACTED:password] and postgresql://u:[REDACTED:url-password]@h/db",
    ],
)
def test_url_and_password_rules_leave_harmless_text_alone(text: str) -> None:
    r = Redactor()
    assert r.redact_text(text) == text
    assert r.scan(text.encode()) == []


def test_user_and_host_survive_url_redaction() -> None:
    clean = Redactor().redact_text(f"postgresql://golive:{DSN_PASSWORD}@10.0.0.5:5432/ledger")
    assert clean == "postgresql://golive:[REDACTED:url-password]@10.0.0.5:5432/ledger"


def test_a_dsn_password_is_registered_with_its_encoded_forms() -> None:
    r = Redactor()
    secret = "p@ss/word%42"
    assert r.register_dsn(f"postgresql://golive:{quote(secret, safe='')}@db/x") > 0
    for form in (secret, quote(secret, safe=""), quote(secret)):
        assert form not in r.redact_text(f"seen: {form} ."), form
    # the bare password, far from any DSN, is a known secret now
    assert r.scan(f"log line {secret}".encode())[0].kind == "known-secret"


def test_key_value_dsn_password_is_registered_unquoted() -> None:
    r = Redactor()
    r.register_dsn("host=db user=u password='it\\'s-a-secret' dbname=x")
    assert "it's-a-secret" not in r.redact_text("value: it's-a-secret")


def test_environment_registration_reads_dsns_in_any_variable() -> None:
    r = Redactor()
    count = r.register_environment(
        {
            "GOLIVE_TARGET_DB": f"postgresql://readonly:{DSN_PASSWORD}@db/platform",
            "GOLIVE_POSTGRES": "host=db user=x password=another-pg-password",
            "HOME": "/root",
        }
    )
    assert count == 2
    clean = r.redact_text(f"{DSN_PASSWORD} another-pg-password /root")
    assert clean == "[REDACTED:known-secret] [REDACTED:known-secret] /root"


@pytest.mark.parametrize("prefix", [b"", b"x", b"xy", b"xyz"])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_known_values_inside_base64_at_any_alignment(prefix: bytes, encode: object) -> None:
    r = Redactor()
    secret = "s3cret>>value??~~"  # its base64 holds '+' and '/' (or '-' and '_')
    r.register(secret)
    assert callable(encode)
    blob = encode(b'{"dsn": "' + prefix + secret.encode() + b'", "more": 1}')
    assert r.scan(blob), blob
    assert r.scan(r.redact_bytes(blob)) == []


def test_mask_dsn_keeps_everything_but_the_password() -> None:
    assert mask_dsn(None) is None
    assert mask_dsn("host=db password=abc user=u") == "host=db password=[REDACTED:password] user=u"
    assert mask_dsn("postgresql://u:abc@db:5/x") == "postgresql://u:[REDACTED:url-password]@db:5/x"
    assert dsn_passwords("postgresql://u@db/x") == set()
