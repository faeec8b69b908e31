"""Fixtures for the restore library's tests: providers, and a small ledger to restore.

Library tests use ``tests/restore/ledger.sql`` (a small double-entry ledger whose database
enforces its invariants), not the reference platform; the drill tests use the platform.
Docker tests skip without an engine unless GOLIVE_REQUIRE_DOCKER is set (then they fail).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.postgres import Instance, InstanceSpec, Provider, create_database
from golive.postgres.binaries import system_binaries
from golive.postgres.local import LocalProvider

SCHEMA = (Path(__file__).parent / "ledger.sql").read_text()


@pytest.fixture(scope="session")
def local_provider() -> Iterator[LocalProvider]:
    if system_binaries() is None:
        pytest.skip("no system Postgres server binaries")
    provider = LocalProvider(prefer="system")
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def docker_provider() -> Iterator[Provider]:
    from golive.postgres.docker import DockerProvider, engine_status, image_name, image_present

    status = engine_status()
    image = os.environ.get("GOLIVE_PG_IMAGE") or image_name()
    if not status.reachable or not image_present(image):
        msg = f"Docker engine or image {image!r} not available ({status.detail})"
        if os.environ.get("GOLIVE_REQUIRE_DOCKER"):
            pytest.fail(msg)
        pytest.skip(msg)
    provider = DockerProvider(image=image)
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def server(local_provider: LocalProvider) -> Instance:
    """One shared local server for tests that only need databases."""
    return local_provider.start_instance(InstanceSpec(settings={"track_commit_timestamp": "on"}))


def make_ledger(instance: Instance, db: str, *, wallets: int = 20, posts: int = 100) -> None:
    """The test ledger in ``db``: a clearing account funds ``wallets``, then ``posts`` transfers."""
    instance.execute(SCHEMA, db)
    instance.execute(
        "INSERT INTO ledger_accounts (kind, owner, currency) "
        f"SELECT 'customer_wallet', 'w' || g, 'EUR' FROM generate_series(1, {wallets}) g",
        db,
    )
    instance.execute(
        "INSERT INTO ledger_accounts (kind, owner, currency) VALUES ('psp_clearing', 'psp', 'EUR')",
        db,
    )
    clearing = wallets + 1
    rng = random.Random(7)
    with instance.connect(db) as conn:
        for w in range(1, wallets + 1):
            conn.execute(f"SELECT post({clearing}, {w}, 100000)")
        for _ in range(posts):
            a, b = rng.sample(range(1, wallets + 1), 2)
            conn.execute(f"SELECT post({a}, {b}, {rng.randint(1, 500)})")


@pytest.fixture
def ledger_db(server: Instance) -> Iterator[str]:
    """A fresh database holding the test ledger; dropped afterwards."""
    db = create_database(server)
    make_ledger(server, db.name)
    yield db.name
    db.drop()
