"""Property-based ledger invariants: a state machine with a reference model, a concurrent
bank workload with a Jepsen-style checker, and their evidence (docs/properties.md)."""

from __future__ import annotations

from golive.properties.bursts import OPERATIONS, Bursts, run_bursts
from golive.properties.checker import ANOMALY_KINDS, BankReport, check_history
from golive.properties.evidence import format_report, save_bank_run, save_failing_example
from golive.properties.history import Anomaly, History, Op, Snapshot
from golive.properties.machine import LedgerMachine
from golive.properties.model import LedgerModel
from golive.properties.plot import total_over_time_svg
from golive.properties.profiles import (
    PROFILE_ENV,
    Budget,
    active_profile,
    budget,
    profile_settings,
    register_profiles,
)
from golive.properties.replay import REPRODUCE_ENV, FailingExample, run_machine
from golive.properties.session import LedgerSession, PropertyContext
from golive.properties.workload import BankConfig, run_bank

__all__ = [
    "ANOMALY_KINDS",
    "OPERATIONS",
    "PROFILE_ENV",
    "REPRODUCE_ENV",
    "Anomaly",
    "BankConfig",
    "BankReport",
    "Budget",
    "Bursts",
    "FailingExample",
    "History",
    "LedgerMachine",
    "LedgerModel",
    "LedgerSession",
    "Op",
    "PropertyContext",
    "Snapshot",
    "active_profile",
    "budget",
    "check_history",
    "format_report",
    "profile_settings",
    "register_profiles",
    "run_bank",
    "run_bursts",
    "run_machine",
    "save_bank_run",
    "save_failing_example",
    "total_over_time_svg",
]
