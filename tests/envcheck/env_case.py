"""A made-up environment for tests of golive's own checker: an environment file and a register
written to a folder, the check run over them, and expectations about what it said.

(These were scenarios in features/env; a scenario there must test the target, and these test
only the checker, on input they make up.)
"""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console

from golive.envcheck.assess import EnvReport, check_environment
from golive.envcheck.dates import iso, parse_instant
from golive.envcheck.render import print_table
from golive.errors import ConfigError


def good_production_values() -> dict[str, str | None]:
    """Fresh, well-formed, fake production values (never real secrets)."""
    return {
        "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(16),
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
        "ADYEN_API_KEY": "AQE" + secrets.token_hex(20),
        "ADYEN_HMAC_KEY": secrets.token_hex(32).upper(),
        "DATABASE_URL": f"postgresql://app:{secrets.token_hex(8)}@db.internal/bank"
        "?sslmode=verify-full",
    }


def value_of_kind(kind: str) -> tuple[str, bool]:
    """A fresh value of a described kind, and whether it is secret (random) material.

    Feature files describe values ("a test-mode key") instead of spelling out key-shaped
    strings, which would end up in test names and trip the evidence secret scan.
    """
    token = secrets.token_hex(12)
    kinds: dict[str, tuple[str, bool]] = {
        "a test-mode key": ("sk_test_" + token, True),
        "a publishable key": ("pk_live_" + token, True),
        "a secret of the wrong form": ("signing-secret-" + token, True),
        "a key that is not hex": ("not-hex-" + token, True),
        "a placeholder": ("changeme", False),
        "an empty value": ("", False),
        "a SQLite file": ("sqlite:///var/lib/bank/app.db", False),
        "a database URL without TLS": ("postgresql://app@db.internal/bank?sslmode=prefer", False),
    }
    if kind not in kinds:
        raise ValueError(f"unknown kind of value {kind!r}; use one of {', '.join(kinds)}")
    return kinds[kind]


@dataclass
class EnvScenario:
    folder: Path
    values: dict[str, str | None] = field(default_factory=good_production_values)
    register: str | None = None
    report: EnvReport | None = None
    refusal: ConfigError | None = None
    outputs: list[str] = field(default_factory=list)

    @property
    def secret_values(self) -> list[str]:
        return [v for v in self.values.values() if v]

    def set(self, name: str, value: str | None) -> None:
        self.values[name] = value

    def check(self, profile: str, now: str | None = None) -> None:
        env = self.folder / f"{profile}.env"
        lines = [f"{k}={_quote(v)}\n" for k, v in self.values.items() if v is not None]
        env.write_text("".join(lines))
        waivers = None
        if self.register is not None:
            waivers = self.folder / "waivers.yaml"
            waivers.write_text(self.register)
        at: datetime | None = parse_instant(now) if now else None
        self.report, self.refusal = None, None
        try:
            self.report = check_environment(profile, env, waivers, now=at)
        except ConfigError as exc:
            self.refusal = exc
            return
        table = io.StringIO()
        print_table(self.report, Console(file=table, width=200, no_color=True))
        self.outputs = [table.getvalue(), json.dumps(self.report.to_json())]

    # -- expectations -----------------------------------------------------------------
    def done(self) -> EnvReport:
        if self.refusal is not None:
            raise AssertionError(f"the check refused its input: {self.refusal}")
        if self.report is None:
            raise AssertionError("the scenario has not run the check yet")
        return self.report

    def expect_ready(self, ready: bool) -> None:
        report = self.done()
        if report.ready != ready:
            seen = [f"{o.finding.id} ({o.status})" for o in report.outcomes]
            raise AssertionError(
                f"expected {'ready' if ready else 'not ready'}, the check says "
                f"{'ready' if report.ready else 'not ready'}; findings: {seen or 'none'}"
            )

    def expect_findings(self, wanted: dict[str, tuple[str, str]]) -> None:
        """Exactly these findings: id → (risk, status)."""
        seen = {o.finding.id: (o.finding.risk, o.status) for o in self.done().outcomes}
        if seen != wanted:
            raise AssertionError(f"findings {seen}, expected {wanted}")

    def expect_waived(self, finding: str, until: str, owner: str) -> None:
        for o in self.done().outcomes:
            if o.finding.id == finding and o.waiver is not None:
                got = (o.status, iso(o.waiver.deadline), o.waiver.owner)
                if got != ("waived", iso(parse_instant(until)), owner):
                    raise AssertionError(f"{finding}: status, deadline, owner = {got}")
                return
        raise AssertionError(f"{finding} has no waiver in the report")

    def expect_warning(self, code: str, text: str) -> None:
        warnings = self.done().warnings
        if not any(w.code == code and text in w.message for w in warnings):
            raise AssertionError(f"no {code} warning mentioning {text!r}; warnings: {warnings}")

    def expect_no_secret_shown(self) -> None:
        report = self.done()
        for out in self.outputs:
            for value in self.secret_values:
                if value in out:
                    raise AssertionError("a secret value appears in the check's output")
        for var in report.variables:
            if var.state == "set" and not (var.fingerprint or "").startswith("sha256:"):
                raise AssertionError(f"{var.name} is shown without a fingerprint")

    def expect_refusal(self, file: str, line: int, field_name: str) -> None:
        if self.refusal is None:
            raise AssertionError("the check accepted its input; expected a refusal")
        message = str(self.refusal)
        wanted = (f"{file}:{line}:", f"field {field_name!r}")
        if not all(part in message for part in wanted) or int(self.refusal.exit_code) != 2:
            raise AssertionError(f"refusal {message!r} does not name {wanted} with exit 2")


def _quote(value: str) -> str:
    return "'" + value + "'" if value and "'" not in value else value
