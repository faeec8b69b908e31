"""Disaster drills: rollback (``golive.drills.rollback``) and restore
(``golive.drills.restore``), on one shared model: every drill keeps a ``journal.Journal``,
checks a ``steady_state.Hypothesis`` of probes with ``tolerance``s, and becomes gates one
way (``gates``). See docs/drills.md.
"""

from __future__ import annotations
