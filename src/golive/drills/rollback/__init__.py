"""Rollback drills: a steady-state hypothesis checked around a change and its rollback.

The drill model (docs/rollback-drills.md): probes with tolerances make the steady-state
hypothesis; a ``Drill`` checks it before the change, after the change and after the
rollback, journals every activity with its timings, gates the time to roll back, and
attaches its journal to the evidence. ``matrix`` turns the rollback features into the
rollback matrix of the report.
"""

from __future__ import annotations

from golive.drills.rollback.drill import (
    ActivityFailed,
    Drill,
    EvidenceSink,
    RollbackAction,
    RollbackFailed,
    RollbackOutcome,
    Sink,
    SteadyStateDeviated,
)
from golive.drills.rollback.hypothesis import (
    Hypothesis,
    HypothesisResult,
    Phase,
    Probe,
    ProbeResult,
)
from golive.drills.rollback.journal import Activity, Journal, Kind, Status
from golive.drills.rollback.tolerance import (
    Between,
    Exactly,
    Matches,
    NoneFound,
    SameAsBefore,
    Tolerance,
)

__all__ = [
    "Activity",
    "ActivityFailed",
    "Between",
    "Drill",
    "EvidenceSink",
    "Exactly",
    "Hypothesis",
    "HypothesisResult",
    "Journal",
    "Kind",
    "Matches",
    "NoneFound",
    "Phase",
    "Probe",
    "ProbeResult",
    "RollbackAction",
    "RollbackFailed",
    "RollbackOutcome",
    "SameAsBefore",
    "Sink",
    "Status",
    "SteadyStateDeviated",
    "Tolerance",
]
