"""`golive psp serve`: run the stub PSP in the foreground."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path

import typer
import uvicorn

from golive.errors import ConfigError
from golive.options import check_out_dir, path_value, port_value
from golive.psp.provider import SHARED, names
from golive.psp.server import bind, create_app, uvicorn_config
from golive.psp.signing import is_hex_key
from golive.psp.state import StubPSP

psp_app = typer.Typer(
    help=(
        "The stub PSP: a stateful Stripe- and Adyen-shaped emulator with signed, "
        "at-least-once webhooks, a virtual clock and fault injection (docs/psp.md)."
    ),
    no_args_is_help=True,
)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@psp_app.command("serve")
def serve(
    port: int = typer.Option(
        12111, "--port", parser=port_value, help="TCP port (0 = any free port)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback)."),
    speed: float = typer.Option(
        1.0, "--speed", help="Virtual seconds per real second (0 = frozen, advance by hand)."
    ),
    stripe_webhook_url: str | None = typer.Option(None, help="Deliver Stripe webhooks here."),
    stripe_webhook_secret: str | None = typer.Option(
        None,
        envvar="GOLIVE_PSP_STRIPE_WEBHOOK_SECRET",
        show_default=False,
        help="Stripe endpoint secret (whsec_...); generated when absent.",
    ),
    adyen_webhook_url: str | None = typer.Option(None, help="Deliver Adyen notifications here."),
    adyen_hmac_key: str | None = typer.Option(
        None,
        envvar="GOLIVE_PSP_ADYEN_HMAC_KEY",
        show_default=False,
        help="Adyen HMAC key (64 hex characters); generated when absent.",
    ),
    stripe_api_key: str | None = typer.Option(
        None,
        envvar="GOLIVE_PSP_STRIPE_API_KEY",
        show_default=False,
        help="Accept only this sk_test_ key (default: any sk_test_ key).",
    ),
    adyen_api_key: str | None = typer.Option(
        None,
        envvar="GOLIVE_PSP_ADYEN_API_KEY",
        show_default=False,
        help="Accept only this X-API-Key (default: any non-empty key).",
    ),
    secrets_out: Path | None = typer.Option(
        None, parser=path_value, help="Write the webhook secrets as JSON to this file (mode 0600)."
    ),
    seed: int | None = typer.Option(None, help="Seed for ids and fault dice."),
    delivery_timeout: float = typer.Option(10.0, help="Seconds a receiver has to answer."),
    allow_non_loopback: bool = typer.Option(False, help="Allow listening beyond loopback."),
    allow_remote_webhooks: bool = typer.Option(
        False, help="Allow webhook URLs beyond loopback (e.g. a platform in a container)."
    ),
) -> None:
    """Serve the stub PSP: Stripe under /stripe, Adyen under /adyen, control under /_stub."""
    if not _loopback(host) and not allow_non_loopback:
        raise ConfigError(
            f"--host {host!r} is not a loopback address: the stub is a test double and "
            "should not be reachable from other machines; use 127.0.0.1, or pass "
            "--allow-non-loopback if you really mean it"
        )
    if not 0 <= speed < float("inf"):
        raise ConfigError(f"--speed {speed!r} is not 0 (frozen) or a positive number")
    if not 0 < delivery_timeout < float("inf"):
        raise ConfigError(
            f"--delivery-timeout {delivery_timeout!r} must be a positive number of seconds"
        )
    for flag, given in (
        ("--stripe-webhook-secret", stripe_webhook_secret),
        ("--adyen-hmac-key", adyen_hmac_key),
        ("--stripe-api-key", stripe_api_key),
        ("--adyen-api-key", adyen_api_key),
    ):
        if given is not None and not given.strip():
            raise ConfigError(f"{flag} is empty; leave it out to have one generated or accepted")
    if adyen_hmac_key is not None and not is_hex_key(adyen_hmac_key):
        raise ConfigError(
            "the Adyen HMAC key is not hexadecimal (expected 64 hex characters, as Adyen's "
            "Customer Area shows it); fix --adyen-hmac-key / GOLIVE_PSP_ADYEN_HMAC_KEY"
        )
    if stripe_api_key is not None and not stripe_api_key.startswith(("sk_test_", "rk_test_")):
        raise ConfigError(
            "--stripe-api-key (GOLIVE_PSP_STRIPE_API_KEY) must be a test-mode key (sk_test_... "
            "or rk_test_...): the stub never takes a live key"
        )
    try:
        psp = StubPSP(
            speed=speed,
            seed=seed,
            stripe_api_key=stripe_api_key,
            adyen_api_key=adyen_api_key,
            stripe_webhook_url=stripe_webhook_url,
            stripe_webhook_secret=stripe_webhook_secret,
            adyen_webhook_url=adyen_webhook_url,
            adyen_hmac_key=adyen_hmac_key,
            delivery_timeout=delivery_timeout,
            allow_remote_webhooks=allow_remote_webhooks,
        )
    except ValueError as exc:
        raise ConfigError(f"{exc}; pass a 127.0.0.1 URL or --allow-remote-webhooks") from None
    if secrets_out is not None:
        check_out_dir(secrets_out.parent, "--secrets-out")
        if not secrets_out.parent.is_dir():
            raise ConfigError(
                f"--secrets-out {str(secrets_out)!r}: the folder {str(secrets_out.parent)!r} "
                "does not exist; create it first or name a file in an existing folder"
            )
        if secrets_out.is_dir():
            raise ConfigError(f"--secrets-out {str(secrets_out)!r} is a folder; name a file")
    try:  # the port first: nothing is written when it is taken
        sock = bind(host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc}; pick another --port") from None
    if secrets_out is not None:
        _write_secrets(secrets_out, psp.startup_secrets())
    actual = sock.getsockname()[1]
    base = f"http://{host}:{actual}"
    served = ", ".join(f"{name} {base}/{name}" for name in names())
    typer.echo(f"golive psp stub on {base}  ({served}, control {base}/_stub)", err=True)
    for provider in psp.startup_secrets():
        where = "written to --secrets-out" if secrets_out else "not shown; use --secrets-out"
        typer.echo(f"  {provider} webhooks: signing secret {where}", err=True)
    server = uvicorn.Server(uvicorn_config(create_app(psp), host, actual))
    psp.start()
    try:
        server.run(sockets=[sock])
    finally:
        psp.stop()
        sock.close()


def _write_secrets(path: Path, secrets: dict[str, str]) -> None:
    keys = dict(zip(SHARED, ("stripe_webhook_secret", "adyen_hmac_key"), strict=True))
    data = {keys[k]: v for k, v in secrets.items()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
    os.chmod(path, 0o600)
