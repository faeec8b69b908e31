"""Errors raised by golive, and the exit code each one maps to.

    GoLiveError                      exit 1 unless a subclass says otherwise
    ├── ConfigError                  exit 2: you configured or called it wrong; nothing was run
    │   ├── ProviderUnavailable      a Postgres provider cannot be used here (with the fix)
    │   ├── TargetUnreachable        the target does not answer or does not speak the contract
    │   └── UnsafeTarget             a destructive drill was pointed at a non-disposable target
    ├── PlatformFault                exit 1: the platform under test is wrong
    │   ├── InvariantViolation       a ledger invariant broke
    │   └── GateFailed               a go-live gate (SLO, drill target) failed
    ├── EvidenceError                exit 1: evidence could not be written, signed or verified
    └── Inconclusive                 exit 3: too little data, or the run was aborted

Keep "you configured it wrong" apart from "the platform is wrong": the first is exit 2
and never produces GO evidence; the second is a NO-GO with reasons.

Outside this hierarchy, golive.cli.main maps typer's and click's usage errors to 2, and an
interrupt before a verdict or an unexpected crash to 3 (one line each): no other exit code
leaves golive.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; DESIGN.md "Verdicts and exit codes"."""

    GO = 0
    NO_GO = 1
    USAGE = 2
    INCONCLUSIVE = 3


class GoLiveError(Exception):
    """Base of every error golive raises on purpose."""

    exit_code: ExitCode = ExitCode.NO_GO


class ConfigError(GoLiveError):
    """The harness was configured or called wrongly; nothing was run."""

    exit_code = ExitCode.USAGE


class ProviderUnavailable(ConfigError):
    """A Postgres provider cannot be used on this machine."""


class TargetUnreachable(ConfigError):
    """The target platform does not answer, or does not speak the platform contract."""


class UnsafeTarget(ConfigError):
    """A destructive step was pointed at a target not marked disposable."""


class PlatformFault(GoLiveError):
    """The platform under test behaved wrongly."""


class InvariantViolation(PlatformFault):
    """A ledger invariant does not hold."""


class GateFailed(PlatformFault):
    """A go-live gate failed."""


class EvidenceError(GoLiveError):
    """Evidence could not be written, signed or verified."""


class Inconclusive(GoLiveError):
    """The run could not reach a verdict: too little data, or it was aborted."""

    exit_code = ExitCode.INCONCLUSIVE
