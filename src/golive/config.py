"""golive's one configuration: `golive.toml`, or `[tool.golive]` in pyproject.toml.

Every key has a default (docs/configuration.md lists them). Unknown keys and wrong types
are refused with the file, the key and the fix, never ignored.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from golive.errors import ConfigError


@dataclass(frozen=True)
class SloTargets:
    availability: float = 0.999  # share of platform requests answered without a 5xx
    latency_p95_ms: float = 500.0  # platform API latency, 95th percentile
    webhook_success: float = 0.995  # share of webhook deliveries acknowledged with a 2xx
    payouts_within_24h: float = 0.95  # share of payouts settled within 24 h
    min_samples: int = 50  # fewer samples than this is NoData, not a pass


@dataclass(frozen=True)
class DrillTargets:
    rto_seconds: float = 900.0  # disaster → passing canary on the restored database
    rpo_seconds: float = 300.0  # last commit at the source → last commit after recovery
    rollback_seconds: float = 120.0  # start of rollback → steady state back


@dataclass(frozen=True)
class LoadPhase:
    loops: int = 24  # concurrent money loops in the SLO load phase (bounded)
    concurrency: int = 4
    max_seconds: float = 60.0


@dataclass(frozen=True)
class Config:
    slo: SloTargets = field(default_factory=SloTargets)
    drills: DrillTargets = field(default_factory=DrillTargets)
    load: LoadPhase = field(default_factory=LoadPhase)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = "defaults"

    def digest(self) -> str:
        """sha256 of the effective configuration (recorded in the evidence)."""
        data = {k: v for k, v in asdict(self).items() if k != "source"}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


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
        if isinstance(default, int) and not isinstance(default, bool) and not isinstance(value, int):
            raise ConfigError(f"{where}.{key} = {value!r} must be a whole number")
        if isinstance(value, int | float) and value < 0:
            raise ConfigError(f"{where}.{key} = {value!r} must not be negative")
        out[key] = value
    return cls(**out)


def load_config(path: Path | None = None, cwd: Path | None = None) -> Config:
    """Read ``path``, else ./golive.toml, else [tool.golive] of ./pyproject.toml, else defaults."""
    cwd = cwd or Path.cwd()
    data: dict[str, Any] = {}
    source = "defaults"
    candidates = [path] if path else [cwd / "golive.toml", cwd / "pyproject.toml"]
    for candidate in candidates:
        if candidate is None or not candidate.exists():
            if path is not None:
                raise ConfigError(f"configuration file {str(path)!r} does not exist")
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
    top = {"slo", "drills", "load", "profiles"}
    for key in data:
        if key not in top:
            raise ConfigError(f"{source}: [{key}] is not a golive section; use {sorted(top)}")
    return Config(
        slo=_section(SloTargets, data.get("slo", {}), "slo"),
        drills=_section(DrillTargets, data.get("drills", {}), "drills"),
        load=_section(LoadPhase, data.get("load", {}), "load"),
        profiles=dict(data.get("profiles", {})),
        source=source,
    )
