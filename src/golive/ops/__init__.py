"""Hypercare probes: stuck finance jobs and the daily reconciliation (docs/operations.md)."""

from __future__ import annotations
