"""Disaster drills: restore (``golive.drills.restore``) and, later, rollback."""

from __future__ import annotations
