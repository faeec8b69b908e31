"""Hypothesis profiles for the properties: ``ci`` (fast, the default) and ``thorough``.

Chosen by ``GOLIVE_HYPOTHESIS_PROFILE``. Each profile also bounds the bank workload, so
one switch sets the whole budget of a properties run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, settings

from golive.errors import ConfigError

PROFILE_ENV = "GOLIVE_HYPOTHESIS_PROFILE"
DEFAULT_PROFILE = "ci"


@dataclass(frozen=True)
class Budget:
    """How much one properties run may do."""

    max_examples: int  # state-machine examples
    steps: int  # steps per example
    workers: int  # bank workload: concurrent workers
    readers: int
    ops_per_worker: int
    max_seconds: float  # bank workload: wall-clock bound


BUDGETS: dict[str, Budget] = {
    "ci": Budget(
        max_examples=15, steps=20, workers=4, readers=1, ops_per_worker=40, max_seconds=30.0
    ),
    "thorough": Budget(
        max_examples=200, steps=50, workers=6, readers=2, ops_per_worker=200, max_seconds=180.0
    ),
}

_COMMON: dict[str, Any] = {
    "deadline": None,  # each step is an HTTP round trip to a real platform
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
}


# Shrinking replays steps against the real platform: minutes per failure. ``ci`` keeps the
# failing example as found (its blob replays it); ``thorough`` shrinks it to a minimal one.
PHASES = {
    "ci": (Phase.explicit, Phase.reuse, Phase.generate, Phase.target),
    "thorough": tuple(Phase),
}


def register_profiles() -> None:
    """Register ``ci`` and ``thorough`` with Hypothesis (idempotent)."""
    for name, budget in BUDGETS.items():
        settings.register_profile(
            name,
            max_examples=budget.max_examples,
            stateful_step_count=budget.steps,
            phases=PHASES[name],
            **_COMMON,
        )


def active_profile() -> str:
    name = os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE
    if name not in BUDGETS:
        raise ConfigError(
            f"{PROFILE_ENV}={name!r} is not a properties profile; use one of "
            f"{', '.join(BUDGETS)} (or leave it unset for {DEFAULT_PROFILE!r})"
        )
    return name


def profile_settings(name: str | None = None, **overrides: object) -> settings:
    """The settings of profile ``name`` (default: the active one), with ``overrides``."""
    register_profiles()
    base = settings.get_profile(name or active_profile())
    return settings(base, **overrides)  # type: ignore[arg-type]


def budget(name: str | None = None) -> Budget:
    return BUDGETS[name or active_profile()]
