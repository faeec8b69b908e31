"""Environment readiness: `golive env check` and the waiver register (docs/operations.md)."""

from __future__ import annotations

from golive.envcheck.assess import EnvReport, Outcome, VarState, Warning, assess, check_environment
from golive.envcheck.checks import CHECKS, RISKS, Finding, fingerprint, run_checks
from golive.envcheck.dates import DateError, parse_deadline, parse_instant
from golive.envcheck.envfile import (
    EnvFile,
    EnvVar,
    read_env_file,
    read_process_environment,
    write_env_file,
)
from golive.envcheck.waivers import Register, Waiver, read_register

__all__ = [
    "CHECKS",
    "RISKS",
    "DateError",
    "EnvFile",
    "EnvReport",
    "EnvVar",
    "Finding",
    "Outcome",
    "Register",
    "VarState",
    "Waiver",
    "Warning",
    "assess",
    "check_environment",
    "fingerprint",
    "parse_deadline",
    "parse_instant",
    "read_env_file",
    "read_process_environment",
    "read_register",
    "run_checks",
    "write_env_file",
]
