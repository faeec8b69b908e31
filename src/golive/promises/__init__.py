"""Promise coverage: every promise of the platform contract, what checks it, and which
faults the detection tests run those checks against (docs/promises.md)."""

from __future__ import annotations

from golive.promises.checks import Check, all_checks, properties, scenarios
from golive.promises.contract import PROMISE_ID, Promise, load
from golive.promises.detection import Detection, detections
from golive.promises.matrix import DOC, Matrix, Row, build, stale, to_markdown

__all__ = [
    "DOC",
    "PROMISE_ID",
    "Check",
    "Detection",
    "Matrix",
    "Promise",
    "Row",
    "all_checks",
    "build",
    "detections",
    "load",
    "properties",
    "scenarios",
    "stale",
    "to_markdown",
]
