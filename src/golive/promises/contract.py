"""The promises of the platform contract: each statement that starts with ``[P-area-n]``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from golive.errors import ConfigError

ID = r"P-[a-z]+-[0-9]+"
PROMISE_ID = re.compile(ID)
# an id in a description: the statement runs to the next id or the end of the paragraph
STATEMENT = re.compile(rf"\[({ID})\]\)?\s*(.*?)(?=\(?\[{ID}\]|\n\s*\n|\Z)", re.S)
CONTRACT = Path("docs") / "platform-contract.yaml"


@dataclass(frozen=True)
class Promise:
    id: str
    text: str  # the statement, on one line
    where: str  # the part of the contract that states it: an operation, a schema, "info"


def sort_key(promise_id: str) -> tuple[str, int]:
    area, number = promise_id.rsplit("-", 1)
    return area, int(number)


def _texts(node: Any) -> Iterator[str]:
    """Every description and summary in ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def _parts(doc: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    yield "info", doc.get("info", {})
    for path, ops in (doc.get("paths") or {}).items():
        for method, op in (ops or {}).items():
            if isinstance(op, dict):
                yield str(op.get("operationId", f"{method.upper()} {path}")), op
    for kind, items in (doc.get("components") or {}).items():
        for name, item in (items or {}).items():
            yield f"{kind}/{name}", item


def parse(text: str) -> dict[str, Promise]:
    """The promises of a contract's text, by id. ``[P-x-n]`` starts a statement (once per
    id); ``([P-x-n])`` refers to one."""
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise ConfigError("the platform contract is not an OpenAPI document")
    found: dict[str, Promise] = {}
    for where, part in _parts(doc):
        for description in _texts(part):
            for match in STATEMENT.finditer(description):
                if description[max(0, match.start() - 1) : match.start()] == "(":
                    continue  # ([P-x-n]): a reference to a promise stated elsewhere
                pid = match.group(1)
                if pid in found:
                    raise ConfigError(
                        f"the platform contract states {pid} twice ({found[pid].where} and "
                        f"{where}): give the second statement a new id, or refer to the first "
                        f"as ([{pid}])"
                    )
                text = " ".join(match.group(2).split()).rstrip(";, ")
                found[pid] = Promise(pid, text, where)
    return dict(sorted(found.items(), key=lambda kv: sort_key(kv[0])))


def load(root: Path) -> dict[str, Promise]:
    path = root / CONTRACT
    try:
        return parse(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the platform contract ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not YAML: {' '.join(str(exc).split())}") from None
