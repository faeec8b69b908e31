"""The env readiness scenarios: the environment the target runs with, checked against the
target's profile and waiver register. Steps are one line over these.

Which environment: the target's `env_file` ([target] in golive.toml), else the process
environment; for the embedded platform, the env file golive starts it from.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from golive.config import Config, EnvProfile
from golive.envcheck.assess import EnvReport, Outcome, assess
from golive.envcheck.envfile import EnvFile, read_env_file, read_process_environment
from golive.envcheck.render import print_table
from golive.envcheck.waivers import empty_register, read_register
from golive.errors import ExpectationFailed

# The areas a release manager signs off one by one, and the checks each covers.
AREAS: dict[str, tuple[str, ...]] = {
    "secret": ("secret-missing", "secret-placeholder"),
    "payment provider key": (
        "stripe-key-form", "stripe-test-key", "stripe-live-key", "webhook-secret-form",
        "adyen-hmac-key-form",
    ),
    "database": ("database-url-form", "database-sqlite", "database-no-tls", "database-tls-unknown"),
}  # fmt: skip


@dataclass(frozen=True)
class TargetEnvironment:
    """Where the target's environment is read from, and what it is judged against."""

    env_file: Path | None  # None: the process environment
    waivers: Path | None
    profile: str

    @classmethod
    def of(cls, config: Config, *, env_file: Path | None) -> TargetEnvironment:
        target = config.target
        waivers = Path(target.waivers) if target.waivers else None
        return cls(env_file, waivers, target.env_profile)

    @property
    def source(self) -> str:
        return str(self.env_file) if self.env_file else "the process environment"

    def read(self) -> EnvFile:
        return read_env_file(self.env_file) if self.env_file else read_process_environment()


def secret_values(env: EnvFile, profile: EnvProfile) -> list[str]:
    """The values of the variables the profile treats as secret (to keep out of evidence)."""
    names = {
        *profile.required_secrets, *profile.stripe_key_vars, *profile.webhook_secret_vars,
        profile.adyen_api_key_var, profile.adyen_hmac_key_var, profile.database_url_var,
    }  # fmt: skip
    values = [v for n in sorted(names) if (v := env.get(n) or "").strip()]
    parts = [p.strip() for v in values for p in v.split(",") if p.strip() and p.strip() != v]
    return values + parts


@dataclass
class TargetEnvCheck:
    """One check of the target's environment and what it said."""

    where: TargetEnvironment
    config: Config
    secrets: list[str] = field(default_factory=list)
    report: EnvReport | None = None
    outputs: list[str] = field(default_factory=list)

    def run(self, now: datetime | None = None) -> EnvReport:
        profile = self.config.profile(self.where.profile)
        env = self.where.read()
        self.secrets = secret_values(env, profile)
        register = read_register(self.where.waivers) if self.where.waivers else empty_register()
        self.report = assess(self.where.profile, profile, env, register, now or datetime.now(UTC))
        table = io.StringIO()
        print_table(self.report, Console(file=table, width=200, no_color=True))
        self.outputs = [table.getvalue(), json.dumps(self.report.to_json())]
        return self.report

    # -- expectations -----------------------------------------------------------------
    def done(self) -> EnvReport:
        if self.report is None:
            raise ExpectationFailed("the scenario has not checked the environment yet")
        return self.report

    def expect_area_clear(self, area: str) -> None:
        """No finding of the area is open or past its waiver's deadline."""
        checks = AREAS[area]
        failing = [o for o in self.done().failures if o.finding.check in checks]
        if failing:
            raise ExpectationFailed(
                f"{self.where.source}, judged against the {self.where.profile!r} profile: "
                + "; ".join(_said(o) for o in failing)
            )

    def expect_no_expired_waiver(self) -> None:
        expired = [o for o in self.done().outcomes if o.status == "waiver-expired"]
        if expired:
            raise ExpectationFailed(
                "waivers past their deadline: "
                + "; ".join(
                    f"{o.finding.id} (line {o.waiver.line}, owner {o.waiver.owner})"
                    for o in expired
                    if o.waiver is not None
                )
            )

    def expect_no_secret_shown(self) -> None:
        report = self.done()
        for out in self.outputs:
            if any(value in out for value in self.secrets):
                raise ExpectationFailed("a secret value appears in the check's output")
        for var in report.variables:
            if var.state == "set" and not (var.fingerprint or "").startswith("sha256:"):
                raise ExpectationFailed(f"{var.name} is shown without a fingerprint")


def _said(o: Outcome) -> str:
    state = "its waiver expired" if o.status == "waiver-expired" else "not waived"
    return (
        f"{o.finding.id} ({o.finding.risk} risk, {state}): {o.finding.detail}; fix: {o.finding.fix}"
    )
