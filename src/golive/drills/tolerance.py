"""Tolerances: what a probe's value must be for the steady state to hold.

Learned from Chaos Toolkit's tolerances (an exact value, a range, a pattern), made
stricter: a probe without a tolerance does not exist, a value of the wrong type is a
deviation (never a silent pass), and ``SameAsBefore`` compares with the value the same
probe measured before the change, so "the steady state came back" is checked, not assumed.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SHOWN = 5  # findings quoted in a deviation; the journal keeps them all


class Tolerance(abc.ABC):
    """Decides whether one measured value is within the steady state."""

    @abc.abstractmethod
    def deviation(self, value: Any, before: Any = None) -> str | None:
        """None when ``value`` is within tolerance; otherwise why it is not.

        ``before`` is what the same probe measured before the change (None in that check).
        """

    @abc.abstractmethod
    def describe(self) -> str:
        """The tolerance in words, for the journal and the rollback matrix."""


@dataclass(frozen=True)
class Exactly(Tolerance):
    """The value equals ``expected`` (type included: 1 is not "1")."""

    expected: Any

    def deviation(self, value: Any, before: Any = None) -> str | None:
        if type(value) is type(self.expected) and value == self.expected:
            return None
        return f"{value!r}, expected exactly {self.expected!r}"

    def describe(self) -> str:
        return f"exactly {self.expected!r}"


@dataclass(frozen=True)
class Between(Tolerance):
    """A whole number within ``low``..``high`` (both included)."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"Between({self.low!r}, {self.high!r}): low is above high")

    def deviation(self, value: Any, before: Any = None) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} is not a whole number"
        if self.low <= value <= self.high:
            return None
        return f"{value} is outside {self.low}..{self.high}"

    def describe(self) -> str:
        return f"between {self.low} and {self.high}"


@dataclass(frozen=True)
class Matches(Tolerance):
    """A string that matches ``pattern`` in full."""

    pattern: str

    def __post_init__(self) -> None:
        re.compile(self.pattern)

    def deviation(self, value: Any, before: Any = None) -> str | None:
        if isinstance(value, str) and re.fullmatch(self.pattern, value):
            return None
        return f"{value!r} does not match {self.pattern!r}"

    def describe(self) -> str:
        return f"matches {self.pattern!r}"


@dataclass(frozen=True)
class NoneFound(Tolerance):
    """The probe returns its findings (violations, stuck jobs…); the steady state has none."""

    what: str = "finding"

    def deviation(self, value: Any, before: Any = None) -> str | None:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            return f"{value!r} is not a list of {self.what}s"
        if not value:
            return None
        shown = "; ".join(str(v) for v in value[:SHOWN])
        more = f" (and {len(value) - SHOWN} more)" if len(value) > SHOWN else ""
        return f"{len(value)} {self.what}(s): {shown}{more}"

    def describe(self) -> str:
        return f"no {self.what}"


@dataclass(frozen=True)
class SameAsBefore(Tolerance):
    """The value equals what the probe measured before the change.

    Mappings are compared key by key (a key missing on one side counts as 0), so the
    deviation names exactly which figures moved. Before the change, any value is the
    baseline, provided it is a value at all.
    """

    what: str = "value"

    def deviation(self, value: Any, before: Any = None) -> str | None:
        if before is None:
            return None if value is not None else f"no {self.what} measured"
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            moved = [
                f"{k}: {before.get(k, 0)!r} → {value.get(k, 0)!r}"
                for k in sorted(set(value) | set(before), key=str)
                if value.get(k, 0) != before.get(k, 0)
            ]
            if not moved:
                return None
            more = f" (and {len(moved) - SHOWN} more)" if len(moved) > SHOWN else ""
            return f"{self.what} moved: {'; '.join(moved[:SHOWN])}{more}"
        if value == before and type(value) is type(before):
            return None
        return f"{self.what} was {before!r} before the change, now {value!r}"

    def describe(self) -> str:
        return f"{self.what} the same as before the change"
