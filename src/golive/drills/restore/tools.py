"""Running the Postgres client tools a drill needs, wherever the provider puts them.

``Instance.client(tool)`` says how to run a tool of the server's major: a host binary, or
``docker exec`` into the server's container. Data goes through stdin and stdout wherever the
tool allows it (pg_dump, pg_restore, pg_basebackup), so no path has to exist on both sides.
A tool that needs a folder (pg_verifybackup) gets one through ``visible_path``, which stages
it in the instance's ``work_dir`` when the tool runs inside a container.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from golive.errors import ProviderUnavailable
from golive.postgres import Instance

STDERR_TAIL = 1500


@dataclass(frozen=True)
class ToolRun:
    """What one tool run did (the password never appears: it travels in the environment)."""

    tool: str
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        tail = self.stderr.strip()[-STDERR_TAIL:] or "(no output)"
        return f"{self.tool} exited with code {self.returncode}: {tail}"


def tool_env(instance: Instance, dbname: str | None = None) -> dict[str, str]:
    """The environment for a client tool: libpq settings of ``instance``, nothing inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env |= instance.client_env() | {"PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "golive-drill"}
    if dbname:
        env["PGDATABASE"] = dbname
    return env


def _argv(instance: Instance, tool: str, args: list[str]) -> list[str]:
    return [*instance.client(tool), *args]


def run_tool(
    instance: Instance,
    tool: str,
    args: list[str],
    *,
    dbname: str | None = None,
    stdin: Path | None = None,
    stdout: Path | None = None,
    timeout: float = 3600,
) -> ToolRun:
    """Run ``tool`` against ``instance``; never raises on a non-zero exit (callers judge)."""
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        fin: IO[bytes] | int = subprocess.DEVNULL
        fout: IO[bytes] | int = subprocess.PIPE
        if stdin is not None:
            fin = stack.enter_context(stdin.open("rb"))
        if stdout is not None:
            fout = stack.enter_context(stdout.open("wb"))
        try:
            proc = subprocess.run(
                _argv(instance, tool, args),
                stdin=fin,
                stdout=fout,
                stderr=subprocess.PIPE,
                env=tool_env(instance, dbname),
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            err = (exc.stderr or b"").decode(errors="replace")
            return ToolRun(
                tool,
                tuple(args),
                -9,
                "",
                f"timed out after {timeout}s; {err}",
                time.monotonic() - started,
            )
    out = proc.stdout.decode(errors="replace") if isinstance(proc.stdout, bytes) else ""
    return ToolRun(
        tool,
        tuple(args),
        proc.returncode,
        out,
        proc.stderr.decode(errors="replace"),
        time.monotonic() - started,
    )


def open_tool(
    instance: Instance, tool: str, args: list[str], *, dbname: str | None = None
) -> subprocess.Popen[bytes]:
    """Start ``tool`` with its stdout as a pipe (for streams such as a tar of a base backup)."""
    return subprocess.Popen(
        _argv(instance, tool, args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=tool_env(instance, dbname),
    )


def in_container(instance: Instance, tool: str) -> bool:
    """Whether ``tool`` runs inside the server's container (and sees only its mounts)."""
    return Path(instance.client(tool)[0]).name == "docker"


@contextlib.contextmanager
def visible_path(instance: Instance, tool: str, path: Path) -> Iterator[Path]:
    """``path`` where ``tool`` of ``instance`` can read it: itself, or a staged copy."""
    if not in_container(instance, tool):
        yield path
        return
    work = getattr(instance, "work_dir", None)
    if work is None:
        raise ProviderUnavailable(
            f"{tool} of {instance!r} runs inside its container, and the instance names no "
            "folder shared with the host (work_dir). Fix: install the PostgreSQL "
            f"{instance.major} client on this machine, or use --postgres local."
        )
    stage = Path(work) / f"stage-{secrets.token_hex(4)}"
    stage.mkdir()
    target = stage / path.name
    try:
        if path.is_dir():
            shutil.copytree(path, target, symlinks=True)
        else:
            shutil.copy2(path, target)
        _open_up(stage)
        yield target
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _open_up(root: Path) -> None:
    """Readable by the container's user (the tool runs as the caller's uid, but be sure)."""
    for p in [root, *root.rglob("*")]:
        with contextlib.suppress(OSError):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)


def log_tail(instance: Instance, lines: int = 30) -> str:
    """The last lines of the server's log, wherever the provider keeps it ("" if unknown)."""
    log: Any = getattr(instance, "log_file", None)
    if log is not None and Path(log).is_file():
        return "\n".join(Path(log).read_text(errors="replace").splitlines()[-lines:])
    name = getattr(instance, "container_name", None)
    docker = shutil.which("docker")
    if name and docker:
        out = subprocess.run(
            [docker, "logs", "--tail", str(lines), str(name)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return (out.stdout + out.stderr).strip()
    return ""
