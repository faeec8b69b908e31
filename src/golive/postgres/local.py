"""Throwaway clusters from server binaries on this machine (system or the pgserver wheel).

initdb into a temporary folder, a free port on 127.0.0.1 and a socket in that folder.
As root the server runs as an unprivileged user (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from golive.errors import ProviderUnavailable
from golive.postgres import cleanup
from golive.postgres.base import (
    Instance,
    InstanceSpec,
    Provider,
    free_port,
    unique_name,
    wait_ready,
)
from golive.postgres.binaries import ServerBinaries, find_binaries

DEFAULT_SETTINGS = {
    "fsync": "off",  # disposable data; a killed server still recovers from the OS cache
    "max_connections": "200",
    "shared_buffers": "64MB",
    "max_wal_senders": "4",
}


def _run_as() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as when we are root."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("GOLIVE_PG_RUN_AS", ""), "postgres", "nobody"):
        if not name:
            continue
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ProviderUnavailable(
        "running as root, and neither a 'postgres' nor a 'nobody' account exists to run the "
        "server as (initdb refuses root). Fix: `useradd --system postgres`, or set "
        "GOLIVE_PG_RUN_AS to an unprivileged account."
    )


def _reachable_by_others(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _shareable(binaries: ServerBinaries) -> ServerBinaries:
    """Binaries an unprivileged user can execute: copy the install out of a private folder.

    The pgserver wheel's binaries find their bundled libraries through an RPATH of
    ``$ORIGIN/../../../pgserver.libs``, so the copy keeps that layout:
    ``<cache>/pgserver/pginstall/bin`` beside ``<cache>/pgserver.libs``.
    """
    if _run_as() is None or _reachable_by_others(binaries.bin_dir):
        return binaries
    root = binaries.bin_dir.parent  # the install: bin/, lib/, share/
    bundled = binaries.bin_dir.parents[2] / "pgserver.libs"
    cache = Path(tempfile.gettempdir()) / f"golive-{binaries.source}-pg{binaries.version}-r2"
    install = cache / "pgserver" / "pginstall" if bundled.is_dir() else cache
    if not (install / "bin" / "postgres").exists():
        tmp = Path(tempfile.mkdtemp(prefix="golive-pgcopy-"))
        target = tmp / "x" / install.relative_to(cache)
        shutil.copytree(root, target, symlinks=True)
        if bundled.is_dir():
            shutil.copytree(bundled, tmp / "x" / "pgserver.libs", symlinks=True)
        os.chmod(tmp, 0o755)
        with contextlib.suppress(OSError):  # another process won the race
            (tmp / "x").rename(cache)
        shutil.rmtree(tmp, ignore_errors=True)
    return ServerBinaries(install / "bin", binaries.version, binaries.source)


class LocalInstance(Instance):
    kind = "local"

    def __init__(self, provider: LocalProvider, name: str, spec: InstanceSpec) -> None:
        self.provider = provider
        self.binaries = provider.binaries
        self.name = name
        self.host = "127.0.0.1"
        self.user = "golive"
        self.password = provider.password  # one per provider: a base backup carries it
        self.major = self.binaries.major
        self.folder = Path(tempfile.mkdtemp(prefix=f"golive-pg-{name}-"))
        self.data_dir = self.folder / "data"
        self.log_file = self.folder / "server.log"
        self.archive_dir = provider.archive_folder(name) if spec.archive else None
        self._account = _run_as()
        cleanup.write_owner(self.folder)
        orphans = cleanup.Orphans(
            pidfiles=(str(self.data_dir / "postmaster.pid"),),
            folders=(str(self.folder),),
            stop_signal=signal.SIGINT,  # Postgres's fast shutdown
        )
        self._token = cleanup.register(self.destroy, orphans)
        self._destroyed = False
        try:
            self._create(spec)
            self.start()
        except BaseException:
            self.destroy()
            raise

    # -- process helpers -------------------------------------------------------------
    def _own(self, path: Path) -> None:
        if self._account:
            for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
                os.lchown(p, self._account.pw_uid, self._account.pw_gid)

    def _run(self, argv: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        kw: dict[str, object] = {}
        if self._account:
            kw = {"user": self._account.pw_uid, "group": self._account.pw_gid, "extra_groups": []}
        env = {"PATH": f"{self.binaries.bin_dir}:/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC"}
        return subprocess.run(  # type: ignore[call-overload, no-any-return]
            argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=self.folder, **kw
        )

    def _create(self, spec: InstanceSpec) -> None:
        os.chmod(self.folder, 0o700)
        self._own(self.folder)
        if spec.data_from is not None:
            shutil.copytree(spec.data_from, self.data_dir, symlinks=True)
            for stale in ("postmaster.pid", "postmaster.opts"):
                (self.data_dir / stale).unlink(missing_ok=True)
            os.chmod(self.data_dir, 0o700)
            (self.data_dir / "recovery.signal").touch()
        else:
            pwfile = self.folder / "pw"
            pwfile.write_text(self.password)
            self._own(self.folder)
            out = self._run(
                [str(self.binaries.tool("initdb")), "-D", str(self.data_dir), "-U", self.user,
                 f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                 "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"]
            )  # fmt: skip
            pwfile.unlink()
            if out.returncode != 0:
                raise ProviderUnavailable(
                    f"initdb in {self.data_dir} failed (exit {out.returncode}): "
                    f"{out.stderr.strip()[-500:]}"
                )
        self._write_settings(spec)
        self._own(self.folder)

    def _write_settings(self, spec: InstanceSpec) -> None:
        self.port = free_port()
        settings = {**DEFAULT_SETTINGS, **spec.settings}
        settings |= {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.folder),
        }
        if self.archive_dir is not None:
            arch = self.archive_dir
            settings |= {
                "wal_level": "replica",
                "archive_mode": "on",
                # Copy, then rename: a segment in the archive is always whole.
                "archive_command": f"test ! -f {arch}/%f && cp %p {arch}/%f.part "
                f"&& mv {arch}/%f.part {arch}/%f",
            }
        if spec.data_from is not None:
            recovery = dict(spec.recovery or {})
            if "restore_command" not in recovery:
                src = recovery.pop("archive_dir", None) or self.archive_dir
                if src:
                    recovery["restore_command"] = f"cp {src}/%f %p"
            settings |= recovery
        lines = [f"{k} = '{str(v).replace(chr(39), chr(39) * 2)}'" for k, v in settings.items()]
        (self.data_dir / "postgresql.auto.conf").write_text("\n".join(lines) + "\n")

    @property
    def _pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    # -- Instance interface ------------------------------------------------------------
    @property
    def running(self) -> bool:
        pid = self._pid
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def start(self) -> None:
        out = self._run(
            [str(self.binaries.tool("pg_ctl")), "-D", str(self.data_dir), "-l", str(self.log_file),
             "-w", "-t", "120", "start"],
            timeout=180,
        )  # fmt: skip
        if out.returncode != 0:
            raise ProviderUnavailable(
                f"could not start Postgres {self.binaries.version} in {self.data_dir} "
                f"(pg_ctl exit {out.returncode}): {out.stderr.strip()}\n{self._log_tail()}"
            )
        try:
            wait_ready(self.dsn(), alive=lambda: self.running)
        except TimeoutError as exc:  # it started, then stopped (a recovery that failed, say)
            raise ProviderUnavailable(
                f"Postgres {self.binaries.version} in {self.data_dir} started, then did not "
                f"answer: {exc}\n{self._log_tail()}"
            ) from None

    def _log_tail(self) -> str:
        return self.log_file.read_text(errors="replace")[-1500:] if self.log_file.exists() else ""

    def stop(self) -> None:
        if self.running:
            self._run([str(self.binaries.tool("pg_ctl")), "-D", str(self.data_dir), "-m", "fast",
                       "-w", "stop"])  # fmt: skip

    def kill(self) -> None:
        pid = self._pid
        if pid is None:
            return
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + 10
        while self.running and time.monotonic() < deadline:
            time.sleep(0.02)

    def destroy(self) -> None:
        if self._destroyed:
            return
        self._destroyed = True
        cleanup.unregister(self._token)
        if self.running:
            self._run([str(self.binaries.tool("pg_ctl")), "-D", str(self.data_dir), "-m",
                       "immediate", "-w", "stop"], timeout=30)  # fmt: skip
            if self.running:
                self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.provider.forget(self)

    def client(self, tool: str) -> list[str]:
        return [str(self.binaries.tool(tool))]


class LocalProvider(Provider):
    """Throwaway clusters from system binaries or, as a fallback, the pgserver wheel."""

    kind = "local"

    def __init__(self, *, prefer: str = "system") -> None:
        self.binaries = _shareable(find_binaries(prefer))
        self.password = secrets.token_urlsafe(16)
        self.instances: list[LocalInstance] = []
        self._archive_root: Path | None = None
        self._archive_token: int | None = None
        cleanup.remove_orphaned()  # clusters of golive runs that were killed
        self._token = cleanup.register(self.close)

    def archive_folder(self, name: str) -> Path:
        """A WAL archive folder that outlives its instance (a disaster keeps the archive)."""
        if self._archive_root is None:
            self._archive_root = Path(tempfile.mkdtemp(prefix="golive-archive-"))
            os.chmod(self._archive_root, 0o755)
            cleanup.write_owner(self._archive_root)
            orphans = cleanup.Orphans(folders=(str(self._archive_root),))
            self._archive_token = cleanup.register(self._remove_archive, orphans)
        folder = self._archive_root / name
        folder.mkdir()
        account = _run_as()
        if account:
            os.chown(folder, account.pw_uid, account.pw_gid)
        return folder

    def start_instance(
        self, spec: InstanceSpec | None = None, *, name: str | None = None
    ) -> Instance:
        inst = LocalInstance(self, name or unique_name("pg"), spec or InstanceSpec())
        self.instances.append(inst)
        return inst

    def forget(self, inst: LocalInstance) -> None:
        if inst in self.instances:
            self.instances.remove(inst)

    def close(self) -> None:
        for inst in list(self.instances):
            inst.destroy()
        self._remove_archive()
        cleanup.unregister(self._token)

    def _remove_archive(self) -> None:
        if self._archive_root is not None:
            shutil.rmtree(self._archive_root, ignore_errors=True)
            self._archive_root = None
        if self._archive_token is not None:
            cleanup.unregister(self._archive_token)
            self._archive_token = None

    def describe(self) -> str:
        b = self.binaries
        return f"local ({b.source} binaries, PostgreSQL {b.version}, {b.bin_dir})"
