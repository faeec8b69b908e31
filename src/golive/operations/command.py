"""One configured operation: its argv template, its timeout, and filling it in.

The template is split like a shell would split it (``shlex``), then each word has its
placeholders filled in, so a value with spaces stays one argument and nothing is ever
handed to a shell.
"""

from __future__ import annotations

import shlex
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from golive.errors import ConfigError
from golive.operations.catalog import CATALOG, OperationSpec

DEFAULT_TIMEOUT_S = 300.0
MAX_TIMEOUT_S = 24 * 3600.0
DOCS = "docs/operations-hooks.md"


def _show(spec: OperationSpec) -> str:
    return ", ".join("{" + p.value + "}" for p in spec.offers)


@dataclass(frozen=True)
class Command:
    """An operation as configured: ``words`` is the argv template, already split."""

    name: str
    template: str
    words: tuple[str, ...]
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(f for word in self.words for f in _fields(word))

    def argv(self, values: Mapping[str, object]) -> list[str]:
        """The argv with ``values`` filled in; ConfigError naming a placeholder left empty."""
        given = {k: str(v) for k, v in values.items() if v is not None}
        missing = sorted(self.placeholders - given.keys())
        if missing:
            raise ConfigError(
                f"operation {self.name} uses {{{missing[0]}}} but no value was given for it; "
                f"this drill fills in {', '.join('{' + k + '}' for k in sorted(given)) or 'none'}"
                f". Fix: take {{{missing[0]}}} out of target.operations.{self.name}"
            )
        return [word.format_map(given) for word in self.words]


def _fields(word: str) -> list[str]:
    """The placeholders in ``word``, written as found (``{x!r}`` or ``{x:>3}`` stay whole)."""
    out = []
    for _, field, spec, conversion in string.Formatter().parse(word):
        if field is not None:
            shown = field + (f"!{conversion}" if conversion else "")
            out.append(shown + (f":{spec}" if spec else ""))
    return out


def parse_command(name: str, value: Any, *, where: str = "target.operations") -> Command:
    """``value`` is an argv string, or a table ``{ argv = "…", timeout = seconds }``."""
    key = f"{where}.{name}"
    spec = CATALOG.get(name)
    if spec is None:
        raise ConfigError(
            f"{key} = {value!r}: {name!r} is not an operation golive runs; known operations: "
            f"{', '.join(sorted(CATALOG))}. Fix: rename it to one of those ({DOCS})"
        )
    timeout: Any = DEFAULT_TIMEOUT_S
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"argv", "timeout"})
        if unknown:
            raise ConfigError(
                f"{key}.{unknown[0]} is not an operation setting; write "
                f'{key} = {{ argv = "…", timeout = 300 }}'
            )
        timeout = value.get("timeout", DEFAULT_TIMEOUT_S)
        value = value.get("argv")
        key = f"{key}.argv"
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f'{key} = {value!r} must be a command line, e.g. {name} = "mytool {name} …" ({DOCS})'
        )
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ConfigError(f"{where}.{name}.timeout = {timeout!r} must be a number of seconds")
    if not 0 < timeout <= MAX_TIMEOUT_S:
        raise ConfigError(
            f"{where}.{name}.timeout = {timeout!r} must be more than 0 and at most "
            f"{MAX_TIMEOUT_S:g} seconds"
        )
    try:
        words = tuple(shlex.split(value))
        fields = [f for word in words for f in _fields(word)]
    except ValueError as exc:
        raise ConfigError(
            f"{key} = {value!r} cannot be split into words ({exc}). Fix: close the quote, "
            "and write {{ or }} for a literal brace"
        ) from None
    offers = {p.value for p in spec.offers}
    for field in fields:
        if field not in offers:
            raise ConfigError(
                f"{key} = {value!r}: {{{field}}} is not a placeholder {name} fills in; it "
                f"offers {_show(spec)}. Fix: use one of those, or write {{{{ for a literal brace"
            )
    for needed in spec.needs:
        if needed.value not in fields:
            raise ConfigError(
                f"{key} = {value!r} never uses {{{needed.value}}}, so it cannot {spec.does}. "
                f"Fix: put {{{needed.value}}} where your tool takes it"
            )
    return Command(name, value, words, float(timeout))
