"""A go-live runbook as data (runbook.toml): its steps, checked before anything runs.

    release = "rc-1.4.0"          # optional; --release overrides
    phase = "cutover"             # the phase the runbook's own evidence belongs to

    [[step]]
    id = "t-60-env"               # unique; letters, digits, - and _
    title = "T-60: production environment ready"
    kind = "probe"                # suite | probe | command | operation | manual
    probe = "env-check"           # env-check | stuck-jobs | reconcile
    args = ["--env-file", "deploy/production.env"]
    # an operation step runs one of golive.toml's [target.operations], values filled in:
    #   kind = "operation"; operation = "deploy"; values = { release = "1.4.0" }
    at = "T-60"                   # a label for the log
    phase = "cutover"             # optional; default: the runbook's phase
    needs = ["freeze"]            # optional; steps that must be done first
    decision = true               # optional; a NO-GO here stops the main path
    branch = "rollback"           # optional; steps run only after a NO-GO decision

Every problem is a ConfigError naming the file, the line of the step and the fix.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from golive.errors import ConfigError
from golive.evidence.manifest import PHASES
from golive.operations import Operations
from golive.run.suites import SUITES

KINDS = ("suite", "probe", "command", "operation", "manual")
PROBES = {
    "env-check": ("env", "check"),
    "stuck-jobs": ("ops", "stuck-jobs"),
    "reconcile": ("ops", "reconcile"),
}
BRANCHES = ("main", "rollback")
FIELDS = {
    "common": {"id", "title", "kind", "at", "phase", "needs", "decision", "branch", "timeout"},
    "suite": {"suite", "args"},
    "probe": {"probe", "args"},
    "command": {"command"},
    "operation": {"operation", "values"},
    "manual": {"owner", "instruction"},
}
STEP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    title: str
    phase: str
    line: int
    at: str | None = None
    suite: str | None = None
    probe: str | None = None
    args: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    operation: str | None = None  # the [target.operations] entry; ``command`` is its argv
    cwd: str | None = None  # where the command runs (an operation: the configuration's folder)
    owner: str | None = None
    instruction: str | None = None
    needs: tuple[str, ...] = ()
    decision: bool = False
    branch: str = "main"
    timeout: float = 3600.0


@dataclass(frozen=True)
class Runbook:
    path: Path
    release: str | None
    phase: str
    steps: tuple[Step, ...]

    def main_path(self) -> list[Step]:
        return [s for s in self.steps if s.branch == "main"]

    def rollback_path(self) -> list[Step]:
        return [s for s in self.steps if s.branch == "rollback"]


def _step_lines(text: str) -> list[int]:
    """The 1-based line of each ``[[step]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[step]]"]


def configured_operations() -> Operations:
    """The target's operations, as golive.toml (or GOLIVE_CONFIG) configures them."""
    from golive.config import load_config

    return load_config().target.operations


def load_runbook(path: Path, operations: Operations | None = None) -> Runbook:
    """The runbook at ``path``; ``operations``: the target's, for its operation steps."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"runbook {str(path)!r} cannot be read ({exc})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(doc) - {"release", "phase", "step"}
    if unknown:
        raise ConfigError(
            f"{path}: {sorted(unknown)} not runbook keys; use release, phase and [[step]] tables"
        )
    phase = doc.get("phase", "cutover")
    if phase not in PHASES:
        raise ConfigError(f"{path}: phase = {phase!r} is not one of {', '.join(PHASES)}")
    release = doc.get("release")
    if release is not None and (not isinstance(release, str) or not release.strip()):
        raise ConfigError(f"{path}: release = {release!r} must be a non-empty string")
    raw = doc.get("step", [])
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{path}: the runbook has no [[step]]; add at least one")
    lines = _step_lines(text)
    steps = tuple(
        _step(path, lines[i] if i < len(lines) else 0, data, phase, operations)
        for i, data in enumerate(raw)
    )
    _check_graph(path, steps)
    return Runbook(path, release, phase, steps)


def _step(
    path: Path, line: int, data: dict[str, Any], phase: str, operations: Operations | None
) -> Step:
    where = f"{path}:{line}"
    sid = data.get("id")
    if not isinstance(sid, str) or not STEP_ID.match(sid):
        raise ConfigError(f"{where}: step id = {sid!r} must be letters, digits, - and _")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ConfigError(
            f"{where}: step {sid!r} has kind = {kind!r}; use one of {', '.join(KINDS)}"
        )
    extra = set(data) - FIELDS["common"] - FIELDS[kind]
    if extra:
        raise ConfigError(
            f"{where}: step {sid!r} ({kind}) has unknown keys {sorted(extra)}; a {kind} step "
            f"takes {', '.join(sorted(FIELDS[kind] | FIELDS['common']))}"
        )
    args = data.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ConfigError(f"{where}: step {sid!r}: args must be a list of strings")
    step_phase = data.get("phase", phase)
    if step_phase not in PHASES:
        raise ConfigError(f"{where}: step {sid!r}: phase {step_phase!r} is not one of {PHASES}")
    branch = data.get("branch", "main")
    if branch not in BRANCHES:
        raise ConfigError(f"{where}: step {sid!r}: branch {branch!r} is not main or rollback")
    needs = data.get("needs", [])
    if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
        raise ConfigError(f"{where}: step {sid!r}: needs must be a list of step ids")
    timeout = data.get("timeout", 3600.0)
    if not isinstance(timeout, int | float) or not 0 < timeout < 7 * 86400:
        raise ConfigError(f"{where}: step {sid!r}: timeout {timeout!r} must be seconds > 0")
    common: dict[str, Any] = {
        "id": sid,
        "kind": kind,
        "title": str(data.get("title") or sid),
        "phase": step_phase,
        "line": line,
        "at": data.get("at"),
        "needs": tuple(needs),
        "decision": bool(data.get("decision", False)),
        "branch": branch,
        "timeout": float(timeout),
        "args": tuple(args),
    }
    if kind == "suite":
        suite = data.get("suite")
        if suite not in SUITES:
            raise ConfigError(
                f"{where}: step {sid!r}: suite = {suite!r} is not a suite; use one of "
                f"{', '.join(SUITES)}"
            )
        return Step(**common, suite=suite)
    if kind == "probe":
        probe = data.get("probe")
        if probe not in PROBES:
            raise ConfigError(
                f"{where}: step {sid!r}: probe = {probe!r}; use one of {', '.join(PROBES)}"
            )
        return Step(**common, probe=probe)
    if kind == "command":
        command = data.get("command")
        if not isinstance(command, str) or not command.strip():
            raise ConfigError(f"{where}: step {sid!r}: command must be a non-empty string")
        try:
            argv = tuple(shlex.split(command))
        except ValueError as exc:
            raise ConfigError(f"{where}: step {sid!r}: command cannot be split ({exc})") from None
        return Step(**common, command=argv)
    if kind == "operation":
        return _operation_step(where, sid, data, common, operations, "timeout" in data)
    owner = data.get("owner")
    if not isinstance(owner, str) or not owner.strip():
        raise ConfigError(
            f'{where}: manual step {sid!r} has no owner; name who confirms it (owner = "…")'
        )
    return Step(**common, owner=owner, instruction=data.get("instruction"))


def _operation_step(
    where: str,
    sid: str,
    data: dict[str, Any],
    common: dict[str, Any],
    operations: Operations | None,
    timed: bool,
) -> Step:
    name = data.get("operation")
    known = operations.names if operations is not None else ()
    if not isinstance(name, str) or name not in known:
        raise ConfigError(
            f"{where}: step {sid!r}: operation = {name!r} is not one of the target's operations "
            f"([target.operations] in golive.toml: {', '.join(known) or 'none configured'}); "
            "configure it there, or make the step a command"
        )
    assert operations is not None
    values = data.get("values", {})
    if not isinstance(values, dict) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in values.values()
    ):
        raise ConfigError(
            f"{where}: step {sid!r}: values must be a table of placeholders, e.g. values = "
            '{ release = "1.4.0" }'
        )
    command = operations.commands[name]
    try:
        argv = command.argv(values)
    except ConfigError:
        raise ConfigError(
            f"{where}: step {sid!r}: operation {name} needs "
            f"{', '.join('{' + p + '}' for p in sorted(command.placeholders))}; give them in "
            f"values = {{ … }} (given: {', '.join(sorted(values)) or 'none'})"
        ) from None
    if not timed:
        common["timeout"] = command.timeout_s
    cwd = str(operations.cwd) if operations.cwd is not None else None
    return Step(**common, command=tuple(argv), operation=name, cwd=cwd)


def _check_graph(path: Path, steps: tuple[Step, ...]) -> None:
    seen: dict[str, Step] = {}
    for step in steps:
        if step.id in seen:
            raise ConfigError(
                f"{path}:{step.line}: step id {step.id!r} is used twice "
                f"(first at line {seen[step.id].line})"
            )
        seen[step.id] = step
    for step in steps:
        for need in step.needs:
            if need not in seen:
                raise ConfigError(
                    f"{path}:{step.line}: step {step.id!r} needs {need!r}, "
                    "which is not a step of this runbook"
                )
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(step: Step, trail: list[str]) -> None:
        if state.get(step.id) == 2:
            return
        if state.get(step.id) == 1:
            cycle = " -> ".join([*trail[trail.index(step.id) :], step.id])
            raise ConfigError(f"{path}:{step.line}: the steps' needs form a cycle: {cycle}")
        state[step.id] = 1
        for need in step.needs:
            visit(seen[need], [*trail, step.id])
        state[step.id] = 2

    for step in steps:
        visit(step, [])
    if any(s.branch == "rollback" for s in steps) and not any(s.decision for s in steps):
        first = next(s for s in steps if s.branch == "rollback")
        raise ConfigError(
            f"{path}:{first.line}: rollback steps need a decision point; mark the step whose "
            "NO-GO starts the rollback with decision = true"
        )
