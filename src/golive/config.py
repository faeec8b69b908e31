"""golive's one configuration: `golive.toml`, or `[tool.golive]` in pyproject.toml.

Every key has a default (docs/configuration.md lists them). Unknown keys, wrong types and
values out of range (not finite, a share outside (0, 1], a count or duration that is not
positive) are refused with the key and the fix, never ignored.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from golive.config_target import (
    CONFIG_ENV,
    PspSettings,
    TargetConfig,
    check_hand_over,
    psp_section,
    target_section,
)
from golive.errors import ConfigError


@dataclass(frozen=True)
class SloTargets:
    availability: float = 0.999  # share of platform requests answered without a 5xx
    latency_p95_ms: float = 500.0  # platform API latency, 95th percentile
    webhook_success: float = 0.995  # share of webhook deliveries acknowledged with a 2xx
    payouts_within_24h: float = 0.95  # share of payouts settled within 24 h
    min_samples: int = 50  # fewer samples than this is NoData, not a pass
    confidence: float = 0.95  # gates pass on one-sided bounds at this confidence


BACKUP_ENGINES = ("golive", "pgbackrest", "operations")


@dataclass(frozen=True)
class DrillTargets:
    rto_seconds: float = 900.0  # disaster → passing canary on the restored database
    rpo_seconds: float = 300.0  # last commit at the source → last commit after recovery
    rollback_seconds: float = 120.0  # start of rollback → steady state back
    migration_lock_timeout_seconds: float = 3.0  # a drill's migration waits this long for a lock
    backup_engine: str = "golive"  # the point-in-time drill's backups: one of BACKUP_ENGINES

    def __post_init__(self) -> None:
        if self.backup_engine not in BACKUP_ENGINES:
            raise ConfigError(
                f"drills.backup_engine = {self.backup_engine!r} is not a backup engine; "
                f"write one of {', '.join(repr(e) for e in BACKUP_ENGINES)}"
            )


@dataclass(frozen=True)
class LoadPhase:
    loops: int = 0  # money loops in the SLO load phase; 0: as many as the SLO gates need
    max_loops: int = 2_000  # the most loops a sized load phase runs
    concurrency: int = 4  # concurrent money loops (Locust users), across all workers
    max_seconds: float = 120.0
    workers: int = 1  # Locust worker processes; 1: one Locust process, no master


@dataclass(frozen=True)
class OpsTargets:
    payout_sla_hours: float = 24.0  # a payout job pending longer than this is stuck
    deposit_confirmation_sla_hours: float = 1.0  # a deposit awaiting its PSP webhook this long
    # hypercare scenarios: real seconds a webhook is held back to be late for the platform's
    # confirmation window (the embedded reference platform's is 2 s, REFBANK_JOB_LATE_SECONDS)
    late_webhook_seconds: float = 3.0


STRIPE_MODES = ("live", "test", "any")
# Shares of something: a value in (0, 1], so 0.999 means 99.9 %.
RATIO_KEYS = frozenset({"slo.availability", "slo.webhook_success", "slo.payouts_within_24h"})
ZERO_MEANS_AUTO = frozenset({"load.loops"})  # 0: as many loops as the SLO gates need
LOAD_WORKERS_ENV = "GOLIVE_LOAD_WORKERS"  # golive run --load-workers N, for the load phase
# The folder golive.toml is looked up in when no file is named (default: the working
# directory). `golive run` sets it to the folder it was started in, so the suite root it
# runs from does not change which configuration applies.
CONFIG_DIR_ENV = "GOLIVE_CONFIG_DIR"


@dataclass(frozen=True)
class EnvProfile:
    """What `golive env check --profile NAME` requires of an environment."""

    required_secrets: tuple[str, ...] = (
        "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "ADYEN_API_KEY", "ADYEN_HMAC_KEY",
        "DATABASE_URL",
    )  # fmt: skip
    stripe_keys: str = "live"  # live: sk_test_ is a finding; test: sk_live_ is one; any
    stripe_key_vars: tuple[str, ...] = ("STRIPE_SECRET_KEY",)
    webhook_secret_vars: tuple[str, ...] = ("STRIPE_WEBHOOK_SECRET",)
    adyen_api_key_var: str = "ADYEN_API_KEY"
    adyen_hmac_key_var: str = "ADYEN_HMAC_KEY"
    database_url_var: str = "DATABASE_URL"
    database_tls: bool = True  # the DSN must say sslmode=require, verify-ca or verify-full
    sqlite_allowed: bool = False
    webhook_secret_lists: bool = False  # webhook secret variables hold comma-separated lists


BUILTIN_PROFILES: dict[str, EnvProfile] = {
    "production": EnvProfile(),
    "staging": EnvProfile(stripe_keys="test"),
    "development": EnvProfile(
        required_secrets=("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"),
        stripe_keys="test",
        database_tls=False,
        sqlite_allowed=True,
    ),
    # The reference platform as golive starts it (and as examples/ run it): its own variable
    # names, test keys for the stub PSP, its database on loopback without TLS.
    "refbank": EnvProfile(
        required_secrets=(
            "REFBANK_STRIPE_API_KEY", "REFBANK_STRIPE_WEBHOOK_SECRETS", "REFBANK_ADYEN_API_KEY",
            "REFBANK_ADYEN_HMAC_KEY", "REFBANK_DSN",
        ),
        stripe_keys="test",
        stripe_key_vars=("REFBANK_STRIPE_API_KEY",),
        webhook_secret_vars=("REFBANK_STRIPE_WEBHOOK_SECRETS",),
        adyen_api_key_var="REFBANK_ADYEN_API_KEY",
        adyen_hmac_key_var="REFBANK_ADYEN_HMAC_KEY",
        database_url_var="REFBANK_DSN",
        database_tls=False,
        webhook_secret_lists=True,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class InvariantQueries:
    """[invariants]: read-only SQL checks run at the end of every suite (docs/properties.md)."""

    use_defaults: bool = True  # run the reference platform's checks (golive.invariants.sql)
    disable: tuple[str, ...] = ()  # names of checks not to run
    statement_timeout_ms: int = 30_000
    queries: dict[str, str] = field(default_factory=dict)  # name -> SELECT returning bad rows


@dataclass(frozen=True)
class RunLabels:
    """[run]: what a run is evidence of (`golive run --release/--environment/--phase`)."""

    release: str = ""  # the release candidate, e.g. rc-1.4.0
    environment: str = ""  # where it runs, e.g. staging
    phase: str = ""  # rc-proof, dry-run, cutover or hypercare


LABEL_MAX = 100  # characters of a release or environment name


def check_label(name: str, value: str, where: str) -> str:
    """A run label as given (stripped): one printable line; a phase is a go-live phase."""
    from golive.evidence.manifest import PHASES

    text = value.strip()
    example = {"release": "rc-1.4.0", "environment": "staging", "phase": "rc-proof"}[name]
    if not text:
        raise ConfigError(f"{where} is empty; name the {name}, e.g. {example}")
    if not text.isprintable() or len(text) > LABEL_MAX:
        raise ConfigError(
            f"{where} = {value[:LABEL_MAX]!r} is not usable as the {name}: one line of at most "
            f"{LABEL_MAX} printable characters, e.g. {example}"
        )
    if name == "phase" and text not in PHASES:
        raise ConfigError(
            f"{where} = {text!r} is not a go-live phase; use one of {', '.join(PHASES)}"
        )
    return text


def _run_labels(data: Any) -> RunLabels:
    if not isinstance(data, dict):
        raise ConfigError(f"run must be a table, not {data!r}; write it as [run]")
    known = [f.name for f in fields(RunLabels)]
    out = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"run.{key} is not a golive setting; known keys: {', '.join(known)}")
        if not isinstance(value, str):
            raise ConfigError(f'run.{key} = {value!r} must be a string, e.g. {key} = "…"')
        out[key] = check_label(key, value, f"run.{key}")
    return RunLabels(**out)


@dataclass(frozen=True)
class Config:
    slo: SloTargets = field(default_factory=SloTargets)
    drills: DrillTargets = field(default_factory=DrillTargets)
    load: LoadPhase = field(default_factory=LoadPhase)
    ops: OpsTargets = field(default_factory=OpsTargets)
    invariants: InvariantQueries = field(default_factory=InvariantQueries)
    profiles: dict[str, EnvProfile] = field(default_factory=lambda: dict(BUILTIN_PROFILES))
    target: TargetConfig = field(default_factory=lambda: TargetConfig())
    psp: PspSettings = field(default_factory=lambda: PspSettings())
    run: RunLabels = field(default_factory=RunLabels)
    source: str = "defaults"

    def profile(self, name: str) -> EnvProfile:
        """The profile called ``name``; ConfigError naming the known ones otherwise."""
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise ConfigError(
                f"--profile {name!r} is not a profile; known profiles: {known}. Define it "
                f"in golive.toml as the table profiles.{name} (docs/configuration.md)"
            ) from None

    def settings(self) -> dict[str, Any]:
        """The effective configuration as plain data: every key, defaults included (the
        operations as written, the database's password masked). The [run] labels are
        recorded as the run's own fields, not as configuration."""
        from golive.evidence.redact import mask_dsn

        data = {k: v for k, v in asdict(self).items() if k not in ("source", "run")}
        target = data["target"]
        target["operations"] = {n: c.template for n, c in self.target.operations.commands.items()}
        target["database"] = mask_dsn(self.target.database) or ""
        return dict(json.loads(json.dumps(data, default=str)))

    def digest(self) -> str:
        """sha256 of the effective configuration (recorded in the evidence)."""
        return hashlib.sha256(json.dumps(self.settings(), sort_keys=True).encode()).hexdigest()


def _section(cls: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table, not {data!r}; write it as [{where}]")
    known = {f.name: f for f in fields(cls)}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                f"{where}.{key} is not a golive setting; known keys: {', '.join(sorted(known))}"
            )
        default = known[key].default
        if isinstance(default, int | float) and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            raise ConfigError(f"{where}.{key} = {value!r} must be a number (default {default!r})")
        whole = isinstance(default, int) and not isinstance(default, bool)
        if whole and not isinstance(value, int):
            raise ConfigError(f"{where}.{key} = {value!r} must be a whole number")
        if isinstance(value, int | float) and isinstance(default, int | float):
            _check_range(f"{where}.{key}", value, default)
        out[key] = value
    return cls(**out)


def _check_range(name: str, value: float, default: float) -> None:
    """Finite; a share in (0, 1]; anything else (counts, durations, limits) above zero."""
    if not math.isfinite(value):
        raise ConfigError(f"{name} = {value!r} is not a finite number; write e.g. {default!r}")
    if name in RATIO_KEYS and not 0 < value <= 1:
        raise ConfigError(
            f"{name} = {value!r} is a share and must be above 0 and at most 1 "
            f"(write {default!r} for {default * 100:g} %, not {default * 100:g})"
        )
    if value == 0 and name in ZERO_MEANS_AUTO:
        return
    if value <= 0:
        sign = "must not be negative" if value < 0 else "must be above zero"
        raise ConfigError(f"{name} = {value!r} {sign}; write e.g. {default!r}")


def _profiles(data: Any) -> dict[str, EnvProfile]:
    """Built-in profiles, overridden and extended by [profiles.NAME] tables."""
    if not isinstance(data, dict):
        raise ConfigError(f"profiles must be a table, not {data!r}; write [profiles.NAME]")
    out = dict(BUILTIN_PROFILES)
    for name, table in data.items():
        where = f"profiles.{name}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table, not {table!r}; write it as [{where}]")
        table = dict(table)
        base_name = table.pop("extends", name if name in out else "production")
        if base_name not in out:
            raise ConfigError(
                f"{where}.extends = {base_name!r} is not a profile defined before it; "
                f"known: {', '.join(sorted(out))}"
            )
        out[name] = _profile(out[base_name], table, where)
    return out


def _profile(base: EnvProfile, data: dict[str, Any], where: str) -> EnvProfile:
    known = {f.name: f for f in fields(EnvProfile)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                f"{where}.{key} is not a profile setting; known keys: extends, "
                f"{', '.join(sorted(known))}"
            )
        default = getattr(base, key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}.{key} = {value!r} must be true or false")
        elif isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(
                    f"{where}.{key} = {value!r} must be a list of variable names, "
                    'e.g. ["STRIPE_SECRET_KEY"]'
                )
            value = tuple(value)
        elif not isinstance(value, str) or not value:
            raise ConfigError(f"{where}.{key} = {value!r} must be a non-empty string")
        if key == "stripe_keys" and value not in STRIPE_MODES:
            raise ConfigError(
                f"{where}.stripe_keys = {value!r} is not one of {', '.join(STRIPE_MODES)}"
            )
        changes[key] = value
    return replace(base, **changes)


def _invariants(data: Any) -> InvariantQueries:
    """[invariants] and [invariants.queries]; each query must be one SELECT."""
    from golive.invariants.sql import validate_query

    if not isinstance(data, dict):
        raise ConfigError(f"invariants must be a table, not {data!r}; write it as [invariants]")
    data = dict(data)
    queries = data.pop("queries", {})
    disable = data.pop("disable", [])
    if not isinstance(queries, dict) or not all(isinstance(q, str) for q in queries.values()):
        raise ConfigError(
            "[invariants.queries] must map check names to SQL strings, e.g. "
            'no_orphans = "SELECT id FROM legs WHERE account_id IS NULL"'
        )
    if not isinstance(disable, list) or not all(isinstance(d, str) for d in disable):
        raise ConfigError(f"invariants.disable = {disable!r} must be a list of check names")
    use_defaults = data.pop("use_defaults", True)
    if not isinstance(use_defaults, bool):
        raise ConfigError(f"invariants.use_defaults = {use_defaults!r} must be true or false")
    for name, query in queries.items():
        validate_query(name, query)
    base: InvariantQueries = _section(InvariantQueries, data, "invariants")
    return replace(base, use_defaults=use_defaults, queries=dict(queries), disable=tuple(disable))


def _check_bounds(slo: SloTargets) -> SloTargets:
    """What the confidence-bound gates need: a confidence strictly between 0 and 1, and
    ratio targets under 100% (no finite sample proves 100%)."""
    if not 0.0 < slo.confidence < 1.0:
        raise ConfigError(
            f"slo.confidence = {slo.confidence!r} must be strictly between 0 and 1; write e.g. 0.95"
        )
    for key in ("availability", "webhook_success", "payouts_within_24h"):
        if getattr(slo, key) >= 1.0:
            raise ConfigError(
                f"slo.{key} = {getattr(slo, key)!r}: no finite number of samples proves 100%; "
                f"write the target you commit to, e.g. {getattr(SloTargets, key)!r}"
            )
    return slo


def load_config(path: Path | None = None, cwd: Path | None = None) -> Config:
    """Read ``path``, else $GOLIVE_CONFIG, else golive.toml, else [tool.golive] of
    pyproject.toml, else defaults.

    The two files are looked up in ``cwd``, else $GOLIVE_CONFIG_DIR, else the working directory.
    """
    cwd = cwd or Path(os.environ.get(CONFIG_DIR_ENV) or Path.cwd())
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    data: dict[str, Any] = {}
    source = "defaults"
    candidates = [path] if path else [cwd / "golive.toml", cwd / "pyproject.toml"]
    for candidate in candidates:
        if candidate is None or not candidate.is_file():
            if path is not None:
                raise ConfigError(
                    f"configuration file {str(path)!r} does not exist or is not a file; "
                    "pass the path of your golive.toml"
                )
            continue
        try:
            doc = tomllib.loads(candidate.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{candidate}: not valid TOML: {exc}") from None
        if candidate.name == "pyproject.toml":
            doc = doc.get("tool", {}).get("golive")
            if doc is None:
                continue
        data, source = doc, str(candidate)
        break
    top = {"slo", "drills", "load", "ops", "invariants", "profiles", "target", "psp", "run"}
    for key in data:
        if key not in top:
            raise ConfigError(f"{source}: [{key}] is not a golive section; use {sorted(top)}")
    profiles = _profiles(data.get("profiles", {}))
    base = Path(source).resolve().parent if source != "defaults" else cwd
    target = target_section(data.get("target", {}), base, profiles)
    psp = psp_section(data.get("psp", {}))
    check_hand_over(psp, target)
    try:
        return Config(
            slo=_check_bounds(_section(SloTargets, data.get("slo", {}), "slo")),
            drills=_section(DrillTargets, data.get("drills", {}), "drills"),
            load=_section(LoadPhase, data.get("load", {}), "load"),
            ops=_section(OpsTargets, data.get("ops", {}), "ops"),
            invariants=_invariants(data.get("invariants", {})),
            profiles=profiles,
            target=target,
            psp=psp,
            run=_run_labels(data.get("run", {})),
            source=source,
        )
    except ConfigError as exc:  # name the file the wrong value is in
        raise ConfigError(f"{source}: {exc}") from None
