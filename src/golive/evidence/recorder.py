"""What a run records while it runs: attachments, gates, metadata, exchanges.

One `Recorder` is active per evidence run (the pytest plugin activates it). Without an
active run, an in-memory recorder takes the calls: gates, metadata and exchanges are kept
(bounded) so library code can compute SLOs, and `attach` writes nothing.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from golive.evidence.fsutil import atomic_write
from golive.evidence.redact import Redactor
from golive.evidence.verdict import Gate, GateStatus, Statistic

AMBIENT_MAX_EXCHANGES = 10_000
EXTENSIONS = {
    "json": "json",
    "text": "txt",
    "txt": "txt",
    "csv": "csv",
    "png": "png",
    "svg": "svg",
    "html": "html",
    "md": "md",
    "markdown": "md",
    "xml": "xml",
    "log": "log",
    "jsonl": "jsonl",
}


@dataclass(frozen=True)
class Exchange:
    """One recorded HTTP exchange, without bodies (those are in transcripts/)."""

    peer: str
    method: str
    url: str
    status: int
    started_at: float  # seconds since the epoch
    duration_ms: float
    test: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Attachment:
    path: str  # relative to the run folder
    name: str
    kind: str
    test: str | None
    size: int
    at: float


def _slug(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return (slug or "attachment")[:limit]


class Recorder:
    """The state of one run (or the ambient in-memory state when no run is active)."""

    def __init__(self, run_dir: Path | None = None, redactor: Redactor | None = None) -> None:
        self.run_dir = run_dir
        self.redactor = redactor or SHARED_REDACTOR
        self.lock = threading.RLock()
        self.gates: list[Gate] = []
        self.metadata: dict[str, Any] = {}
        self.attachments: list[Attachment] = []
        maxlen = None if run_dir is not None else AMBIENT_MAX_EXCHANGES
        self.exchanges: deque[Exchange] = deque(maxlen=maxlen)
        self.problems: list[str] = []
        self.current_test: str | None = None
        self._transcripts: dict[str, Any] = {}  # peer -> open file (.part)
        self._seq = 0

    @property
    def writing(self) -> bool:
        return self.run_dir is not None

    # attachments ---------------------------------------------------------------------
    def attach(
        self, name: str, data: bytes | str | Path, kind: str, *, folder: str = "attachments"
    ) -> Path | None:
        if self.run_dir is None:
            return None
        raw = data.read_bytes() if isinstance(data, Path) else data
        blob = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        blob = self.redactor.redact_bytes(blob)
        ext = EXTENSIONS.get(kind.lower(), _slug(kind.lower(), 10) or "bin")
        with self.lock:
            self._seq += 1
            stem = _slug(name.rsplit(".", 1)[0] if name.endswith(f".{ext}") else name)
            rel = f"{folder}/{self._seq:04d}-{stem}.{ext}"
            path = atomic_write(self.run_dir / rel, blob)
            self.attachments.append(
                Attachment(rel, name, kind.lower(), self.current_test, len(blob), time.time())
            )
        return path

    # gates, metadata ---------------------------------------------------------------------
    def record_gate(
        self,
        name: str,
        status: GateStatus,
        *,
        value: str | None,
        target: str | None,
        reason: str,
        critical: bool = True,
        statistic: Statistic | None = None,
    ) -> Gate:
        if not isinstance(status, GateStatus):
            raise TypeError(f"status must be a GateStatus, not {status!r}")
        gate = Gate(
            name=self.redactor.redact_text(name),
            status=status,
            value=None if value is None else self.redactor.redact_text(str(value)),
            target=None if target is None else self.redactor.redact_text(str(target)),
            reason=self.redactor.redact_text(reason),
            critical=critical,
            statistic=statistic,
        )
        with self.lock:
            self.gates.append(gate)
        return gate

    def record_metadata(self, key: str, value: object) -> None:
        with self.lock:
            self.metadata[key] = self.redactor.redact_json(_plain(value))

    # transcripts -------------------------------------------------------------------------
    def add_exchange(self, exchange: Exchange, line: bytes) -> None:
        with self.lock:
            self.exchanges.append(exchange)
            if self.run_dir is None:
                return
            fh = self._transcripts.get(exchange.peer)
            if fh is None:
                path = self.run_dir / "transcripts" / f"{_slug(exchange.peer)}.jsonl.part"
                path.parent.mkdir(parents=True, exist_ok=True)
                fh = self._transcripts[exchange.peer] = open(path, "ab")  # noqa: SIM115
            fh.write(self.redactor.redact_bytes(line) + b"\n")
            fh.flush()

    def records(self, peer: str | None = None) -> list[Exchange]:
        with self.lock:
            return [e for e in self.exchanges if peer is None or e.peer == peer]

    def close_transcripts(self) -> None:
        """Close the .part files and rename them into place."""
        with self.lock:
            for fh in self._transcripts.values():
                fh.close()
                part = Path(fh.name)
                part.replace(part.with_name(part.name.removesuffix(".part")))
            self._transcripts.clear()


def _plain(value: object) -> Any:
    """A JSON-friendly copy of `value` (enums by value, paths and others as strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str | int):
        return value.value
    return str(value)


SHARED_REDACTOR = Redactor()  # secrets registered before a run starts still count in it
_lock = threading.Lock()
_active: Recorder | None = None
_ambient = Recorder()


def current() -> Recorder:
    """The active run's recorder, or the in-memory one."""
    return _active if _active is not None else _ambient


def activate(recorder: Recorder) -> None:
    global _active
    with _lock:
        _active = recorder


def deactivate(recorder: Recorder) -> None:
    global _active
    with _lock:
        if _active is recorder:
            _active = None
