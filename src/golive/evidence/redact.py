"""Secret redaction and the pre-signing secret scan.

Everything that enters a bundle passes through `Redactor.redact_bytes` (transcripts and
attachments as they are written; junit, cucumber and allure output in a pass at the end).
What is redacted:

- known secret values: registered with `register_secret`, found in the harness
  configuration, values of environment variables whose names look secret, and the password
  of any DSN in any variable; also their JSON-escaped, URL-encoded and base64 forms (base64
  at each byte alignment, standard and URL-safe);
- credentials in URLs and DSNs: the password of `user:password@` in a URL of any scheme,
  `password=` / `PGPASSWORD=` values (key/value DSNs, query strings, environment dumps,
  reprs, JSON); `register_dsn` registers a DSN's password as a known value;
- patterns: Stripe secret and restricted keys (`sk_live_`, `sk_test_`, `rk_live_`,
  `rk_test_`), `whsec_` webhook secrets, Adyen API keys (`AQE…`), Adyen HMAC keys (64 hex
  digits in upper case, or any hex after an `hmac key` name), Authorization values and
  bearer tokens;
- HTTP headers by name (Authorization, Cookie, API keys, signatures) and JSON fields by
  name (password, secret, api key, HMAC key…).

`scan` looks wider than the redactor: it also reports things that must never be masked
silently (private key blocks, cloud and chat tokens). A bundle with any finding is not signed.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, unquote

MIN_SECRET_LENGTH = 8

# A value already masked (by us or by a repr) is not a secret.
_MASKED = rb"(?!\[REDACTED|\*{3})"
# The password of `user:password@` in a URL of any scheme (postgresql, https, redis…).
_URL_PASSWORD = re.compile(
    rb"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:\"'<>]*:" + _MASKED + rb"([^\s/?#@\"'<>]+)@"
)
# `password=…`, `PGPASSWORD=…`, `"password": "…"`, `password='…'` (libpq key/value DSNs, query
# strings, env dumps, reprs, JSON, JSON inside JSON). Quoted values lose what is inside the
# quotes (so JSON stays JSON); `None`, `null` and empty values are left alone.
_PASSWORD_VALUE = re.compile(
    rb"(?i)(?<![a-z0-9])(?:pg)?passw(?:or)?d\\?[\"']?\s*[:=]\s*(?:"
    rb"\\?\"" + _MASKED + rb"((?:[^\"\\\n]|\\[^\"\n])+)\\?\""
    rb"|'" + _MASKED + rb"((?:[^'\\\n]|\\.)+)'"
    rb"|" + _MASKED + rb"(?!(?:None|null)\b)([^\s\"'&;,)\]}<>\\]+))"
)
ANY_GROUP = -1  # replace the first group that took part in the match

# (kind, pattern, group to replace). Group 0 replaces the whole match.
_DSN_PATTERNS: list[tuple[str, re.Pattern[bytes], int]] = [
    ("url-password", _URL_PASSWORD, 1),
    ("password", _PASSWORD_VALUE, ANY_GROUP),
]
_REDACT_PATTERNS: list[tuple[str, re.Pattern[bytes], int]] = [
    *_DSN_PATTERNS,
    ("stripe-key", re.compile(rb"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{8,}"), 0),
    ("webhook-secret", re.compile(rb"\bwhsec_[0-9A-Za-z+/=_-]{8,}"), 0),
    (
        "adyen-api-key",
        re.compile(rb"\bAQE[0-9A-Za-z+/=]{20,}(?:-[0-9A-Za-z+/=]{8,}){0,2}(?:-[^\s\"'\\]{1,64})?"),
        0,
    ),
    ("adyen-hmac-key", re.compile(rb"(?<![0-9A-Za-z])[0-9A-F]{64}(?![0-9A-Za-z])"), 0),
    (
        "hmac-key",
        re.compile(rb"(?i)hmac[_ -]?key[\"']?\s*[:=]\s*[\"']?([0-9A-Fa-f]{32,})"),
        1,
    ),
    (
        "authorization",
        re.compile(
            rb"(?i)\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?"
            rb"((?:bearer|basic|token|digest)\s+[^\s\"',;]+|[^\s\"',;\[]{8,})"
        ),
        1,
    ),
    ("bearer-token", re.compile(rb"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{8,})"), 1),
]

# A pattern can only match where its literal is (in lower case): skip the scan otherwise.
# The hex key has no literal; a run of 64 upper-case hex digits is looked for instead.
_NEEDLES: dict[str, tuple[bytes, ...]] = {
    "url-password": (b"://",),
    "password": (b"passw",),
    "stripe-key": (b"k_live_", b"k_test_"),
    "webhook-secret": (b"whsec_",),
    "adyen-api-key": (b"aqe",),
    "hmac-key": (b"hmac",),
    "authorization": (b"authorization",),
    "bearer-token": (b"bearer",),
}
_HEX_RUN = bytes(0x78 if chr(i) in "0123456789ABCDEF" else 0x20 for i in range(256))


def _may_match(kind: str, data: bytes, lowered: bytes) -> bool:
    if kind == "adyen-hmac-key":
        return b"x" * 64 in data.translate(_HEX_RUN)
    return any(needle in lowered for needle in _NEEDLES[kind])


# Secret-looking things the scan refuses but the redactor does not mask (see module doc).
_SCAN_ONLY: list[tuple[str, re.Pattern[bytes]]] = [
    ("private-key-block", re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("aws-access-key", re.compile(rb"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("github-token", re.compile(rb"\bgh[pousr]_[0-9A-Za-z]{36,}")),
    ("slack-token", re.compile(rb"\bxox[abprs]-[0-9A-Za-z-]{10,}")),
]

SECRET_HEADER_WORDS = (
    "authorization",
    "cookie",
    "api-key",
    "apikey",
    "secret",
    "token",
    "signature",
    "password",
    "hmac",
)
SECRET_FIELD_WORDS = (
    "password",
    "passwd",
    "secret",
    "apikey",
    "hmackey",
    "privatekey",
    "accesstoken",
    "refreshtoken",
    "authorization",
    "credential",
)
SECRET_ENV_NAME = re.compile(r"(?i)(secret|passw|token|api_?key|private_?key|hmac|credential)")
NOT_SECRET_ENV = frozenset({"GOLIVE_SIGNING_KEY"})  # a path to a key, not a key


@dataclass(frozen=True)
class Finding:
    """Something secret-looking at a byte offset. Never holds the secret itself."""

    offset: int
    kind: str


def _group(match: re.Match[bytes]) -> int:
    return next(i for i in range(1, (match.re.groups or 0) + 1) if match.start(i) >= 0)


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _base64_forms(raw: bytes) -> set[bytes]:
    """`raw` as it appears inside base64 (standard and URL-safe) at each of the three byte
    alignments: only the characters that depend on `raw` alone."""
    forms: set[bytes] = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        start, end = -(-8 * shift // 6), 8 * (shift + len(raw)) // 6
        part = encoded[start:end]
        forms.update((part, part.translate(_URLSAFE)))
    return forms


def dsn_passwords(text: str) -> set[str]:
    """Passwords in the DSNs and URLs in `text`, as written and decoded."""
    data = text.encode("utf-8", "surrogateescape")
    found: set[str] = set()
    for m in _URL_PASSWORD.finditer(data):
        raw = m.group(1).decode("utf-8", "surrogateescape")
        found.update((raw, unquote(raw)))
    for m in _PASSWORD_VALUE.finditer(data):
        raw = m.group(_group(m)).decode("utf-8", "surrogateescape")
        found.update((raw, unquote(raw), re.sub(r"\\(.)", r"\1", raw)))
    return found


def mask_dsn(dsn: str | None) -> str | None:
    """`dsn` with its password masked, for reprs and messages."""
    if dsn is None:
        return None
    masked = dsn.encode("utf-8", "surrogateescape")
    for kind, pattern, group in _DSN_PATTERNS:
        spans = []
        for m in pattern.finditer(masked):
            g = _group(m) if group == ANY_GROUP else group
            spans.append((m.start(g), m.end(g)))
        for start, end in reversed(spans):
            masked = masked[:start] + _marker(kind) + masked[end:]
    return masked.decode("utf-8", "surrogateescape")


def _marker(kind: str) -> bytes:
    return b"[REDACTED:" + kind.encode() + b"]"


def _is_hmac_hex(match: bytes) -> bool:
    return not match.isdigit()  # 64 decimal digits are an id, not a key


class Redactor:
    """Masks known secret values and secret patterns. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._known: re.Pattern[bytes] | None = None

    def register(self, value: str) -> None:
        """Treat `value` (and its encoded forms) as secret from now on."""
        if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            if value not in self._values:
                self._values.add(value)
                self._known = None

    def register_environment(self, environ: Mapping[str, str] | None = None) -> int:
        """Register values of environment variables whose names look secret, and the
        password of every DSN or URL in any variable (GOLIVE_TARGET_DB, GOLIVE_POSTGRES…)."""
        count = 0
        for name, value in (os.environ if environ is None else environ).items():
            secret_name = name not in NOT_SECRET_ENV and SECRET_ENV_NAME.search(name)
            if secret_name and len(value) >= MIN_SECRET_LENGTH:
                self.register(value)
                count += 1
            count += self.register_dsn(value)
        return count

    def register_dsn(self, text: str) -> int:
        """Register the password of every DSN or URL in `text` (`user:password@`,
        `password=…`), as written and decoded. Returns how many values were registered."""
        count = 0
        for password in dsn_passwords(text):
            if len(password) >= MIN_SECRET_LENGTH:
                self.register(password)
                count += 1
        return count

    def _known_pattern(self) -> re.Pattern[bytes] | None:
        with self._lock:
            if self._known is None and self._values:
                forms: set[bytes] = set()
                for value in self._values:
                    for form in (
                        value,
                        json.dumps(value)[1:-1],
                        quote(value, safe=""),
                        quote(value),
                        quote_plus(value),
                    ):
                        forms.add(form.encode())
                    forms.update(_base64_forms(value.encode()))
                alternatives = sorted(forms, key=len, reverse=True)
                self._known = re.compile(b"|".join(re.escape(f) for f in alternatives))
            return self._known

    def _matches(self, data: bytes) -> Iterable[tuple[int, int, str]]:
        known = self._known_pattern()
        if known is not None:
            for m in known.finditer(data):
                yield m.start(), m.end(), "known-secret"
        lowered = data.lower()
        for kind, pattern, group in _REDACT_PATTERNS:
            if not _may_match(kind, data, lowered):
                continue
            for m in pattern.finditer(data):
                if kind == "adyen-hmac-key" and not _is_hmac_hex(m.group(0)):
                    continue
                g = _group(m) if group == ANY_GROUP else group
                yield m.start(g), m.end(g), kind

    def redact_bytes(self, data: bytes) -> bytes:
        spans = sorted(self._matches(data))
        if not spans:
            return data
        out: list[bytes] = []
        pos = 0
        for start, end, kind in spans:
            if end <= pos:
                continue  # inside a span already replaced
            out.append(data[pos : max(pos, start)])
            out.append(_marker(kind))
            pos = end
        out.append(data[pos:])
        return b"".join(out)

    def redact_text(self, text: str) -> str:
        return self.redact_bytes(text.encode("utf-8", "surrogateescape")).decode(
            "utf-8", "surrogateescape"
        )

    def redact_headers(self, headers: Iterable[tuple[str, str]]) -> list[list[str]]:
        """Headers as [name, value] pairs; secret-named headers lose their value."""
        out: list[list[str]] = []
        for name, value in headers:
            lower = name.lower()
            if any(word in lower for word in SECRET_HEADER_WORDS):
                out.append([name, "[REDACTED:header]"])
            else:
                out.append([name, self.redact_text(value)])
        return out

    def redact_json(self, obj: Any) -> Any:
        """A copy of `obj` with secret-named fields masked and every string redacted."""
        if isinstance(obj, dict):
            result: dict[str, Any] = {}
            for key, value in obj.items():
                flat = str(key).lower().replace("_", "").replace("-", "")
                secret = any(word in flat for word in SECRET_FIELD_WORDS)
                if secret and isinstance(value, str | int | float) and value != "":
                    result[key] = "[REDACTED:field]"
                else:
                    result[key] = self.redact_json(value)
            return result
        if isinstance(obj, list):
            return [self.redact_json(v) for v in obj]
        if isinstance(obj, str):
            return self.redact_text(obj)
        return obj

    def scan(self, data: bytes) -> list[Finding]:
        """Every secret-looking thing in `data`, by byte offset (first per offset)."""
        found = {start: kind for start, _end, kind in self._matches(data)}
        for kind, pattern in _SCAN_ONLY:
            for m in pattern.finditer(data):
                found.setdefault(m.start(), kind)
        return [Finding(offset, kind) for offset, kind in sorted(found.items())]
