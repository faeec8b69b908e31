"""pgBackRest as the backup engine of the point-in-time drill, on servers golive starts.

A stanza on the drill's primary, its repository on local disk in a folder of the drill's
own (removed at the end); the primary archives its WAL with ``pgbackrest archive-push``.
Every pgBackRest command runs through ``subprocess`` with a timeout, as the owner of the
server's data directory (the server's account, when golive runs as root). Restores go into
a fresh data directory, from which the provider starts a new server with the recovery
settings pgBackRest wrote. The repository's passphrase lives only in its configuration
file, never in a report.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from golive.drills.restore.physical import (
    DEFAULT_SEGMENT,
    segment_name,
    segment_number,
    start_promoted,
)
from golive.errors import ProviderUnavailable
from golive.evidence import register_secret
from golive.postgres import Instance, InstanceSpec, Provider, cleanup

STANZA = "golive"
ENGINE_SETTING = '[drills] backup_engine = "pgbackrest"'
RESTORE_SIDE = ("info", "verify", "restore")
TAIL = 1500
SEGMENT_FILE = re.compile(r"^([0-9A-F]{24})-[0-9a-f]{40}")
RECOVERY_KEYS = re.compile(r"^(restore_command|recovery_target\w*)$")
SETTING = re.compile(r"^\s*(\w+)\s*=\s*'((?:[^']|'')*)'\s*$")


def binary() -> str:
    """The pgbackrest executable; ProviderUnavailable naming the fix when it is missing."""
    found = shutil.which("pgbackrest")
    if found is None:
        raise ProviderUnavailable(
            'backup_engine = "pgbackrest" needs pgBackRest on this machine, and it is not '
            'on PATH. Fix: apt-get install pgbackrest, or set [drills] backup_engine = "golive".'
        )
    return found


def version() -> str:
    """``pgBackRest 2.45`` (what ``pgbackrest version`` prints)."""
    out = subprocess.run(
        [binary(), "version"], capture_output=True, text=True, timeout=30, check=False
    )
    return out.stdout.strip() or out.stderr.strip()


@dataclass(frozen=True)
class Run:
    """One pgbackrest command: what it said (the configuration file is never quoted)."""

    command: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def said(self) -> str:
        text = (self.stderr.strip() + "\n" + self.stdout.strip()).strip()
        return text[-TAIL:] or "(no output)"

    def describe(self) -> str:
        return f"pgbackrest {self.command} exited with code {self.returncode}: {self.said()}"

    def to_dict(self) -> dict[str, object]:
        return {
            "command": self.command,
            "exit": self.returncode,
            "seconds": round(self.seconds, 3),
            "output": self.said(),
        }


def printable(text: str, limit: int = 400) -> str:
    """The first line of ``text``, without the binary noise of a badly decrypted file."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return "".join(c for c in line if c.isprintable())[:limit]


def is_damage(line: str) -> bool:
    """A line of ``verify`` text that reports a problem (not a count of zero problems)."""
    if line.startswith(("stanza:", "status: ok")):
        return False
    counts = re.findall(r"(missing|invalid|other): (\d+)", line)
    if counts:
        return any(int(n) for _, n in counts)
    return "invalid" in line or ("status: valid" not in line and "total valid" not in line)


def parse_settings(text: str) -> dict[str, str]:
    """``key = 'value'`` lines of a postgresql.auto.conf (later lines win)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = SETTING.match(line)
        if m:
            out[m.group(1)] = m.group(2).replace("''", "'")
    return out


def target_time(epoch: float) -> str:
    """A server clock reading as ``recovery_target_time`` wants it (UTC, microseconds)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")


class Repository:
    """A pgBackRest stanza and its repository in a folder of its own (``close()`` removes it)."""

    def __init__(self, *, encrypted: bool = False, stanza: str = STANZA) -> None:
        self.exe = binary()
        self.stanza = stanza
        self.root = Path(tempfile.mkdtemp(prefix="golive-pgbackrest-"))
        os.chmod(self.root, 0o755)
        cleanup.write_owner(self.root)
        orphans = cleanup.Orphans(folders=(str(self.root),))
        self._token: int | None = cleanup.register(self.close, orphans)
        self.config = self.root / "pgbackrest.conf"
        self.restore_config = self.config  # what info, verify and restore read
        self.repo = self.root / "repo"
        for sub in ("repo", "log", "lock", "spool"):
            (self.root / sub).mkdir()
        self.cipher_pass = secrets.token_urlsafe(24) if encrypted else None
        if self.cipher_pass:
            register_secret(self.cipher_pass)
        self.uid, self.gid = os.geteuid(), os.getegid()
        self.pg: dict[str, str] = {}
        self.extra: list[str] = []  # options every command gets (an existing repository's)
        self.cipher_type = "aes-256-cbc" if encrypted else "none"
        self._restores = 0
        self.write_config()

    # -- configuration --------------------------------------------------------------------
    @property
    def archive_command(self) -> str:
        return f"{self.exe} --config={self.config} --stanza={self.stanza} archive-push %p"

    def attach(self, instance: Instance) -> None:
        """Point the stanza at ``instance`` (a local server: its data directory and socket)
        and hand the folder to the account the server runs as."""
        data_dir = getattr(instance, "data_dir", None)
        socket_dir = getattr(instance, "folder", None)
        if data_dir is None or socket_dir is None:
            raise ProviderUnavailable(
                "the pgbackrest engine needs a server golive runs on this machine (its data "
                "directory and socket). Fix: run the drill with --postgres local."
            )
        st = Path(data_dir).stat()
        self.uid, self.gid = st.st_uid, st.st_gid
        self.pg = {
            "pg1-path": str(data_dir),
            "pg1-port": str(instance.port),
            "pg1-socket-path": str(socket_dir),
            "pg1-user": instance.user,
        }
        self.write_config()

    def write_config(self, *, cipher_pass: str | None = None, path: Path | None = None) -> None:
        """The stanza's pgbackrest.conf (readable by the server's account only)."""
        lines = [
            "[global]",
            f"repo1-path={self.repo}",
            "repo1-retention-full=2",
            f"log-path={self.root / 'log'}",
            f"lock-path={self.root / 'lock'}",
            f"spool-path={self.root / 'spool'}",
            "log-level-console=warn",
            "log-level-file=info",
            "start-fast=y",
            "compress-type=lz4",
        ]
        passphrase = cipher_pass or self.cipher_pass
        if passphrase:
            lines += ["repo1-cipher-type=aes-256-cbc", f"repo1-cipher-pass={passphrase}"]
        lines += ["", f"[{self.stanza}]", *(f"{k}={v}" for k, v in self.pg.items()), ""]
        path = path or self.config
        path.write_text("\n".join(lines))
        os.chmod(path, 0o600)
        self._own()

    def _own(self) -> None:
        if os.geteuid() != 0:
            return
        for p in [self.root, *self.root.rglob("*")]:
            os.lchown(p, self.uid, self.gid)

    # -- commands ---------------------------------------------------------------------------
    def run(self, command: str, *args: str, timeout: float = 600) -> Run:
        """``pgbackrest --config … --stanza … COMMAND ARGS`` as the server's account."""
        config = self.restore_config if command in RESTORE_SIDE else self.config
        extra = [o for o in self.extra if command != "verify" or not o.startswith("--lock")]
        argv = [self.exe, f"--config={config}", f"--stanza={self.stanza}", *extra, *args]
        argv.append(command)
        kw: dict[str, Any] = {}
        if os.geteuid() == 0 and self.uid != 0:  # as the server's account, like its archiving
            kw = {"user": self.uid, "group": self.gid, "extra_groups": []}
        env = {"PATH": f"{Path(self.exe).parent}:/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC"}
        started = time.monotonic()
        try:
            out = subprocess.run(
                argv, capture_output=True, text=True, errors="replace", timeout=timeout, env=env,
                cwd=self.root, check=False, **kw,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
            return Run(command, -9, "", f"timed out after {timeout:g}s; {err}", timeout)
        return Run(command, out.returncode, out.stdout, out.stderr, time.monotonic() - started)

    def info(self) -> tuple[Run, list[dict[str, Any]], str | None]:
        """``pgbackrest info --output=json``: the stanza's backups (oldest first), and what is
        wrong with the repository (None when pgBackRest reads it: status ok)."""
        run = self.run("info", "--output=json", timeout=120)
        if not run.ok:
            return run, [], run.describe()
        try:
            stanzas = json.loads(run.stdout)
        except ValueError:
            return run, [], f"pgbackrest info printed no JSON: {run.said()[:300]}"
        mine = [s for s in stanzas if s.get("name") == self.stanza]
        if not mine:
            return run, [], f"the repository has no stanza {self.stanza!r}"
        stanza = mine[0]
        backups = list(stanza.get("backup", []))
        bad = [
            r["status"]["message"]
            for r in stanza.get("repo", [])
            if (r.get("status") or {}).get("code", 0) != 0
        ]
        if not bad and (stanza.get("status") or {}).get("code", 0) not in (0, 2):
            bad = [str(stanza["status"].get("message"))]
        return run, backups, (printable(bad[0]) if bad else None)

    def labels(self) -> list[dict[str, object]]:
        """The backups as evidence: label, type, what each is based on, WAL range, times."""
        _, backups, _ = self.info()
        return [
            {
                "label": b.get("label"),
                "type": b.get("type"),
                "prior": b.get("prior"),
                "wal_start": (b.get("archive") or {}).get("start"),
                "wal_stop": (b.get("archive") or {}).get("stop"),
                "started": (b.get("timestamp") or {}).get("start"),
                "stopped": (b.get("timestamp") or {}).get("stop"),
                "size": (b.get("info") or {}).get("size"),
                "repo_size": ((b.get("info") or {}).get("repository") or {}).get("delta"),
            }
            for b in backups
        ]

    def backup(self, kind: str) -> Run:
        return self.run("backup", f"--type={kind}", timeout=3600)

    def restore(
        self, *, target: float | None = None, name: str | None = None, options: Sequence[str] = ()
    ) -> tuple[Run, Path]:
        """``pgbackrest restore`` into a new data directory: the latest state of the archive,
        ``--type=time`` to ``target`` (a server clock reading), or ``--type=name`` to the
        restore point ``name``; promoting when reached. ``options``: more of pgbackrest's
        (the benchmark's ``--process-max=2``)."""
        if target is not None and name is not None:
            raise ValueError("restore to a time or to a restore point's name, not both")
        self._restores += 1
        dest = self.root / f"restore-{self._restores}"
        dest.mkdir(mode=0o700)
        self._own()
        args = [f"--pg1-path={dest}"]
        if target is not None:
            args += ["--type=time", f"--target={target_time(target)}", "--target-action=promote"]
        elif name is not None:
            args += ["--type=name", f"--target={name}", "--target-action=promote"]
        return self.run("restore", *args, *options, timeout=3600), dest

    def verify(self) -> tuple[Run, list[str]]:
        """``pgbackrest verify --output=text --verbose`` (it exits 0 even when it finds damage:
        the text's status says); the lines that name the damage, none when the status is ok."""
        run = self.run("verify", "--output=text", "--verbose", timeout=3600)
        lines = [ln.strip() for ln in run.stdout.splitlines() if ln.strip()]
        if not run.ok:
            return run, [run.describe()]
        if "status: ok" in lines:
            return run, []
        return run, [ln for ln in lines if is_damage(ln)] or [run.said()]

    # -- the repository's archive -------------------------------------------------------------
    def archived(self) -> dict[str, Path]:
        """WAL segments in the repository's archive (name → file)."""
        found: dict[str, Path] = {}
        archive = self.repo / "archive" / self.stanza
        if archive.is_dir():
            for path in archive.rglob("*"):
                m = SEGMENT_FILE.match(path.name)
                if m and path.is_file():
                    found[m.group(1)] = path
        return found

    def wait_archived(self, segment: str, timeout: float) -> bool:
        """Poll (bounded) until ``segment`` is in the repository's archive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if segment in self.archived():
                return True
            time.sleep(0.1)
        return segment in self.archived()

    def missing_segments(self, first: str, last: str | None) -> list[str]:
        """Segments of ``first``'s timeline from ``first`` to ``last`` (None: the newest archived)
        that the repository's archive lacks."""
        present = set(self.archived())
        tli = first[:8]
        numbers = [segment_number(n) for n in present if n.startswith(tli)]
        end = segment_number(last) if last else max(numbers, default=segment_number(first))
        wanted = (segment_name(int(tli, 16), n * DEFAULT_SEGMENT) for n in
                  range(segment_number(first), end + 1))  # fmt: skip
        return [n for n in wanted if n not in present]

    # -- damage, for the broken-backup scenarios ------------------------------------------------
    def lose_segment_after(self, segment: str) -> str:
        """Delete the first archived WAL segment after ``segment`` (same timeline); its name."""
        for name, path in sorted(self.archived().items()):
            if name > segment and name[:8] == segment[:8]:
                path.unlink()
                return name
        raise AssertionError(f"no WAL segment after {segment} in the repository to lose")

    def corrupt_backup_file(self) -> tuple[str, Path]:
        """Flip bytes in the middle of the largest file the newest full backup stored; (the
        backup's label, the file)."""
        _, backups, _ = self.info()
        full = [b["label"] for b in backups if b.get("type") == "full"]
        if not full:
            raise AssertionError("no full backup in the repository to damage")
        folder = self.repo / "backup" / self.stanza / full[-1] / "pg_data"
        victim = max((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
        data = bytearray(victim.read_bytes())
        mid = len(data) // 2
        data[mid : mid + 64] = bytes(b ^ 0xFF for b in data[mid : mid + 64])
        victim.write_bytes(bytes(data))
        return str(full[-1]), victim

    def forget_passphrase(self) -> None:
        """The restore side reads a configuration whose passphrase is not the repository's
        (as on a recovery host set up wrong); the primary keeps archiving with the right one."""
        self.restore_config = self.root / "restore.conf"
        self.write_config(cipher_pass=secrets.token_urlsafe(24), path=self.restore_config)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        if self._token is not None:
            cleanup.unregister(self._token)
            self._token = None


def recovery_settings(data_dir: Path) -> dict[str, str]:
    """The recovery settings ``pgbackrest restore`` wrote into the restored postgresql.auto.conf
    (its ``restore_command`` keeps the restore's --config, --lock-path and --log-path)."""
    conf = data_dir / "postgresql.auto.conf"
    settings = parse_settings(conf.read_text()) if conf.is_file() else {}
    wanted = {k: v for k, v in settings.items() if RECOVERY_KEYS.match(k)}
    if "restore_command" in wanted:  # the server runs from a copy of the folder: its own
        wanted["restore_command"] = wanted["restore_command"].replace(
            f"--pg1-path={data_dir}", '--pg1-path="$(pwd -P)"'
        )
    return wanted


def start_restored(
    provider: Provider,
    data_dir: Path,
    *,
    settings: dict[str, str],
    name: str,
    timeout: float = 600,
) -> Instance:
    """A server started from a copy of the data directory ``pgbackrest restore`` wrote, with
    the recovery settings it wrote, once promoted. BackupBroken when recovery fails."""
    recovery = recovery_settings(data_dir)
    recovery.setdefault("recovery_target_action", "promote")
    spec = InstanceSpec(settings=dict(settings), data_from=data_dir, recovery=recovery)
    instance = start_promoted(
        provider, spec, name=name, timeout=timeout, failed="the restored server did not start"
    )
    shutil.rmtree(data_dir, ignore_errors=True)  # the server runs from its own copy
    return instance


def check_engine(
    engine: str,
    postgres: str | None,
    suite: str,
    *,
    who: str = ENGINE_SETTING,
    drill_args: Sequence[str] = (),
) -> None:
    """Before a run: the pgbackrest engine needs pgBackRest here and servers golive starts on
    this machine (ConfigError, exit 2, otherwise; nothing is started). ``drill_args``: the
    run's restore options (golive.drills.restore.options)."""
    from golive.drills.restore.options import BASEBACKUP, DUMP
    from golive.errors import ConfigError
    from golive.postgres import docker as dk

    if engine != "pgbackrest" or suite not in ("restore", "full"):
        return
    if DUMP in drill_args or BASEBACKUP in drill_args:
        return  # `golive drill restore` of an existing backup: no drill of the engine runs

    if shutil.which("pgbackrest") is None:
        raise ConfigError(
            f"{who} needs pgbackrest, and it is not on PATH. Fix: apt-get install pgbackrest"
        )
    spec = (postgres or os.environ.get("GOLIVE_POSTGRES") or "auto").strip()
    if spec == "auto" and not os.environ.get("GOLIVE_PG_DSN"):
        status = dk.engine_status()
        spec = "docker" if status.reachable and dk.image_present(dk.image_name()) else "local"
    if spec not in ("local", "pgserver"):
        raise ConfigError(
            f"{who} runs pgBackRest on this machine against servers golive starts here, not "
            f"on --postgres {spec.split('@')[-1]!r} "
            "(auto picks docker when its image is present). Fix: --postgres local"
        )
