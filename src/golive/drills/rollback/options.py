"""The inputs of the rollback drills, typed: pytest options that `golive drill rollback` sets.

``--rollback-from``, ``--rollback-to`` and ``--rollback-schema`` make the release plan (default:
release 2 over release 1, rolled back to release 1's schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from golive.drills.rollback.plan import ReleasePlan, plan_release

FROM, TO, SCHEMA = ("--rollback-from", "--rollback-to", "--rollback-schema")


@dataclass(frozen=True)
class RollbackOptions:
    """What one run of the rollback drills deploys and returns to."""

    plan: ReleasePlan = field(default_factory=plan_release)

    def pytest_args(self) -> list[str]:
        """These options on a pytest command line (what `golive drill rollback` passes)."""
        args = [FROM, self.plan.new.version, TO, self.plan.previous.version]
        return [*args, SCHEMA, self.plan.rollback_schema]

    @classmethod
    def of(cls, config: pytest.Config) -> RollbackOptions:
        """The options of this pytest run; ConfigError on a plan that cannot be drilled."""
        plan = plan_release(
            config.getoption(TO), config.getoption(FROM),
            rollback_schema=config.getoption(SCHEMA) or None,
        )  # fmt: skip
        return cls(plan)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("golive rollback drills")
    group.addoption(FROM, default="2", help="the release deployed, then rolled back [2]")
    group.addoption(TO, default="1", help="the release rolled back to [1]")
    group.addoption(
        SCHEMA, default=None, help="the schema rolled back to [the --rollback-to release's own]"
    )
