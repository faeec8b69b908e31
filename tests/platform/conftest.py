"""Fixtures for the reference platform's tests: migrated databases, a fake PSP, servers.

The platform runs in this process (uvicorn in a thread) against a database cloned from a
migrated template; the fake PSP runs the same way. Nothing here imports golive except the
shared Postgres fixtures (registered in the top-level conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from refbank import Config, Faults, Platform, PspConfig, migrate
from refbank.api import build_app
from tests.platform import signing
from tests.platform.bank import Bank
from tests.platform.fake_psp import FakePsp
from tests.platform.serving import ThreadServer

BankFactory = Callable[..., Bank]


def migrated_to(schema: int) -> Callable[[str], None]:
    return lambda dsn: migrate(dsn, schema)


@pytest.fixture
def fake_psp() -> Iterator[tuple[FakePsp, str]]:
    psp = FakePsp()
    with ThreadServer(psp.app()) as server:
        yield psp, server.url


def psp_config(url: str) -> PspConfig:
    return PspConfig(
        stripe_api_base=f"{url}/stripe",
        stripe_api_key="sk_test_refbank_tests",
        stripe_webhook_secrets=(signing.STRIPE_SECRET,),
        adyen_api_base=f"{url}/adyen",
        adyen_api_key="AQE_test_refbank_tests",
        adyen_hmac_key=signing.ADYEN_HMAC_KEY,
        adyen_merchant_account=signing.ADYEN_MERCHANT,
    )


@pytest.fixture
def new_db(pg_templates):  # type: ignore[no-untyped-def]
    """``new_db(schema)``: the DSN of a fresh database migrated to ``schema`` (dropped after)."""
    made = []

    def make(schema: int = 2) -> str:
        db = pg_templates.clone(f"refbank-schema-{schema}", migrated_to(schema))
        made.append(db)
        return str(db.dsn)

    yield make
    for db in made:
        db.drop()


def open_bank(
    stack: ExitStack,
    dsn: str,
    psp: FakePsp,
    psp_url: str,
    *,
    app_version: str = "2",
    faults: tuple[str, ...] = (),
    **options: Any,
) -> Bank:
    """Serve refbank on ``dsn`` in a thread until ``stack`` closes."""
    config = Config(
        dsn=dsn,
        app_version=app_version,
        faults=Faults.parse(faults),
        psp=options.pop("psp_settings", None) or psp_config(psp_url),
        pool_size=options.pop("pool_size", 8),
        **options,
    )
    platform = Platform(config)
    stack.callback(platform.close)
    server = stack.enter_context(ThreadServer(build_app(platform)))
    http = stack.enter_context(httpx.Client(base_url=server.url, timeout=30))
    return Bank(server.url, platform, dsn, psp, http)


@pytest.fixture
def bank_factory(new_db, fake_psp) -> Iterator[BankFactory]:  # type: ignore[no-untyped-def]
    """``bank_factory(app_version="2", faults=(), dsn=None, **config)`` → a running Bank."""
    psp, psp_url = fake_psp
    with ExitStack() as stack:

        def make(app_version: str = "2", dsn: str | None = None, **options: Any) -> Bank:
            dsn = dsn or new_db(int(app_version))
            return open_bank(stack, dsn, psp, psp_url, app_version=app_version, **options)

        yield make


@pytest.fixture
def bank(bank_factory: BankFactory) -> Bank:
    """A correct (no faults) platform, app and schema version 2."""
    return bank_factory()
