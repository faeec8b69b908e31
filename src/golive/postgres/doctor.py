"""What this machine can run: every Postgres provider's pieces, and the fix for each missing one."""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from golive.postgres import docker as dk
from golive.postgres.binaries import pgserver_binaries, system_binaries

START_DOCKERD = "dockerd > /tmp/dockerd.log 2>&1 &"


@dataclass(frozen=True)
class Check:
    """One piece a provider needs: whether it is there, what was found, and the fix if not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Report:
    checks: list[Check]
    auto: str  # what `--postgres auto` would pick, and why
    auto_ok: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "checks": [asdict(c) for c in self.checks],
            "auto": self.auto,
            "auto_ok": self.auto_ok,
        }


def _redact_dsn(dsn: str) -> str:
    try:
        from psycopg.conninfo import conninfo_to_dict

        p = conninfo_to_dict(dsn)
        return f"{p.get('host', 'localhost')}:{p.get('port', 5432)}/{p.get('dbname', '')}"
    except Exception:
        return "(unparsable DSN)"


def _dsn_check() -> Check | None:
    dsn = os.environ.get("GOLIVE_PG_DSN", "").strip()
    if not dsn:
        return None
    import psycopg

    where = _redact_dsn(dsn)
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return Check(
            "DSN server (GOLIVE_PG_DSN)", True, f"{where}, PostgreSQL {row[0] if row else '?'}"
        )
    except Exception as exc:
        return Check(
            "DSN server (GOLIVE_PG_DSN)",
            False,
            f"{where}: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}",
            "check host, port, user and password in GOLIVE_PG_DSN, or unset it",
        )


def _binaries_checks() -> list[Check]:
    checks = []
    sysb = system_binaries()
    if sysb:
        checks.append(
            Check("system server binaries", True, f"PostgreSQL {sysb.version} in {sysb.bin_dir}")
        )
    else:
        checks.append(
            Check(
                "system server binaries",
                False,
                "no initdb/postgres in $GOLIVE_PG_BIN, pg_config, PATH or the usual folders",
                "apt-get install postgresql (Debian/Ubuntu), brew install postgresql@16 (macOS), "
                "or set GOLIVE_PG_BIN=/path/to/bin",
            )
        )
    try:
        pgs_version = version("pgserver")
    except PackageNotFoundError:
        pgs_version = ""
    pgb = pgserver_binaries()
    if pgb:
        checks.append(
            Check(
                "pgserver wheel",
                True,
                f"pgserver {pgs_version}: PostgreSQL {pgb.version} in {pgb.bin_dir}",
            )
        )
    else:
        detail = (
            f"pgserver {pgs_version} installed but its binaries do not run"
            if pgs_version
            else "not installed"
        )
        checks.append(Check("pgserver wheel", False, detail, "pip install 'golive[pgserver]'"))
    if os.geteuid() == 0 and (sysb or pgb):
        from golive.errors import ProviderUnavailable
        from golive.postgres.local import _run_as

        try:
            account = _run_as()
            checks.append(
                Check("unprivileged account (running as root)", True,
                      f"local servers run as {account.pw_name if account else '?'!r}")
            )  # fmt: skip
        except ProviderUnavailable as exc:
            checks.append(Check("unprivileged account (running as root)", False, str(exc),
                                "useradd --system postgres"))  # fmt: skip
    return checks


def _docker_checks(engine: dk.EngineStatus) -> list[Check]:
    checks = []
    if engine.reachable:
        checks.append(Check("Docker engine", True, f"{engine.address}, engine {engine.detail}"))
    else:
        installed = shutil.which("dockerd") or shutil.which("docker")
        fix = START_DOCKERD if installed else f"apt-get install docker.io && {START_DOCKERD}"
        if os.environ.get("DOCKER_HOST"):
            fix += " (or unset DOCKER_HOST if the engine listens elsewhere)"
        checks.append(
            Check(
                "Docker engine", False, f"not reachable at {engine.address}: {engine.detail}", fix
            )
        )
    configured = os.environ.get("GOLIVE_PG_IMAGE", "").strip()
    wanted = configured or dk.DEFAULT_IMAGE
    label = f"image {wanted} ({'GOLIVE_PG_IMAGE' if configured else 'default'})"
    local = dk.local_image() if engine.reachable else None
    if not engine.reachable:
        checks.append(
            Check(
                label,
                False,
                "unknown: the Docker engine is not reachable",
                "start the Docker engine first",
            )
        )
    elif dk.image_present(wanted):
        checks.append(Check(label, True, "present"))
    else:
        fix = (
            "golive postgres build-image, then unset GOLIVE_PG_IMAGE or set it to the built tag"
            if configured
            else f"docker pull {wanted} (needs a registry), or rely on the local image"
        )
        checks.append(Check(label, False, "not present", fix))
    if not engine.reachable:
        checks.append(
            Check(
                "locally built image",
                False,
                "unknown: the Docker engine is not reachable",
                "start the Docker engine, then golive postgres build-image",
            )
        )
    elif local:
        info = dk.image_info(local) or {}
        size = int(info.get("Size", 0)) // (1024 * 1024)
        checks.append(Check("locally built image", True, f"{local} ({size} MiB)"))
    else:
        checks.append(
            Check("locally built image", False, "not built", "golive postgres build-image")
        )
    if engine.reachable:
        from testcontainers.core.config import testcontainers_config

        reaper = testcontainers_config.ryuk_image
        present = dk.image_present(reaper)
        checks.append(
            Check(
                "Ryuk reaper image (optional)",
                True,
                f"{reaper} present" if present else
                f"{reaper} absent: golive disables Ryuk and removes its containers itself",
            )
        )  # fmt: skip
    if not shutil.which("docker"):
        checks.append(Check("docker CLI (optional)", False,
                            "not on PATH: client tools of another major cannot run via docker exec",
                            "apt-get install docker.io (or docker-ce-cli)"))  # fmt: skip
    return checks


def _auto_choice(engine: dk.EngineStatus, checks: list[Check]) -> tuple[str, bool]:
    """Mirror ``open_provider('auto')`` without starting anything."""
    forced = os.environ.get("GOLIVE_POSTGRES", "").strip()
    prefix = f"GOLIVE_POSTGRES={forced!r} overrides auto; " if forced and forced != "auto" else ""
    if os.environ.get("GOLIVE_PG_DSN", "").strip():
        dsn_ok = next((c.ok for c in checks if c.name.startswith("DSN")), False)
        return prefix + "dsn (GOLIVE_PG_DSN is set)", dsn_ok
    if engine.reachable:
        image = dk.image_name()
        if dk.image_present(image):
            return prefix + f"docker (engine reachable, image {image} present)", True
        why = f"docker skipped: image {image} not present"
    else:
        why = "docker skipped: engine not reachable"
    if system_binaries():
        return prefix + f"local with system binaries ({why})", True
    if pgserver_binaries():
        return prefix + f"local with pgserver binaries ({why}, no system binaries)", True
    return prefix + f"nothing usable ({why}, no server binaries): see the fixes above", False


def _pgbackrest_check() -> Check:
    """pgBackRest, for ``[drills] backup_engine = "pgbackrest"`` (not needed otherwise)."""
    from golive.drills.restore import pgbackrest

    found = shutil.which("pgbackrest")
    if found is None:
        return Check("pgbackrest (restore drills)", False, "not on PATH",
                     "apt-get install pgbackrest (only [drills] backup_engine = "
                     '"pgbackrest" needs it)')  # fmt: skip
    said = pgbackrest.version()
    ok = said.startswith("pgBackRest ")
    return Check("pgbackrest (restore drills)", ok, f"{said} ({found})",
                 "" if ok else "reinstall pgbackrest: `pgbackrest version` fails")  # fmt: skip


def diagnose() -> Report:
    engine = dk.engine_status()
    checks = _binaries_checks() + _docker_checks(engine) + [_pgbackrest_check()]
    dsn = _dsn_check()
    if dsn:
        checks.append(dsn)
    auto, auto_ok = _auto_choice(engine, checks)
    return Report(checks, auto, auto_ok)
