"""The stub PSP where [psp] says, the public URL the platform is told, and the webhook secrets
golive generates and hands to the platform (external: a file for set_webhook_secrets;
embedded: the env file the platform starts from)."""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import stripe
from Adyen.util import is_valid_hmac_notification

from golive.config_target import PspSettings
from golive.envcheck.envfile import read_env_file
from golive.errors import ConfigError
from golive.operations.secrets import SecretsFile, read_secrets_file
from golive.postgres.base import free_port
from golive.psp import StubControl
from golive.psp.binding import serve_stub
from golive.psp.secrets import ADYEN_VAR, STRIPE_VAR, WebhookSecrets
from golive.stack import EmbeddedPlatform, PspWiring, external_stack
from tests.psp.receiver import Receiver


@pytest.fixture
def platform() -> Iterator[Receiver]:
    """A stand-in for an external platform: records the webhooks the stub delivers."""
    r = Receiver()
    yield r
    r.stop()


def test_the_stub_listens_on_the_configured_port_and_the_platform_is_told_the_public_url() -> None:
    port = free_port()
    settings = PspSettings(port=port, public_url="http://psp.ci.internal:8443")
    with serve_stub(settings) as served:
        assert served.stub.port == port
        assert served.stripe_base == "http://psp.ci.internal:8443/stripe"
        assert served.adyen_base == "http://psp.ci.internal:8443/adyen"
        clock = httpx.get(f"http://127.0.0.1:{port}/_stub/clock", timeout=5)
        assert clock.status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/_stub/clock", timeout=2)


def test_without_a_public_url_the_platform_is_told_the_bind_address() -> None:
    with serve_stub(PspSettings()) as served:
        assert served.public_url == f"http://127.0.0.1:{served.stub.port}"
        assert served.stripe_base.endswith(f":{served.stub.port}/stripe")


def test_a_busy_port_is_a_configuration_error_naming_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as err, serve_stub(PspSettings(port=port)):
            pass
    assert f"127.0.0.1:{port}" in str(err.value)
    assert "[psp] host and port" in str(err.value)


def test_generated_secrets_are_fresh_well_formed_and_never_shown() -> None:
    one, two = WebhookSecrets.generate(), WebhookSecrets.generate()
    assert one.stripe != two.stripe
    assert one.adyen_hmac != two.adyen_hmac
    assert one.stripe.startswith("whsec_")
    assert len(bytes.fromhex(one.adyen_hmac)) == 32
    assert one.stripe not in repr(one)
    assert one.adyen_hmac not in repr(one)


def test_the_hand_over_file_is_private_and_reads_back(tmp_path: Path) -> None:
    hooks = WebhookSecrets.generate()
    path = hooks.write(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_secrets_file(path) == SecretsFile((hooks.stripe,), hooks.adyen_hmac)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, STRIPE_VAR),
        ({STRIPE_VAR: "whsec_abcdefghijklmnop"}, ADYEN_VAR),
        ({STRIPE_VAR: "whsec_abcdefghijklmnop", ADYEN_VAR: "not-hex-zz"}, "hexadecimal"),
    ],
)
def test_shared_secrets_must_both_be_set(env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as err:
        WebhookSecrets.from_environment(env)
    assert says in str(err.value)
    assert "not-hex-zz" not in str(err.value)


def test_generate_without_a_way_to_hand_over_is_refused(platform: Receiver) -> None:
    settings = PspSettings(webhook_secrets="generate")
    with pytest.raises(ConfigError, match="set_webhook_secrets"):  # noqa: SIM117
        with external_stack(f"http://127.0.0.1:{platform.port}", psp=settings):
            pass


def _signed_webhooks(
    stack_psp_url: str, platform: Receiver
) -> tuple[bytes, str, dict[str, object]]:
    """One Stripe event and one Adyen notification, as the platform received them."""
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": f"{stack_psp_url}/stripe"})
    client.v1.payouts.create(params={"amount": 100, "currency": "eur"})
    body = {
        "amount": {"value": 1000, "currency": "EUR"}, "merchantAccount": "GoliveStubECOM",
        "reference": "order-1", "paymentMethod": {"type": "scheme"},
    }  # fmt: skip
    paid = httpx.post(
        f"{stack_psp_url}/adyen/checkout/v71/payments", json=body,
        headers={"x-api-key": "k"}, timeout=5,
    )  # fmt: skip
    assert paid.status_code == 200, paid.text
    control = StubControl(stack_psp_url)
    try:
        assert control.flush().idle
    finally:
        control.close()
    stripe_hits = [r for r in platform.received if r.path == "/webhooks/stripe"]
    adyen_hits = [r for r in platform.received if r.path == "/webhooks/adyen"]
    assert stripe_hits
    assert adyen_hits
    note = json.loads(adyen_hits[0].body)
    return stripe_hits[0].body, stripe_hits[0].headers["stripe-signature"], note


def test_generated_secrets_are_handed_over_and_sign_the_webhooks(platform: Receiver) -> None:
    handed: list[SecretsFile] = []

    def set_webhook_secrets(path: Path) -> None:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        handed.append(read_secrets_file(path))

    settings = PspSettings(webhook_secrets="generate", port=free_port())
    url = f"http://127.0.0.1:{platform.port}"
    with external_stack(url, psp=settings, hand_over=set_webhook_secrets) as stack:
        [secrets] = handed
        assert stack.wiring.stripe_webhook_secrets == list(secrets.stripe)
        assert stack.wiring.adyen_hmac_key == secrets.adyen_hmac_key
        body, sig, note = _signed_webhooks(stack.psp_url, platform)
    event = stripe.Webhook.construct_event(body, sig, secrets.stripe[0])
    assert event.type.startswith("payout.")
    assert is_valid_hmac_notification(note, secrets.adyen_hmac_key)
    assert not is_valid_hmac_notification(note, "00" * 32)


def test_each_run_generates_new_secrets(platform: Receiver) -> None:
    seen: list[str] = []

    def set_webhook_secrets(path: Path) -> None:
        seen.append(read_secrets_file(path).stripe[0])

    settings = PspSettings(webhook_secrets="generate", port=free_port())
    for _ in range(2):
        with external_stack(
            f"http://127.0.0.1:{platform.port}", psp=settings, hand_over=set_webhook_secrets
        ):
            pass
    assert len(seen) == 2
    assert seen[0] != seen[1]


def test_shared_secrets_come_from_the_environment(
    platform: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = WebhookSecrets.generate()
    for name, value in shared.env().items():
        monkeypatch.setenv(name, value)
    settings = PspSettings(port=free_port())
    with external_stack(f"http://127.0.0.1:{platform.port}", psp=settings) as stack:
        body, sig, note = _signed_webhooks(stack.psp_url, platform)
    stripe.Webhook.construct_event(body, sig, shared.stripe)
    assert is_valid_hmac_notification(note, shared.adyen_hmac)


def test_the_embedded_platform_starts_from_the_env_file_it_is_given(tmp_path: Path) -> None:
    hooks = WebhookSecrets.generate()
    wiring = PspWiring(
        "http://psp.ci.internal/stripe", "sk_test_abcdefgh12345678", [hooks.stripe],
        "http://psp.ci.internal/adyen", "AQEabc", hooks.adyen_hmac,
    )  # fmt: skip
    env_file = tmp_path / "refbank.env"
    platform = EmbeddedPlatform(dsn="postgresql://u@127.0.0.1/db", psp=wiring, env_file=env_file)
    deployed = platform._settings_as_deployed()
    assert deployed == platform.settings()
    assert deployed["REFBANK_STRIPE_WEBHOOK_SECRETS"] == hooks.stripe
    assert deployed["REFBANK_STRIPE_API_BASE"] == "http://psp.ci.internal/stripe"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    new = WebhookSecrets.generate().stripe
    wiring.stripe_webhook_secrets = [hooks.stripe, new]  # a rotation: the file follows
    platform._settings_as_deployed()
    assert read_env_file(env_file).vars["REFBANK_STRIPE_WEBHOOK_SECRETS"].value == (
        f"{hooks.stripe},{new}"
    )
