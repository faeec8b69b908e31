"""Finding a target: the HTTP contract for a URL, else an adapter class named by the user.

An adapter is named as ``package.module:Class`` or by its name under the entry-point group
``golive.targets``. It is checked against the Target protocol before anything runs; a name
that cannot be loaded, or a class that lacks a method or a parameter, is a ConfigError
(exit 2) naming the value and the fix.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from golive.errors import ConfigError
from golive.target.protocol import METHODS, Target
from golive.target.recording import recorded

GROUP = "golive.targets"
_FIX = "name a class as 'package.module:Class' or an entry point of group 'golive.targets'"


def load_target(spec: str) -> type:
    """The adapter class ``spec`` names, checked against the Target protocol."""
    cls = _load(spec.strip())
    if not isinstance(cls, type):
        raise ConfigError(f"adapter {spec!r} is {type(cls).__name__}, not a class; {_FIX}")
    problems = protocol_gaps(cls)
    if problems:
        raise ConfigError(
            f"adapter {spec!r} does not implement the target interface: {'; '.join(problems)}; "
            "add them (docs/adopting.md lists every method)"
        )
    return cls


def open_target(
    url_or_spec: str,
    *,
    timeout: float = 10.0,
    event_hooks: Mapping[str, list[Any]] | None = None,
    options: Mapping[str, Any] | None = None,
) -> Target:
    """The HTTP contract for an http(s) URL; otherwise the named adapter, made with ``options``
    as keyword arguments (``timeout`` is the HTTP contract's own).

    ``event_hooks`` (httpx's, e.g. golive.evidence.transcript_hooks) see every exchange: the
    HTTP contract's requests, or each call of the adapter (golive.target.recording)."""
    if url_or_spec.startswith(("http://", "https://")):
        from golive.driver.client import PlatformClient  # golive.driver imports this package

        return PlatformClient(url_or_spec, timeout=timeout, event_hooks=event_hooks)
    cls = load_target(url_or_spec)
    try:
        target: Target = cls(**dict(options or {}))
    except TypeError as exc:
        raise ConfigError(
            f"adapter {url_or_spec!r} cannot be made with options {sorted(options or {})}: "
            f"{_line(exc)}; give the options its constructor takes"
        ) from None
    return recorded(target, event_hooks) if event_hooks else target


def protocol_gaps(cls: type) -> list[str]:
    """What ``cls`` lacks of the Target protocol: missing methods and parameters it refuses."""
    gaps = []
    for name in METHODS:
        have = getattr(cls, name, None)
        if not callable(have):
            gaps.append(f"no method {name}()")
            continue
        want = inspect.signature(getattr(Target, name))
        try:
            got = inspect.signature(have)
        except (TypeError, ValueError):
            continue  # a builtin or C callable: nothing to compare
        missing = _refused(want, got)
        if missing:
            gaps.append(f"{name}() does not take {', '.join(missing)}")
    return gaps


def _refused(want: inspect.Signature, got: inspect.Signature) -> list[str]:
    """Parameters of ``want`` that ``got`` cannot be called with."""
    params = got.parameters
    kinds = {p.kind for p in params.values()}
    out = []
    for name, p in want.parameters.items():
        if name == "self":
            continue
        if name in params and params[name].kind is not inspect.Parameter.POSITIONAL_ONLY:
            continue
        if p.kind is inspect.Parameter.KEYWORD_ONLY and inspect.Parameter.VAR_KEYWORD in kinds:
            continue
        out.append(repr(name))
    return out


def _load(spec: str) -> object:
    if ":" in spec:
        module, _, attr = spec.partition(":")
        if not module or not attr:
            raise ConfigError(f"adapter {spec!r} is not 'package.module:Class'; {_FIX}")
        try:
            obj: object = importlib.import_module(module)
        except Exception as exc:  # any failure to import is the user's to fix
            raise ConfigError(
                f"adapter {spec!r}: module {module!r} cannot be imported ({_line(exc)}); "
                "install the package that provides it or correct the name"
            ) from None
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise ConfigError(
                    f"adapter {spec!r}: module {module!r} has no {attr!r}; correct the class name"
                )
            obj = getattr(obj, part)
        return obj
    found = entry_points(group=GROUP, name=spec)
    if not found:
        raise ConfigError(f"adapter {spec!r} is not a registered target adapter; {_FIX}")
    (ep,) = tuple(found)[:1]
    try:
        return ep.load()
    except Exception as exc:
        raise ConfigError(
            f"adapter {spec!r} (entry point {ep.value!r}) cannot be loaded ({_line(exc)}); "
            "install or fix the package that registers it"
        ) from None


def _line(exc: BaseException) -> str:
    """An exception as one short line."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
