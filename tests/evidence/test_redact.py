"""The redactor masks known values, patterns, headers and fields; the scan finds leftovers."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from golive.evidence.redact import Redactor

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
