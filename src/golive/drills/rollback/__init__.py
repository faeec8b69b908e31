"""Rollback drills: a steady-state hypothesis checked around a change and its rollback.

The drill model (docs/rollback-drills.md): probes with tolerances make the steady-state
hypothesis; a ``Drill`` checks it before the change, after the change and after the
rollback, journals every activity with its timings, gates the time to roll back, and
attaches its journal to the evidence. ``matrix`` turns the rollback features into the
rollback matrix of the report.
"""

from __future__ import annotations

from golive.drills.rollback.book import Book
from golive.drills.rollback.case import DrillCase, open_drill
from golive.drills.rollback.deploy import Deployment, WrongRelease
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
from golive.drills.rollback.journal import Activity, Journal, Kind, Status
from golive.drills.rollback.matrix import Matrix, build_matrix
from golive.drills.rollback.options import RollbackOptions
from golive.drills.rollback.plan import Release, ReleasePlan, ensure_disposable, plan_release
from golive.drills.rollback.probes import money_hypothesis
from golive.drills.rollback.steady_state import (
    Hypothesis,
    HypothesisResult,
    Phase,
    Probe,
    ProbeResult,
)
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
    "Book",
    "Deployment",
    "Drill",
    "DrillCase",
    "EvidenceSink",
    "Exactly",
    "Hypothesis",
    "HypothesisResult",
    "Journal",
    "Kind",
    "Matches",
    "Matrix",
    "NoneFound",
    "Phase",
    "Probe",
    "ProbeResult",
    "Release",
    "ReleasePlan",
    "RollbackAction",
    "RollbackFailed",
    "RollbackOptions",
    "RollbackOutcome",
    "SameAsBefore",
    "Sink",
    "Status",
    "SteadyStateDeviated",
    "Tolerance",
    "WrongRelease",
    "build_matrix",
    "ensure_disposable",
    "money_hypothesis",
    "open_drill",
    "plan_release",
]
