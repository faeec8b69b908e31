"""The platform as a whole: health, the contract, going down and coming back, configuration.

Going down, coming back and taking new webhook secrets run the target's operations (`stop`,
`start`, `set_webhook_secrets`: golive.operations), on the embedded platform as on any other;
a scenario that needs one the target does not configure is skipped, naming it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_bdd import given, when

from golive.canary.world import CanaryWorld
from golive.errors import ExpectationFailed
from golive.operations import OperationNotConfigured, OperationResult, SecretsFile
from golive.operations import write_secrets_file as write_secrets
from golive.psp.secrets import private_folder
from golive.stack import Stack


@given("the platform is healthy and speaks the contract")
def given_platform_healthy(world: CanaryWorld) -> None:
    health = world.client.health()
    if not health.ok:
        raise ExpectationFailed(f"the platform reports {health!r}, not healthy")
    world.client.version()


def run_operation(stack: Stack, name: str, **values: object) -> OperationResult:
    """Run the target's operation ``name``; the scenario is skipped when it has none."""
    try:
        return stack.operations.run(name, values | {"url": stack.platform_url})
    except OperationNotConfigured as exc:
        pytest.skip(str(exc))


@when("the platform goes down")
def when_platform_down(stack: Stack) -> None:
    run_operation(stack, "stop")


@when("the platform comes back")
def when_platform_back(stack: Stack) -> None:
    run_operation(stack, "start")


@when("the platform is switched to the new webhook secret only")
def when_platform_new_secret(stack: Stack, world: CanaryWorld) -> None:
    if not world.new_webhook_secret:
        raise ExpectationFailed("the payment provider has not rotated its webhook secret")
    with private_folder() as folder:
        path = write_secrets(
            Path(folder) / "webhook-secrets.env", SecretsFile((world.new_webhook_secret,))
        )
        run_operation(stack, "set_webhook_secrets", secrets_file=path)
