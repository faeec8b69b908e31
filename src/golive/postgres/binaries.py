"""Finding Postgres server binaries: PATH, pg_config, usual Debian/Homebrew folders, pgserver."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from golive.errors import ProviderUnavailable

SEARCH_GLOBS = (
    "/usr/lib/postgresql/*/bin",  # Debian, Ubuntu
    "/usr/pgsql-*/bin",  # RHEL, Fedora (PGDG)
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
    "/opt/homebrew/bin",
    "/usr/local/pgsql/bin",
)


@dataclass(frozen=True)
class ServerBinaries:
    """A folder holding initdb, pg_ctl and postgres of one version."""

    bin_dir: Path
    version: str  # "15.18"
    source: str  # "system" or "pgserver"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def tool(self, name: str) -> Path:
        return self.bin_dir / name


def _version_of(bin_dir: Path) -> str | None:
    exe = bin_dir / "postgres"
    if not (exe.is_file() and os.access(exe, os.X_OK) and (bin_dir / "initdb").is_file()):
        return None
    try:
        out = subprocess.run(
            [str(exe), "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)(?:\.(\d+))?", out)
    return f"{m.group(1)}.{m.group(2) or 0}" if m else None


def _candidates() -> list[Path]:
    """Folders that may hold server binaries; ``$GOLIVE_PG_BIN``, when set, is the only one."""
    if os.environ.get("GOLIVE_PG_BIN"):
        return [Path(os.environ["GOLIVE_PG_BIN"])]
    dirs: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10
            ).stdout.strip()
            if out:
                dirs.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass
    for name in ("postgres", "initdb"):
        found = shutil.which(name)
        if found:
            dirs.append(Path(found).resolve().parent)
    for pattern in SEARCH_GLOBS:
        dirs.extend(Path(p) for p in sorted(glob.glob(pattern), reverse=True))
    seen: list[Path] = []
    for d in dirs:
        if d not in seen:
            seen.append(d)
    return seen


def system_binaries() -> ServerBinaries | None:
    """The newest server binaries installed on this machine, if any."""
    found = []
    for d in _candidates():
        v = _version_of(d)
        if v:
            found.append(ServerBinaries(d, v, "system"))
    if not found:
        return None
    return max(found, key=lambda b: tuple(int(x) for x in b.version.split(".")))


def binaries_for_major(major: int) -> ServerBinaries | None:
    """Server or client binaries of exactly ``major`` (system first, then pgserver), if any."""
    for d in _candidates():
        v = _version_of(d)
        if v and int(v.split(".")[0]) == major:
            return ServerBinaries(d, v, "system")
    pgs = pgserver_binaries()
    return pgs if pgs and pgs.major == major else None


def pgserver_binaries() -> ServerBinaries | None:
    """Binaries from the ``pgserver`` wheel (``pip install 'golive[pgserver]'``), if installed."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("pgserver")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    bin_dir = Path(spec.origin).parent / "pginstall" / "bin"
    v = _version_of(bin_dir)
    return ServerBinaries(bin_dir, v, "pgserver") if v else None


def find_binaries(prefer: str = "system") -> ServerBinaries:
    """System binaries, else pgserver's; ``prefer="pgserver"`` reverses the order."""
    order = [system_binaries, pgserver_binaries]
    if prefer == "pgserver":
        order.reverse()
    pinned = os.environ.get("GOLIVE_PG_BIN")
    for finder in order:
        found = finder()
        if found:
            return found
        if pinned and finder is system_binaries:  # an explicit folder is not second-guessed
            raise ProviderUnavailable(
                f"GOLIVE_PG_BIN={pinned!r} holds no runnable initdb and postgres. Fix: point it "
                "at a server's bin folder (e.g. /usr/lib/postgresql/15/bin), or unset it to "
                "search PATH, pg_config and the usual folders."
            )
    raise ProviderUnavailable(
        "no Postgres server binaries found (looked in $GOLIVE_PG_BIN, pg_config --bindir, PATH, "
        + ", ".join(SEARCH_GLOBS)
        + ", and the pgserver wheel). Fix: `pip install 'golive[pgserver]'`, or install the "
        "server (Debian: `apt-get install postgresql`), or use --postgres docker or a DSN."
    )
