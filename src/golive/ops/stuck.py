"""Stuck finance jobs: work waiting on a PSP for longer than its SLA.

A job is stuck when it is still pending and older than its kind's SLA ([ops] in
golive.toml: payouts 24 h, deposit confirmations 1 h). Alongside, the payout SLO: of the
payouts old enough to judge (finished, or pending past the SLA), the share finished within
the SLA, against [slo].payouts_within_24h (95 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from golive.config import Config
from golive.envcheck.dates import iso
from golive.errors import ExitCode
from golive.target import Job


@dataclass(frozen=True)
class JobRecord:
    id: str
    kind: str
    state: str  # pending | done | failed
    reference: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, d: dict[str, Any]) -> JobRecord:
        return cls(str(d["id"]), str(d["kind"]), str(d["state"]),
                   None if d.get("reference") is None else str(d["reference"]),
                   _aware(d["created_at"]), _aware(d["updated_at"]))  # fmt: skip

    @classmethod
    def of_job(cls, job: Job) -> JobRecord:
        """A job as the target interface answers it."""
        return cls(job.id, job.kind, job.state, job.reference or None,
                   _aware(job.created_at), _aware(job.updated_at))  # fmt: skip


def _aware(value: Any) -> datetime:
    t = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass(frozen=True)
class StuckJob:
    job: JobRecord
    age: timedelta
    sla: timedelta


@dataclass(frozen=True)
class PayoutSlo:
    within: int  # finished within the SLA
    judged: int  # finished, or pending past the SLA
    target: float  # share, e.g. 0.95
    sla: timedelta

    @property
    def share(self) -> float | None:
        return self.within / self.judged if self.judged else None

    @property
    def met(self) -> bool | None:
        share = self.share
        return None if share is None else share >= self.target


@dataclass(frozen=True)
class StuckReport:
    now: datetime
    since: datetime | None
    source: str
    checked: int
    stuck: tuple[StuckJob, ...]
    slas: dict[str, timedelta]
    unknown_kinds: tuple[str, ...]
    payout_slo: PayoutSlo
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.stuck

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.GO if self.ok else ExitCode.NO_GO

    def to_json(self) -> dict[str, Any]:
        slo = self.payout_slo
        return {
            "ok": self.ok,
            "exit_code": int(self.exit_code),
            "now": iso(self.now),
            "since": iso(self.since) if self.since else None,
            "source": self.source,
            "checked": self.checked,
            "sla_hours": {k: v.total_seconds() / 3600 for k, v in self.slas.items()},
            "stuck": [
                {
                    "id": s.job.id,
                    "kind": s.job.kind,
                    "reference": s.job.reference,
                    "created_at": iso(s.job.created_at),
                    "age_hours": _hours(s.age),
                    "sla_hours": _hours(s.sla),
                }
                for s in self.stuck
            ],
            "unknown_kinds": list(self.unknown_kinds),
            "payout_slo": {
                "within_sla": slo.within,
                "judged": slo.judged,
                "share": slo.share,
                "target": slo.target,
                "met": slo.met,
            },
            "warnings": list(self.warnings),
        }

    def to_text(self) -> str:
        lines = [
            f"STUCK {s.job.kind} {s.job.id} reference {s.job.reference or '-'} pending "
            f"{_span(s.age)} (SLA {_span(s.sla)}), created {iso(s.job.created_at)}"
            for s in self.stuck
        ]
        slas = ", ".join(f"{k} {_span(v)}" for k, v in sorted(self.slas.items()))
        verdict = "OK" if self.ok else f"{len(self.stuck)} STUCK"
        lines.append(
            f"stuck-jobs: {verdict}: {self.checked} job(s) checked at {iso(self.now)} from "
            f"{self.source} (SLA: {slas})"
        )
        slo = self.payout_slo
        if slo.share is None:
            lines.append("payout SLO: no payout old enough to judge yet")
        else:
            met = "met" if slo.met else "MISSED"
            lines.append(
                f"payout SLO: {slo.within}/{slo.judged} ({slo.share:.1%}) finished within "
                f"{_span(slo.sla)}, target {slo.target:.1%}: {met}"
            )
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _hours(t: timedelta) -> float:
    return round(t.total_seconds() / 3600, 3)


def _span(t: timedelta) -> str:
    minutes = int(t.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    return f"{h}h{m:02d}m" if m else f"{h}h"


def slas_from(config: Config) -> dict[str, timedelta]:
    return {
        "payout": timedelta(hours=config.ops.payout_sla_hours),
        "deposit_confirmation": timedelta(hours=config.ops.deposit_confirmation_sla_hours),
    }


def find_stuck(
    jobs: Iterable[JobRecord],
    *,
    now: datetime,
    slas: dict[str, timedelta],
    payout_target: float,
    since: datetime | None = None,
    source: str = "",
    warnings: Iterable[str] = (),
) -> StuckReport:
    """Judge ``jobs`` at ``now``; jobs created before ``since`` are left out."""
    chosen = [j for j in jobs if since is None or j.created_at >= since]
    stuck: list[StuckJob] = []
    unknown: set[str] = set()
    within = judged = 0
    payout_sla = slas.get("payout", timedelta(hours=24))
    for j in chosen:
        sla = slas.get(j.kind)
        if sla is None:
            unknown.add(j.kind)
            continue
        age = now - j.created_at
        if j.state == "pending" and age > sla:
            stuck.append(StuckJob(j, age, sla))
        if j.kind == "payout":
            if j.state != "pending":
                judged += 1
                within += (j.updated_at - j.created_at) <= payout_sla
            elif age > payout_sla:
                judged += 1
    stuck.sort(key=lambda s: (s.job.created_at, s.job.id))
    return StuckReport(
        now=now, since=since, source=source, checked=len(chosen), stuck=tuple(stuck),
        slas=dict(slas), unknown_kinds=tuple(sorted(unknown)),
        payout_slo=PayoutSlo(within, judged, payout_target, payout_sla),
        warnings=tuple(warnings),
    )  # fmt: skip
