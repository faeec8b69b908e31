"""The waiver register: accepted risks, each with an owner, a deadline and a mitigation.

    go_live: 2025-12-26T12:00:00Z        # optional; lets deadlines say T+72h
    waivers:
      - finding: stripe-test-key:STRIPE_SECRET_KEY
        risk: medium
        owner: DevOps
        deadline: T+72h                  # or 2025-12-29, or 2025-12-29T12:00:00Z
        mitigation: Rotate to the live key.
        status: open                     # optional: open (default) or closed
        ticket: OPS-142                  # optional

Read from YAML nodes so every error names the file, the line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from golive.envcheck.checks import RISKS
from golive.envcheck.dates import DateError, parse_deadline, parse_instant
from golive.errors import ConfigError

REQUIRED = ("finding", "risk", "owner", "deadline", "mitigation")
OPTIONAL = ("status", "ticket", "notes")
TOP = ("go_live", "environment", "waivers")
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class Waiver:
    finding: str
    risk: str
    owner: str
    deadline: datetime  # the first instant at which the waiver no longer holds
    deadline_text: str  # as written in the register
    mitigation: str
    line: int  # 1-based line of the entry in the register
    status: str = "open"
    ticket: str | None = None

    def expired(self, now: datetime) -> bool:
        return now >= self.deadline


@dataclass(frozen=True)
class Register:
    path: Path | None  # None: no register was given
    waivers: tuple[Waiver, ...]
    go_live: datetime | None = None
    environment: str | None = None

    @property
    def open(self) -> tuple[Waiver, ...]:
        return tuple(w for w in self.waivers if w.status == "open")


def empty_register() -> Register:
    return Register(None, ())


def read_register(path: Path) -> Register:
    """Parse and validate the register; ConfigError (exit 2) with file:line and field."""
    if not path.is_file():
        raise ConfigError(
            f"waiver register {str(path)!r} does not exist or is not a file; pass the "
            "register with --waivers (or leave --waivers out when nothing is waived)"
        )
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        raise ConfigError(f"{path}:{line}: not valid YAML: {exc.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable YAML file: {exc}") from None
    return _Reader(path).register(root)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node, field: str, why: str) -> ConfigError:
        return ConfigError(f"{self.path}:{node.start_mark.line + 1}: field {field!r}: {why}")

    def mapping(self, node: yaml.Node, field: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "must be a mapping (key: value lines)")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                raise self.fail(
                    key_node, str(key),
                    f"is not a register field; allowed here: {', '.join(allowed)}",
                )  # fmt: skip
            if key in out:
                raise self.fail(key_node, key, "appears twice in the same entry")
            out[key] = (key_node, value_node)
        return out

    def text(self, node: yaml.Node, field: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, field, "must be a single value, not a list or mapping")
        if node.tag == "tag:yaml.org,2002:null" or not str(node.value).strip():
            return None
        return str(node.value).strip()

    def register(self, root: yaml.Node | None) -> Register:
        if root is None:
            raise ConfigError(f"{self.path}:1: the register is empty; write `waivers: []` at least")
        top = self.mapping(root, "(top level)", TOP)
        go_live = None
        if "go_live" in top:
            _, node = top["go_live"]
            raw = self.text(node, "go_live")
            if raw is None:
                raise self.fail(node, "go_live", "is empty; write e.g. 2025-12-26T12:00:00Z")
            try:
                go_live = parse_instant(raw)
            except DateError as exc:
                raise self.fail(node, "go_live", str(exc)) from None
        environment = (
            self.text(top["environment"][1], "environment") if "environment" in top else None
        )
        if "waivers" not in top:
            raise self.fail(root, "waivers", "is missing; list the waivers under `waivers:`")
        _, items = top["waivers"]
        if isinstance(items, yaml.ScalarNode) and items.tag == "tag:yaml.org,2002:null":
            return Register(self.path, (), go_live, environment)
        if not isinstance(items, yaml.SequenceNode):
            raise self.fail(items, "waivers", "must be a list of entries (lines starting with -)")
        waivers = tuple(self.waiver(item, go_live) for item in items.value)
        self.no_duplicates(waivers)
        return Register(self.path, waivers, go_live, environment)

    def waiver(self, node: yaml.Node, go_live: datetime | None) -> Waiver:
        fields = self.mapping(node, "waivers[]", REQUIRED + OPTIONAL)
        values: dict[str, str] = {}
        for name in REQUIRED:
            if name not in fields:
                raise self.fail(node, name, "is missing: every waiver needs " + ", ".join(REQUIRED))
            value = self.text(fields[name][1], name)
            if value is None:
                raise self.fail(fields[name][1], name, "is empty: every waiver needs a value here")
            values[name] = value
        risk = values["risk"].lower()
        if risk not in RISKS:
            raise self.fail(
                fields["risk"][1], "risk", f"{values['risk']!r} is not one of {', '.join(RISKS)}"
            )
        if values["owner"] in ("-", "?", "TBD", "tbd", "[Name]"):
            raise self.fail(fields["owner"][1], "owner", f"{values['owner']!r} names nobody; "
                            "name the team or person accountable")  # fmt: skip
        try:
            deadline = parse_deadline(values["deadline"], go_live)
        except DateError as exc:
            raise self.fail(fields["deadline"][1], "deadline", str(exc)) from None
        status = "open"
        if "status" in fields:
            status = (self.text(fields["status"][1], "status") or "open").lower()
            if status not in STATUSES:
                raise self.fail(fields["status"][1], "status", f"{status!r} is not open or closed")
        ticket = self.text(fields["ticket"][1], "ticket") if "ticket" in fields else None
        return Waiver(
            finding=values["finding"], risk=risk, owner=values["owner"], deadline=deadline,
            deadline_text=values["deadline"], mitigation=values["mitigation"],
            line=node.start_mark.line + 1, status=status, ticket=ticket,
        )  # fmt: skip

    def no_duplicates(self, waivers: tuple[Waiver, ...]) -> None:
        seen: dict[str, Waiver] = {}
        for w in waivers:
            if w.status != "open":
                continue
            if w.finding in seen:
                raise ConfigError(
                    f"{self.path}:{w.line}: field 'finding': {w.finding!r} already has an open "
                    f"waiver on line {seen[w.finding].line}; keep one and close the other "
                    "(status: closed)"
                )
            seen[w.finding] = w
