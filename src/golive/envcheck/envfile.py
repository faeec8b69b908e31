"""Read (and write) a dotenv file (KEY=value lines) without ever echoing a value.

Accepted: blank lines, ``# comments``, ``export KEY=value``, unquoted values (a `` #``
starts a comment), 'single-quoted' values taken literally and "double-quoted" values with
backslash escapes. Anything else is refused with the file, the line and what to write.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from golive.errors import ConfigError

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str
    line: int


@dataclass(frozen=True)
class EnvFile:
    path: Path
    vars: dict[str, EnvVar]
    duplicates: tuple[EnvVar, ...] = ()  # earlier definitions that a later line overrode

    def get(self, name: str) -> str | None:
        var = self.vars.get(name)
        return None if var is None else var.value


def read_env_file(path: Path) -> EnvFile:
    """Parse ``path``; ConfigError (exit 2) naming the file and line when it cannot."""
    if not path.is_file():
        raise ConfigError(
            f"env file {str(path)!r} does not exist or is not a file; pass the deployment's "
            "environment file with --env-file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the env file as UTF-8"
        ) from None
    found: dict[str, EnvVar] = {}
    duplicates: list[EnvVar] = []
    for number, line in enumerate(text.splitlines(), start=1):
        var = parse_line(line, path, number)
        if var is None:
            continue
        if var.name in found:
            duplicates.append(found[var.name])
        found[var.name] = var
    return EnvFile(path, found, tuple(duplicates))


def parse_line(line: str, path: Path, number: int) -> EnvVar | None:
    where = f"{path}:{number}"
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith("export "):
        stripped = stripped[len("export ") :].lstrip()
    name, sep, rest = stripped.partition("=")
    name = name.strip()
    if not sep:
        raise ConfigError(
            f"{where}: a line must be KEY=value or a # comment, and this one has no '=' "
            "(its text is not shown: it may be a secret)"
        )
    if not _KEY.match(name):
        raise ConfigError(
            f"{where}: field {_shown_name(name)} is not a variable name; use letters, digits "
            "and _ (not starting with a digit)"
        )
    return EnvVar(name, _value(rest.strip(), f"{where}: field {name!r}"), number)


def _shown_name(name: str) -> str:
    # a malformed name may be a pasted secret: show it only when it looks harmless
    secretish = re.match(r"(sk|rk|pk)_|whsec_|AQE", name) or len(name) > 40
    return "(not shown: it may be a secret)" if secretish else repr(name)


def _value(raw: str, where: str) -> str:
    if not raw:
        return ""
    quote = raw[0]
    if quote not in "'\"":
        return re.split(r"\s+#", raw, maxsplit=1)[0].rstrip()
    out: list[str] = []
    i = 1
    while i < len(raw):
        ch = raw[i]
        if ch == quote:
            tail = raw[i + 1 :].strip()
            if tail and not tail.startswith("#"):
                raise ConfigError(
                    f"{where}: text after the closing quote; put a comment after ' #' "
                    "or nothing at all"
                )
            return "".join(out)
        if quote == '"' and ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    raise ConfigError(
        f"{where}: the value opens a {quote} quote that never closes on that line; close it "
        "(multi-line values are not supported)"
    )


def read_process_environment(environ: Mapping[str, str] | None = None) -> EnvFile:
    """This process's environment as an EnvFile (checked when no env file is configured)."""
    env = os.environ if environ is None else environ
    found = {name: EnvVar(name, value, 0) for name, value in env.items()}
    return EnvFile(Path("<process environment>"), found)


def write_env_file(path: Path, values: Mapping[str, str]) -> Path:
    """Write ``values`` so that read_env_file reads them back unchanged; mode 0600."""
    lines = []
    for name, value in values.items():
        if not _KEY.match(name):
            raise ValueError(f"{name!r} is not a variable name")
        lines.append(f"{name}={_quoted(value)}\n")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.writelines(lines)
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT
    return path


def _quoted(value: str) -> str:
    if "'" not in value and len(f"-{value}-".splitlines()) == 1:
        return f"'{value}'"
    table = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = '"' + "".join(table.get(ch, ch) for ch in value) + '"'
    if len(out.splitlines()) != 1:
        raise ValueError("a value holds a line separator other than \\n or \\r")
    return out
