"""The platform as a whole: health, the contract, going down and coming back, configuration."""

from __future__ import annotations

import pytest
from pytest_bdd import given, when

from golive.canary.world import CanaryWorld, ExpectationFailed
from golive.stack import Stack


@given("the platform is healthy and speaks the contract")
def given_platform_healthy(world: CanaryWorld) -> None:
    health = world.client.health()
    if not health.ok:
        raise ExpectationFailed(f"the platform reports {health!r}, not healthy")
    world.client.version()


def _embedded(stack: Stack) -> None:
    if stack.platform is None:
        pytest.skip(
            "this step restarts the platform, which golive can do only for the embedded target"
        )


@when("the platform goes down")
def when_platform_down(stack: Stack) -> None:
    _embedded(stack)
    assert stack.platform is not None
    stack.platform.stop()


@when("the platform comes back")
def when_platform_back(stack: Stack) -> None:
    _embedded(stack)
    assert stack.platform is not None
    stack.platform.start()


@when("the platform is switched to the new webhook secret only")
def when_platform_new_secret(stack: Stack, world: CanaryWorld) -> None:
    _embedded(stack)
    assert stack.platform is not None
    assert world.new_webhook_secret
    stack.platform.psp.stripe_webhook_secrets = [world.new_webhook_secret]
    stack.platform.restart()
