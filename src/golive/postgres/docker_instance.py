"""One Postgres container: testcontainers' PostgresContainer, published on 127.0.0.1 only.

The server listens on the same port inside the container as on the host, so one DSN works
for host clients and for client tools run inside the container (``docker exec``). The
instance's ``work_dir`` and WAL archive folders are bind-mounted at their host paths.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from testcontainers.community.postgres import PostgresContainer

from golive.errors import ProviderUnavailable
from golive.postgres import cleanup
from golive.postgres.base import Instance, InstanceSpec, free_port, wait_ready
from golive.postgres.binaries import binaries_for_major
from golive.postgres.docker import docker_errors, short_error

if TYPE_CHECKING:
    from golive.postgres.docker import DockerProvider

PG_UID = 999  # the postgres uid of the official image and of golive's local image
PGDATA = "/var/lib/postgresql/data"
SEED_MARK = "/.golive-seed"  # marks the transfer that copies a base backup in
READY_TIMEOUT = 120.0
DEFAULT_SETTINGS = {
    "fsync": "off",  # disposable data; a killed container still recovers from the OS cache
    "max_connections": "200",
    "shared_buffers": "64MB",
    "max_wal_senders": "4",
}


def _seed_tar(data_from: Path, dest: Path) -> None:
    """A tar of a base backup as the container's data folder, owned by the postgres uid."""

    def owned(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if Path(info.name).name in ("postmaster.pid", "postmaster.opts"):
            return None
        info.uid = info.gid = PG_UID
        info.uname = info.gname = "postgres"
        if info.isdir():
            info.mode = 0o700
        return info

    with tarfile.open(dest, "w") as tar:
        tar.add(str(data_from), arcname=PGDATA.lstrip("/"), filter=owned)
        signal_file = tarfile.TarInfo(f"{PGDATA.lstrip('/')}/recovery.signal")
        signal_file.uid = signal_file.gid = PG_UID
        signal_file.mode = 0o600
        tar.addfile(signal_file, io.BytesIO(b""))


class _Container(PostgresContainer):
    """testcontainers' Postgres container with a bounded, fail-fast readiness check and a
    data folder seeded before the first start."""

    seed: Path | None = None

    def _transfer_into_container(self, transferable: Any, destination: str, mode: int) -> None:
        if destination == SEED_MARK and self.seed is not None:
            with self.seed.open("rb") as fh:
                if not self.get_wrapped_container().put_archive("/", fh):
                    raise ProviderUnavailable("could not copy the base backup into the container")
            return
        super()._transfer_into_container(transferable, destination, mode)

    def _connect(self) -> None:
        # the readiness command of PostgresContainer, polled every 0.1 s; an exited
        # container fails at once with its log instead of after the timeout
        check = [
            "sh", "-c",
            f"psql --username {self.username} --dbname {self.dbname} --host 127.0.0.1 "
            "-c 'select version();'",
        ]  # fmt: skip
        container = self.get_wrapped_container()
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            container.reload()
            if container.status in ("exited", "dead"):
                log = container.logs(tail=30).decode(errors="replace")
                raise ProviderUnavailable(f"the Postgres container exited during start-up:\n{log}")
            try:
                res = container.exec_run(check, environment={"PGPASSWORD": self.password})
            except docker_errors().APIError as exc:  # it stopped meanwhile: see above
                last = short_error(exc)
            else:
                if res.exit_code == 0:
                    return
                last = res.output.decode(errors="replace")[-500:]
            if time.monotonic() > deadline:
                raise ProviderUnavailable(
                    f"Postgres in container {container.name} not ready after {READY_TIMEOUT}s: "
                    f"{last}"
                )
            time.sleep(0.1)


class DockerInstance(Instance):
    kind = "docker"

    def __init__(self, provider: DockerProvider, name: str, spec: InstanceSpec) -> None:
        self.provider = provider
        self.name = name
        self.host = "127.0.0.1"
        self.user = provider.user
        self.password = provider.password
        self.major = 0
        self.work_dir = provider.work_root / name
        self.work_dir.mkdir()
        os.chmod(self.work_dir, 0o777)  # the server's uid in the container writes here too
        self.archive_dir = provider.archive_folder(name) if spec.archive else None
        self.container_name = f"golive-{provider.run_id}-{name}"
        self._container: _Container | None = None
        self._destroyed = False
        self._token = cleanup.register(self.destroy)
        try:
            self._launch(spec)
        except BaseException:
            self.destroy()
            provider.sweep()
            raise

    def _settings(self, spec: InstanceSpec) -> tuple[dict[str, str], list[Path]]:
        settings = {**DEFAULT_SETTINGS, **spec.settings}
        mounts = [self.work_dir]
        if self.archive_dir is not None:
            mounts.append(self.archive_dir)
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
            source = recovery.pop("archive_dir", None)
            if source:
                mounts.append(Path(source))
            if "restore_command" not in recovery and (source or self.archive_dir):
                recovery["restore_command"] = f"cp {source or self.archive_dir}/%f %p"
            settings |= recovery
        return settings, mounts

    def _launch(self, spec: InstanceSpec) -> None:
        settings, mounts = self._settings(spec)
        seed = None
        if spec.data_from is not None:
            seed = self.work_dir / ".seed.tar"
            _seed_tar(Path(spec.data_from), seed)
        for attempt in range(3):  # a free port can be taken between choosing and binding it
            self.port = free_port()
            c = _Container(
                self.provider.image, port=self.port, username=self.user,
                password=self.password, dbname="postgres", driver=None,
            )  # fmt: skip
            c.ports = {f"{self.port}/tcp": ("127.0.0.1", self.port)}  # type: ignore[dict-item]
            c.with_env("PGPORT", str(self.port))  # same port inside and out: one DSN for both
            c.with_env("POSTGRES_INITDB_ARGS", "--no-sync")  # disposable data
            c.with_name(self.container_name)
            c.with_command([arg for k, v in settings.items() for arg in ("-c", f"{k}={v}")])
            for m in mounts:
                c.with_volume_mapping(str(m), str(m), "rw")
            if seed is not None:
                c.seed = seed
                c.with_copy_into_container(b"", SEED_MARK)
            c.with_kwargs(labels=self.provider.labels(self.name), shm_size="256m", network="bridge")
            self._container = c
            try:
                c.start()
                break
            except docker_errors().APIError as exc:
                self._remove_containers()
                if "port is already allocated" not in str(exc) or attempt == 2:
                    raise ProviderUnavailable(
                        f"could not start {self.provider.image!r}: {short_error(exc)}"
                    ) from None
        if seed is not None:
            seed.unlink(missing_ok=True)
        wait_ready(self.dsn(), timeout=READY_TIMEOUT)
        self._allow_replication()
        row = self.execute("SHOW server_version_num")[0]
        self.major = int(str(row[0])) // 10000

    def _allow_replication(self) -> None:
        """Let host-side pg_basebackup in: images allow replication from 127.0.0.1 only, and
        host connections arrive from the Docker bridge."""
        line = "host replication all all scram-sha-256"
        script = (
            f'f="$PGDATA/pg_hba.conf"; case "$(cat "$f")" in *"{line}"*) ;; '
            f'*) printf "\\n{line}\\n" >> "$f" ;; esac'
        )
        res = self._wrapped().exec_run(["sh", "-c", script])
        if res.exit_code != 0:
            raise ProviderUnavailable(
                f"could not allow replication connections in {self.container_name}: "
                f"{res.output.decode(errors='replace')[-300:]}"
            )
        self.execute("SELECT pg_reload_conf()")

    # -- Instance interface ------------------------------------------------------------
    @property
    def container_id(self) -> str:
        if self._container is None:
            raise ProviderUnavailable(f"instance {self.name} has no container")
        return self._container.get_container_id()

    def _wrapped(self) -> Any:
        if self._container is None:
            raise ProviderUnavailable(f"instance {self.name} has no container")
        return self._container.get_wrapped_container()

    @property
    def running(self) -> bool:
        try:
            c = self._wrapped()
            c.reload()
            return bool(c.status == "running")
        except Exception:
            return False

    def stop(self) -> None:
        """Fast shutdown (SIGINT to the server, which is the container's process 1)."""
        if self.running:
            c = self._wrapped()
            c.kill(signal="SIGINT")
            c.wait(timeout=120)

    def start(self) -> None:
        if not self.running:
            self._wrapped().start()
        wait_ready(self.dsn(), timeout=READY_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL the server: no checkpoint, crash recovery on the next start."""
        if self.running:
            c = self._wrapped()
            c.kill(signal="SIGKILL")
            c.wait(timeout=60)

    def destroy(self) -> None:
        if not self._destroyed:
            self._destroyed = True
            cleanup.unregister(self._token)
        self._remove_containers()
        shutil.rmtree(self.work_dir, ignore_errors=True)
        self.provider.forget(self)

    def _remove_containers(self) -> None:
        self.provider.sweep(instance=self.name)

    def client(self, tool: str) -> list[str]:
        """Host binaries of the server's major when there are some, else ``docker exec``."""
        host = binaries_for_major(self.major)
        if host is not None and host.tool(tool).exists():
            return [str(host.tool(tool))]
        return self.exec_client(tool)

    def exec_client(self, tool: str) -> list[str]:
        """``tool`` run inside the container (same major), as this user, in ``work_dir``.

        Connection settings come from the caller's environment (``client_env()``): the
        port is the same inside and outside the container. File paths work when they are
        under ``work_dir`` (bind-mounted at the same path) or the archive folders.
        """
        docker_cli = shutil.which("docker")
        if docker_cli is None:
            raise ProviderUnavailable(
                f"no {tool} of PostgreSQL {self.major} on this machine and no docker CLI to run "
                "it inside the container. Fix: apt-get install docker.io (or docker-ce-cli), or "
                f"install the PostgreSQL {self.major} client."
            )
        env = [a for v in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")
               for a in ("-e", v)]  # fmt: skip
        return [
            docker_cli, "exec", "-i", "-u", f"{os.getuid()}:{os.getgid()}",
            "-w", str(self.work_dir), "-e", "HOME=/tmp", *env, self.container_name, tool,
        ]  # fmt: skip
