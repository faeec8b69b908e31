"""The execution log: every step's start, end, actor, command, result and evidence digest,
appended as it happens (one JSON line, flushed and fsynced), and rendered as Markdown."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOG, LOG_MD = "execution_log.jsonl", "execution_log.md"
DONE = ("passed", "failed", "skipped")  # an "end" with these results is never run again


def stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class ExecutionLog:
    path: Path
    events: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def open(cls, path: Path) -> ExecutionLog:
        """The log at ``path``, with the events already in it (a torn last line is dropped:
        it was being written when the runbook was killed)."""
        log = cls(path)
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    log.events.append(json.loads(line))
                except ValueError:
                    break
        return log

    def append(self, event: str, step: str | None = None, **fields: Any) -> dict[str, Any]:
        entry = {
            "seq": len(self.events) + 1,
            "at": stamp(),
            "event": event,
            "step": step,
            **{k: v for k, v in fields.items() if v is not None},
        }
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.events.append(entry)
        return entry

    def finished(self) -> dict[str, dict[str, Any]]:
        """The last "end" event of each step that ended (what resume never repeats)."""
        out: dict[str, dict[str, Any]] = {}
        for e in self.events:
            if e["event"] == "end" and e.get("result") in DONE:
                out[str(e["step"])] = e
        return out

    def to_markdown(self, title: str) -> str:
        lines = [
            f"# Execution log — {title}",
            "",
            "| # | Time (UTC) | Step | Event | Actor | Command | Result | Evidence |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for e in self.events:
            evidence = e.get("evidence") or {}
            proof = (
                f"{evidence.get('run_id')} sha256:{str(evidence.get('manifest_sha256'))[:16]}…"
                if evidence
                else ""
            )
            cells = [
                e["seq"],
                e["at"],
                e.get("step") or "",
                e["event"],
                e.get("actor") or "",
                " ".join(e.get("command") or []),
                _result(e),
                proof,
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        return "\n".join(lines) + "\n"


def _result(e: dict[str, Any]) -> str:
    parts = [str(e.get("result") or "")]
    if e.get("verdict"):
        parts.append(str(e["verdict"]))
    if e.get("note"):
        parts.append(str(e["note"]))
    return " — ".join(p for p in parts if p)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")
