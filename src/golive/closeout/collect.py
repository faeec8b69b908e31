"""The Executive Closeout Pack's content, read from the signed chain of runs alone.

Every statement in the pack comes from a verified run folder (its manifest and results) or
the waiver register; nothing is typed in by hand. The sections follow the closeout pack
release managers write today: status per phase, artifact and evidence index, open risks and
waivers, SLO targets beside what cutover and hypercare measured, the first 14 days' actions,
and the closure statement (only when every phase is GO and no waiver is past its deadline).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from golive.envcheck.waivers import Register
from golive.errors import ConfigError
from golive.evidence.manifest import PHASES, RESULTS, run_dirs
from golive.evidence.verify import verify_chain, verify_run

NOT_RUN = "NOT RUN"
CLOSURE = (
    "Go-Live and Hypercare phases have been successfully completed. The system is stable in "
    "the production environment. Open risks and technical debt will be managed via the "
    "Waiver Register and the follow-up roadmap."
)


@dataclass(frozen=True)
class CitedRun:
    run_id: str
    sequence: int
    phase: str | None
    verdict: str | None
    finished_at: str | None
    manifest_sha256: str
    signer: str | None
    managed: bool
    problems: tuple[str, ...] = ()


@dataclass
class Pack:
    release: str
    generated_at: str
    reports: str  # the reports folder, relative to the pack folder once written
    chain_problems: list[str] = field(default_factory=list)
    phases: list[dict[str, Any]] = field(default_factory=list)
    index: list[CitedRun] = field(default_factory=list)
    waivers: list[dict[str, Any]] = field(default_factory=list)
    slos: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, str]] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.chain_problems and not any(r.problems for r in self.index)

    @property
    def closed(self) -> bool:
        return self.valid and not self.blockers

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema"] = "golive.closeout/v1"
        data["valid"], data["closed"] = self.valid, self.closed
        data["closure_statement"] = CLOSURE if self.closed else None
        return data


def collect(reports: Path, release: str, register: Register, now: datetime) -> Pack:
    """Read and verify every run of ``release`` in ``reports``; ConfigError when there is
    nothing to close (no run of that release, or no cutover run)."""
    if not reports.is_dir():
        raise ConfigError(f"{str(reports)!r} is not a reports folder (give the folder of runs)")
    chain = verify_chain(reports)
    pack = Pack(release, now.isoformat(timespec="seconds"), str(reports))
    pack.chain_problems = list(map(str, chain.problems))
    runs = []
    for run_dir in run_dirs(reports):
        rep = verify_run(run_dir, check_link=False)
        manifest = rep.manifest or {}
        if manifest.get("release") != release:
            continue
        signer = manifest.get("signer") or {}
        runs.append(
            (
                CitedRun(
                    run_id=run_dir.name,
                    sequence=int(manifest.get("sequence") or 0),
                    phase=manifest.get("phase"),
                    verdict=rep.verdict,
                    finished_at=manifest.get("finished_at"),
                    manifest_sha256=rep.manifest_sha256 or "",
                    signer=signer.get("fingerprint"),
                    managed=bool(signer.get("managed")),
                    problems=tuple(map(str, rep.problems)),
                ),
                run_dir,
            )
        )
    if not runs:
        raise ConfigError(
            f"no run of release {release!r} in {reports}: record it with "
            "`golive run --release NAME --phase PHASE`"
        )
    runs.sort(key=lambda r: (r[0].sequence, str(r[0].finished_at)))
    pack.index = [r for r, _ in runs]
    if not any(r.phase == "cutover" for r in pack.index):
        raise ConfigError(
            f"release {release!r} has no cutover run in {reports}: a closeout needs the "
            "production cutover's evidence (`golive run --phase cutover`)"
        )
    _phases(pack)
    _waivers(pack, register, now)
    _slos(pack, {r.run_id: d for r, d in runs})
    _actions(pack, register, now)
    return pack


def _phases(pack: Pack) -> None:
    for phase in PHASES:
        cited = [r for r in pack.index if r.phase == phase]
        status = (cited[-1].verdict or "UNKNOWN") if cited else NOT_RUN
        pack.phases.append(
            {
                "phase": phase,
                "status": status,
                "runs": [
                    {"run_id": r.run_id, "verdict": r.verdict, "finished_at": r.finished_at}
                    for r in cited
                ],
            }
        )
        if status != "GO":
            why = "has no run" if not cited else f"ended {status} (run {cited[-1].run_id})"
            pack.blockers.append(f"phase {phase} {why}")
    for r in pack.index:
        if r.problems:
            pack.blockers.append(f"run {r.run_id} does not verify: {r.problems[0]}")
    for problem in pack.chain_problems:
        pack.blockers.append(f"the chain of runs is broken: {problem}")


def _waivers(pack: Pack, register: Register, now: datetime) -> None:
    for w in register.open:
        left = (w.deadline - now) / timedelta(days=1)
        pack.waivers.append(
            {
                "finding": w.finding,
                "risk": w.risk,
                "owner": w.owner,
                "deadline": w.deadline.isoformat(timespec="minutes"),
                "days_left": round(left, 1),
                "expired": w.expired(now),
                "mitigation": w.mitigation,
                "ticket": w.ticket,
            }
        )
        if w.expired(now):
            pack.blockers.append(
                f"waiver {w.finding} (owner {w.owner}) expired on "
                f"{w.deadline.isoformat(timespec='minutes')}"
            )


def _gates(run_dir: Path) -> list[dict[str, Any]]:
    try:
        results = json.loads((run_dir / RESULTS).read_bytes())
    except (OSError, ValueError):
        return []
    gates = results.get("gates") if isinstance(results, dict) else None
    return [g for g in gates or [] if isinstance(g, dict)]


def _slos(pack: Pack, dirs: dict[str, Path]) -> None:
    """Each gate's target beside its value in the latest cutover and hypercare runs."""
    rows: dict[str, dict[str, Any]] = {}
    for phase in ("cutover", "hypercare"):
        latest = [r for r in pack.index if r.phase == phase]
        if not latest:
            continue
        for gate in _gates(dirs[latest[-1].run_id]):
            row = rows.setdefault(str(gate.get("name")), {"gate": gate.get("name")})
            row["target"] = row.get("target") or gate.get("target")
            row[phase] = {"status": gate.get("status"), "value": gate.get("value")}
    pack.slos = list(rows.values())


def _actions(pack: Pack, register: Register, now: datetime) -> None:
    """What the first 14 days must close: open waivers, gates without a decision."""
    horizon = now + timedelta(days=14)
    for w in sorted(register.open, key=lambda w: w.deadline):
        pack.actions.append(
            {
                "action": f"Close waiver {w.finding}: {w.mitigation}",
                "owner": w.owner,
                "deadline": w.deadline.isoformat(timespec="minutes"),
                "acceptance": "the finding no longer appears in `golive env check`",
                "urgency": "overdue" if w.expired(now) else
                ("within 14 days" if w.deadline <= horizon else "later"),
            }
        )  # fmt: skip
    for row in pack.slos:
        for phase in ("cutover", "hypercare"):
            if (row.get(phase) or {}).get("status") == "NODATA":
                pack.actions.append(
                    {
                        "action": f"Measure {row['gate']}: it had too little data in {phase}",
                        "owner": "SRE",
                        "deadline": (now + timedelta(days=7)).date().isoformat(),
                        "acceptance": f"{row['gate']} decided (PASS) in a hypercare run",
                        "urgency": "within 14 days",
                    }
                )
