"""Errors raised by golive, and the exit code each one maps to.

    GoLiveError                      exit 1 unless a subclass says otherwise
    ├── ConfigError                  exit 2: you configured or called it wrong; nothing was run
    │   ├── ProviderUnavailable      a Postgres provider cannot be used here (with the fix)
    │   ├── TargetUnreachable        the target does not answer or does not speak the contract
    │   └── UnsafeTarget             a destructive drill was pointed at a non-disposable target
    ├── PlatformFault                exit 1: the platform under test is wrong
    │   ├── ExpectationFailed        a scenario's expectation did not hold (an AssertionError)
    │   ├── InvariantViolation       a ledger invariant broke
    │   └── GateFailed               a go-live gate (SLO, drill target) failed
    ├── Inconclusive                 exit 3: a harness fault; the run could not judge the platform
    └── EnvelopeError                exit 1: a signed file (DSSE envelope) does not verify

Three roots decide a run's verdict (golive.evidence.verdict): a scenario stopped by a
PlatformFault is NO-GO; one stopped by a ConfigError or an Inconclusive is INCONCLUSIVE (the
platform was never judged). Keep "you configured it wrong" apart from "the platform is wrong":
the first is exit 2 on the command line and never produces GO evidence; the second is a NO-GO
with reasons. A seeding failure, a missing operation or database is Inconclusive, never a
GateFailed.

Outside this hierarchy, golive.cli.main maps typer's and click's usage errors to 2, and an
interrupt before a verdict or an unexpected crash to 3 (one line each): no other exit code
leaves golive.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (docs/architecture.md, "Verdicts and exit codes")."""

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


class ExpectationFailed(PlatformFault, AssertionError):
    """The platform did not do what a scenario expects: the scenario fails, the run is NO-GO.

    An AssertionError too, so pytest reports it as a failed expectation, not a crash."""


class InvariantViolation(PlatformFault):
    """A ledger invariant does not hold."""


class GateFailed(PlatformFault):
    """A go-live gate failed."""


class Inconclusive(GoLiveError):
    """A harness fault: the run could not judge the platform (seeding failed, an operation or
    the database is not configured). The scenario counts as INCONCLUSIVE, never NO-GO."""

    exit_code = ExitCode.INCONCLUSIVE


class EnvelopeError(GoLiveError):
    """A signed file (DSSE envelope) is malformed or its signature does not verify; the
    message says why. Readers turn it into a verify problem or a ConfigError."""
