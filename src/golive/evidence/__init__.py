"""Signed, verifiable evidence for golive runs (docs/evidence.md).

Use these from steps, fixtures and library code. During an evidence run (the pytest
plugin is active) they write into the run folder; otherwise they are harmless: `attach`
returns None and the rest is kept in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from golive.evidence.recorder import Exchange, current
from golive.evidence.verdict import GateStatus, Statistic, Verdict

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


def attach(name: str, data: bytes | str | Path, kind: str) -> Path | None:
    """Add a redacted attachment ("json", "text", "csv", "png", "svg", "html"…) to the run."""
    return current().attach(name, data, kind)


def record_gate(
    name: str,
    status: GateStatus,
    *,
    value: str | None,
    target: str | None,
    reason: str,
    critical: bool = True,
    statistic: Statistic | None = None,
) -> None:
    """Record a go-live gate for the SLO/gates table; critical FAIL means NO-GO. A gate
    judged on samples passes its ``statistic`` (golive.canary.slo.MetricResult.statistic)."""
    current().record_gate(
        name,
        status,
        value=value,
        target=target,
        reason=reason,
        critical=critical,
        statistic=statistic,
    )


def record_metadata(key: str, value: object) -> None:
    """Record run metadata ("target", "release", "environment", "seeds", "waivers"…)."""
    current().record_metadata(key, value)


def register_dsn(dsn: str) -> None:
    """Treat the password of `dsn` (URL or key/value form) as a secret; the rest of the DSN
    (host, port, user, database) is not one and may be shown."""
    current().redactor.register_dsn(dsn)


def register_secret(value: str) -> None:
    """Treat `value` as a secret: it is redacted from everything the evidence holds."""
    current().redactor.register(value)


def transcript_hooks(peer: str) -> dict[str, list[Callable[[Any], Awaitable[None] | None]]]:
    """httpx `event_hooks` recording every exchange with `peer` ("platform", "psp")."""
    from golive.evidence.transcript import transcript_hooks as hooks

    return hooks(peer)


def transcript_records(peer: str | None = None) -> list[Exchange]:
    """Exchanges recorded so far (for SLO computation), optionally for one peer."""
    return current().records(peer)


def summarize(run_dir: str | Path) -> str:
    """A short Markdown summary of a run folder: verdict, reasons, gates, signature."""
    from golive.evidence.summary import summarize as summary

    return summary(Path(run_dir))


__all__ = [
    "Exchange",
    "GateStatus",
    "Statistic",
    "Verdict",
    "attach",
    "record_gate",
    "record_metadata",
    "register_dsn",
    "register_secret",
    "summarize",
    "transcript_hooks",
    "transcript_records",
]
