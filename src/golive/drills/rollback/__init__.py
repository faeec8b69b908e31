"""Rollback drills: a steady-state hypothesis checked around a change and its rollback.

The drill model (docs/rollback-drills.md): probes with tolerances make the steady-state
hypothesis; a ``Drill`` checks it before the change, after the change and after the
rollback, journals every activity with its timings (the journal every drill keeps,
golive.drills.journal), gates the time to roll back, and attaches its journal to the
evidence. ``matrix`` turns the rollback features into the rollback matrix of the report.
"""

from __future__ import annotations

from golive.drills.rollback.book import Book
from golive.drills.rollback.case import DrillCase, open_drill
from golive.drills.rollback.deploy import Deployment, WrongRelease
from golive.drills.rollback.drill import (
    ActivityFailed,
    Drill,
    RollbackAction,
    RollbackFailed,
    RollbackOutcome,
    SteadyStateDeviated,
)
from golive.drills.rollback.matrix import Matrix, build_matrix
from golive.drills.rollback.options import RollbackOptions
from golive.drills.rollback.plan import Release, ReleasePlan, ensure_disposable, plan_release
from golive.drills.rollback.probes import money_hypothesis

__all__ = [
    "ActivityFailed",
    "Book",
    "Deployment",
    "Drill",
    "DrillCase",
    "Matrix",
    "Release",
    "ReleasePlan",
    "RollbackAction",
    "RollbackFailed",
    "RollbackOptions",
    "RollbackOutcome",
    "SteadyStateDeviated",
    "WrongRelease",
    "build_matrix",
    "ensure_disposable",
    "money_hypothesis",
    "open_drill",
    "plan_release",
]
