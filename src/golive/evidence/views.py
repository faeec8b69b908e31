"""Render report.html and canary_report.md from a bundle's signed data.

The inputs are the manifest without its `views` entry, results.json, and the bundle's
transcripts and attachments, all covered by manifest digests. Rendering is deterministic
(no clock, no randomness), so `golive report` can re-render a view and `golive verify`
can tell a faithful re-render from an edited file.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from golive.evidence import canary, report_html
from golive.evidence.plots import latency_histogram, timeline

INLINE_IMAGE_LIMIT = 512 * 1024
MIME = {"png": "image/png", "svg": "image/svg+xml"}


def _normal(obj: Any) -> Any:
    """The JSON round trip that the files on disk went through (sorted keys, lists)."""
    return json.loads(json.dumps(obj, sort_keys=True))


def latencies(run_dir: Path) -> dict[str, list[float]]:
    by_peer: dict[str, list[float]] = {}
    folder = run_dir / "transcripts"
    if not folder.is_dir():
        return by_peer
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            try:
                row = json.loads(line)
                by_peer.setdefault(str(row["peer"]), []).append(float(row["duration_ms"]))
            except (ValueError, KeyError, TypeError):
                continue
    return by_peer


def timeline_rows(
    core: dict[str, Any], results: dict[str, Any]
) -> list[tuple[str, float, float, str]]:
    from datetime import datetime

    start = datetime.fromisoformat(core["started_at"].replace("Z", "+00:00")).timestamp()
    rows = []
    for test in results["tests"]:
        if test.get("started_at") is None:
            continue
        begin = max(0.0, float(test["started_at"]) - start)
        end = max(begin, float(test.get("finished_at") or test["started_at"]) - start)
        label = test["name"] if test["kind"] == "scenario" else test["nodeid"].split("::")[-1]
        rows.append((label, begin, end, test["outcome"]))
    return rows


def inline_images(run_dir: Path, results: dict[str, Any]) -> dict[str, str]:
    """data: URIs for small png/svg attachments, so the report shows them offline."""
    images = {}
    for att in results.get("attachments", []):
        ext = att["path"].rsplit(".", 1)[-1]
        path = run_dir / att["path"]
        if ext in MIME and path.is_file() and path.stat().st_size <= INLINE_IMAGE_LIMIT:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            images[att["path"]] = f"data:{MIME[ext]};base64,{data}"
    return images


def text_previews(run_dir: Path, results: dict[str, Any], limit: int = 4000) -> dict[str, str]:
    previews = {}
    for att in results.get("attachments", []):
        if att["kind"] in ("json", "text", "txt", "csv", "md", "log", "xml", "jsonl"):
            path = run_dir / att["path"]
            if path.is_file():
                text = path.read_bytes()[:limit].decode("utf-8", "replace")
                previews[att["path"]] = text
    return previews


def render_views(core: dict[str, Any], results: dict[str, Any], run_dir: Path) -> dict[str, bytes]:
    core = _normal({k: v for k, v in core.items() if k != "views"})
    results = _normal(results)
    plots = {
        "latency": latency_histogram(latencies(run_dir)),
        "timeline": timeline(timeline_rows(core, results)),
    }
    html = report_html.render(
        core,
        results,
        plots=plots,
        images=inline_images(run_dir, results),
        previews=text_previews(run_dir, results),
    )
    return {
        "report.html": html.encode("utf-8"),
        "canary_report.md": canary.render(core, results).encode("utf-8"),
    }
