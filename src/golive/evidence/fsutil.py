"""Small file helpers: atomic writes, canonical JSON, and fast sha256 of many files."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

CHUNK = 1 << 20  # 1 MiB reads: large enough to keep hashlib (which drops the GIL) busy


def atomic_write(path: Path, data: bytes | str, *, mode: int = 0o644) -> Path:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def canonical_json(obj: Any) -> bytes:
    """The one JSON spelling golive signs and compares: sorted keys, no spaces, UTF-8, newline."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8") + b"\n"


def pretty_json(obj: Any) -> bytes:
    """Readable JSON for files people open; still deterministic."""
    return (json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of one file, read in large chunks (hashlib.file_digest where available)."""
    with open(path, "rb", buffering=0) as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def hash_files(paths: Iterable[Path], *, workers: int | None = None) -> dict[Path, str]:
    """sha256 of many files, hashed in a thread pool (hashlib releases the GIL)."""
    items = list(paths)
    if workers is None:
        workers = min(8, max(1, os.cpu_count() or 1))
    if len(items) <= 1 or workers == 1:
        return {p: sha256_file(p) for p in items}
    # Large files first, so one big file does not finish alone at the end.
    items.sort(key=lambda p: p.stat().st_size, reverse=True)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(items, pool.map(sha256_file, items), strict=True))


def bundle_files(root: Path) -> list[str]:
    """Every file below `root` as a sorted list of POSIX relative paths (symlinks included)."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(dirpath)
        for name in [*filenames, *(d for d in dirnames if (base / d).is_symlink())]:
            found.append((base / name).relative_to(root).as_posix())
    return sorted(found)
