"""Findings against the waiver register, at a given time: the env check's verdict.

A finding with an open, unexpired waiver is waived; with an expired one it fails again
(``waiver-expired``); with none it is open. An open waiver that matches no finding is a
warning (the risk is gone: close the waiver), and so is a waiver that accepts a lower
risk than the finding carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from golive.config import Config, EnvProfile, load_config
from golive.envcheck.checks import CHECKS, Finding, fingerprint, risk_rank, run_checks
from golive.envcheck.dates import iso
from golive.envcheck.envfile import EnvFile, read_env_file
from golive.envcheck.waivers import Register, Waiver, empty_register, read_register
from golive.errors import ExitCode


@dataclass(frozen=True)
class Outcome:
    finding: Finding
    status: str  # open | waived | waiver-expired
    waiver: Waiver | None = None

    @property
    def failed(self) -> bool:
        return self.status != "waived"


@dataclass(frozen=True)
class Warning:
    code: str  # waiver-unmatched | waiver-risk-understated | duplicate-variable
    message: str


@dataclass(frozen=True)
class VarState:
    name: str
    state: str  # set | empty | missing
    fingerprint: str | None


@dataclass(frozen=True)
class EnvReport:
    profile: str
    env_file: Path
    register: Register
    now: datetime
    outcomes: tuple[Outcome, ...]
    warnings: tuple[Warning, ...]
    variables: tuple[VarState, ...]

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.failed)

    @property
    def ready(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.GO if self.ready else ExitCode.NO_GO

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "env_file": str(self.env_file),
            "waivers_file": None if self.register.path is None else str(self.register.path),
            "now": iso(self.now),
            "ready": self.ready,
            "exit_code": int(self.exit_code),
            "findings": [_outcome_json(o) for o in self.outcomes],
            "warnings": [{"code": w.code, "message": w.message} for w in self.warnings],
            "variables": [
                {"name": v.name, "state": v.state, "fingerprint": v.fingerprint}
                for v in self.variables
            ],
        }


def _outcome_json(o: Outcome) -> dict[str, Any]:
    f, w = o.finding, o.waiver
    return {
        "id": f.id,
        "check": f.check,
        "risk": f.risk,
        "variable": f.variable,
        "status": o.status,
        "detail": f.detail,
        "fix": f.fix,
        "waiver": None
        if w is None
        else {
            "line": w.line,
            "risk": w.risk,
            "owner": w.owner,
            "deadline": iso(w.deadline),
            "deadline_as_written": w.deadline_text,
            "mitigation": w.mitigation,
            "ticket": w.ticket,
        },
    }


def check_environment(
    profile: str,
    env_file: Path,
    waivers: Path | None = None,
    *,
    now: datetime | None = None,
    config: Config | None = None,
) -> EnvReport:
    """Read everything first (bad input is exit 2 before any verdict), then judge."""
    cfg = config or load_config()
    prof = cfg.profile(profile)
    env = read_env_file(env_file)
    register = read_register(waivers) if waivers is not None else empty_register()
    return assess(profile, prof, env, register, now or datetime.now(UTC))


def assess(
    name: str, profile: EnvProfile, env: EnvFile, register: Register, now: datetime
) -> EnvReport:
    findings = run_checks(env, profile)
    by_id = {w.finding: w for w in register.open}
    outcomes: list[Outcome] = []
    warnings: list[Warning] = []
    for f in findings:
        w = by_id.get(f.id)
        if w is None:
            outcomes.append(Outcome(f, "open"))
            continue
        outcomes.append(Outcome(f, "waiver-expired" if w.expired(now) else "waived", w))
        if risk_rank(w.risk) < risk_rank(f.risk):
            warnings.append(Warning(
                "waiver-risk-understated",
                f"waiver on line {w.line} accepts {f.id} as {w.risk} risk; golive rates it "
                f"{f.risk}: re-assess the waiver",
            ))  # fmt: skip
    present = {f.id for f in findings}
    for w in register.open:
        if w.finding in present:
            continue
        check = w.finding.partition(":")[0]
        hint = "" if check in CHECKS else f" (no check is called {check!r}; see the ids above)"
        expired = f", and it expired {iso(w.deadline)}" if w.expired(now) else ""
        warnings.append(Warning(
            "waiver-unmatched",
            f"waiver on line {w.line} for {w.finding!r} matches no finding{expired}{hint}: if "
            "the risk is fixed, close the waiver (status: closed)",
        ))  # fmt: skip
    for dup in env.duplicates:
        warnings.append(Warning(
            "duplicate-variable",
            f"{env.path}:{dup.line}: {dup.name} is set again later in the file; the last "
            "line wins: delete the other one",
        ))  # fmt: skip
    return EnvReport(name, env.path, register, now, tuple(outcomes), tuple(warnings),
                     _inventory(env, profile))  # fmt: skip


def _inventory(env: EnvFile, profile: EnvProfile) -> tuple[VarState, ...]:
    names = [
        *profile.required_secrets, *profile.stripe_key_vars, *profile.webhook_secret_vars,
        profile.adyen_api_key_var, profile.adyen_hmac_key_var, profile.database_url_var,
    ]  # fmt: skip
    out: list[VarState] = []
    for name in dict.fromkeys(names):
        value = env.get(name)
        if value is None:
            out.append(VarState(name, "missing", None))
        elif not value.strip():
            out.append(VarState(name, "empty", None))
        else:
            out.append(VarState(name, "set", fingerprint(value)))
    return tuple(out)
