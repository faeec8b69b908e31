"""Disaster drills: rollback (``golive.drills.rollback``) and restore
(``golive.drills.restore``), on one model shared here.

Every drill keeps a ``Journal`` (activities of each ``Kind`` with their timings, the
steady-state checks, marks, findings and a ``Status``); a steady state is a ``Hypothesis``
of probes with tolerances; a drill's outcome and its ``Objective``s become ``Gate``s one way
(golive.drills.gates). See docs/drills.md.
"""

from __future__ import annotations

from golive.drills.gates import EvidenceSink, Gate, Objective, Sink, outcome_gate, record
from golive.drills.journal import Activity, Journal, Kind, Status, Step
from golive.drills.steady_state import Hypothesis, HypothesisResult, Phase, Probe, ProbeResult
from golive.drills.tolerance import Between, Exactly, Matches, NoneFound, SameAsBefore, Tolerance

__all__ = [
    "Activity",
    "Between",
    "EvidenceSink",
    "Exactly",
    "Gate",
    "Hypothesis",
    "HypothesisResult",
    "Journal",
    "Kind",
    "Matches",
    "NoneFound",
    "Objective",
    "Phase",
    "Probe",
    "ProbeResult",
    "SameAsBefore",
    "Sink",
    "Status",
    "Step",
    "Tolerance",
    "outcome_gate",
    "record",
]
