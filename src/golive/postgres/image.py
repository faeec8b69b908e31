"""`golive postgres build-image`: a Postgres image built with no container registry.

The root file system is assembled from this machine's server binaries (system packages or
the pgserver wheel): the install folder, its share folder, every shared library the
binaries need (``ldd``), ``/bin/sh`` and the few tools the entrypoint and archiving use,
``/usr/share/zoneinfo``, and an ``/etc/passwd`` with a ``postgres`` user. Files keep their
host paths. The tar is streamed to ``docker import`` with the image settings as changes; no
``FROM``, no pull. The entrypoint (``docker-entrypoint.sh``) follows the official image's
POSTGRES_* contract, so testcontainers uses the image unchanged.

Cached by content: the image carries a digest of its file manifest and entrypoint; a build
with the same digest and tag is skipped unless ``force``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from golive.errors import ProviderUnavailable
from golive.postgres import docker as dk
from golive.postgres.binaries import ServerBinaries, pgserver_binaries, system_binaries

RECIPE_VERSION = "1"  # bump when the layout below changes: invalidates cached images
PG_UID = 999  # the official image's postgres uid, so data copied in has the same owner
TOOLS = ("sh", "cat", "cp", "chmod", "env", "id", "ls", "mkdir", "mv", "rm", "sleep", "touch")
SKIP = re.compile(r"(^|/)(llvmjit[^/]*|bitcode|include|man|doc|pkgconfig|[^/]*\.a)$")
ENTRYPOINT = "/usr/local/bin/docker-entrypoint.sh"
DATA_DIR = "/var/lib/postgresql/data"

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    tag: str
    version: str
    major: int
    digest: str
    cached: bool
    size_mb: int


@dataclass(frozen=True)
class Entry:
    """One member of the root file system: copied from ``src``, or ``data``, or a link."""

    path: str  # absolute path in the image
    kind: str  # "file", "dir", "symlink"
    mode: int
    src: Path | None = None
    data: bytes | None = None
    link: str = ""
    uid: int = 0

    def key(self) -> str:
        if self.src is not None:
            st = self.src.stat()
            what = f"{st.st_size}:{st.st_mtime_ns}"
        elif self.data is not None:
            what = hashlib.sha256(self.data).hexdigest()
        else:
            what = self.link
        return f"{self.path}|{self.kind}|{self.mode:o}|{self.uid}|{what}"


def _canonical(path: str) -> str:
    """``path`` with its folder resolved (/lib/x86_64-linux-gnu/libc.so.6 → /usr/lib/…)."""
    p = Path(path)
    return str(Path(os.path.realpath(p.parent)) / p.name)


def _file_mode(path: Path) -> int:
    return 0o755 if os.access(path, os.X_OK) else 0o644


def _walk(root: Path) -> Iterator[Entry]:
    """A host folder tree at its canonical path: modes normalised, internal symlinks kept."""
    base = _canonical(str(root))
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        here = base if rel == "." else f"{base}/{rel}"
        dirnames[:] = [d for d in sorted(dirnames) if not SKIP.search(d)]
        for d in dirnames:
            full = Path(dirpath) / d
            if full.is_symlink():
                yield Entry(f"{here}/{d}", "symlink", 0o777, link=os.readlink(full))
        yield Entry(here, "dir", 0o755)
        for name in sorted(filenames):
            if SKIP.search(name):
                continue
            full = Path(dirpath) / name
            if full.is_symlink():
                yield Entry(f"{here}/{name}", "symlink", 0o777, link=os.readlink(full))
            elif full.is_file():
                yield Entry(f"{here}/{name}", "file", _file_mode(full), src=full)


def _elf_files(entries: list[Entry]) -> list[Path]:
    out = []
    for e in entries:
        if e.kind == "file" and e.src is not None and e.src.stat().st_size > 64:
            with e.src.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    out.append(e.src)
    return out


def _libraries(files: list[Path]) -> set[str]:
    """Every shared library (and the loader) the ELF ``files`` need, as ldd resolves them."""
    if shutil.which("ldd") is None:
        raise ProviderUnavailable(
            "build-image needs ldd to find the libraries the server uses. Fix: install it "
            "(Debian/Ubuntu: apt-get install libc-bin)."
        )
    found: set[str] = set()
    for chunk in range(0, len(files), 64):
        batch = [str(f) for f in files[chunk : chunk + 64]]
        res = subprocess.run(["ldd", *batch], capture_output=True, text=True, timeout=120)
        for line in res.stdout.splitlines():
            line = line.strip()
            if "not found" in line:
                raise ProviderUnavailable(f"ldd: a library the server needs is missing: {line!r}")
            m = re.search(r"=>\s*(/\S+)", line) or re.match(r"(/\S+)\s+\(0x", line)
            if m:
                found.add(m.group(1))
    return found


def _source(source: str) -> ServerBinaries:
    finders = {"system": [system_binaries], "pgserver": [pgserver_binaries]}
    order = finders.get(source, [system_binaries, pgserver_binaries])
    if source not in (*finders, "auto"):
        raise ProviderUnavailable(
            f"--from {source!r} is not a source: use auto, system or pgserver"
        )
    for finder in order:
        found = finder()
        if found:
            return found
    raise ProviderUnavailable(
        f"no Postgres server binaries to pack (--from {source}). Fix: apt-get install "
        "postgresql (Debian/Ubuntu), pip install 'golive[pgserver]', or set GOLIVE_PG_BIN."
    )


def _pg_dirs(b: ServerBinaries) -> list[Path]:
    """The install folders to copy: bin, pkglib and share of this server."""
    out = subprocess.run(
        [str(b.tool("pg_config")), "--sharedir", "--pkglibdir"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    dirs = [b.bin_dir, *(Path(x) for x in out.stdout.split())] if out.returncode == 0 else []
    if len(dirs) != 3:  # no pg_config: assume a relocatable prefix (bin, lib, share)
        prefix = b.bin_dir.parent
        dirs = [b.bin_dir, prefix / "lib", prefix / "share"]
    return [d for d in dirs if d.is_dir()]


def _etc() -> list[Entry]:
    passwd = (
        "root:x:0:0:root:/root:/bin/sh\n"
        f"postgres:x:{PG_UID}:{PG_UID}:PostgreSQL:/var/lib/postgresql:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    )
    group = f"root:x:0:\npostgres:x:{PG_UID}:\nnogroup:x:65534:\n"
    return [
        Entry("/etc", "dir", 0o755),
        Entry("/etc/passwd", "file", 0o644, data=passwd.encode()),
        Entry("/etc/group", "file", 0o644, data=group.encode()),
        Entry("/etc/nsswitch.conf", "file", 0o644, data=b"passwd: files\ngroup: files\n"),
        Entry("/etc/localtime", "symlink", 0o777, link="/usr/share/zoneinfo/Etc/UTC"),
    ]


def collect(b: ServerBinaries) -> list[Entry]:
    """The root file system of the image, as a sorted list of entries."""
    entries: list[Entry] = []
    for d in _pg_dirs(b):
        entries.extend(_walk(d))
    zoneinfo = Path("/usr/share/zoneinfo")
    if zoneinfo.is_dir():
        entries.extend(_walk(zoneinfo))
    tools = []
    for name in TOOLS:
        found = shutil.which(name, path="/usr/bin:/bin")
        if found:
            real = Path(os.path.realpath(found))
            entries.append(Entry(_canonical(found), "file", 0o755, src=real))
            tools.append(real)
    if not any(e.path.endswith("/sh") for e in entries):
        raise ProviderUnavailable("no /bin/sh on this machine to put in the image")
    for lib in sorted(_libraries(_elf_files(entries) + tools)):
        entries.append(Entry(_canonical(lib), "file", 0o755, src=Path(os.path.realpath(lib))))
    for top in ("bin", "sbin", "lib", "lib64"):  # merged-/usr hosts: keep the same links
        if Path("/", top).is_symlink():
            entries.append(Entry(f"/{top}", "symlink", 0o777, link=os.readlink(f"/{top}")))
    entrypoint = resources.files("golive.postgres").joinpath("docker-entrypoint.sh").read_bytes()
    entries += [
        *_etc(),
        Entry("/tmp", "dir", 0o1777),
        Entry("/root", "dir", 0o700),
        Entry("/var/lib/postgresql", "dir", 0o755, uid=PG_UID),
        Entry("/var/run/postgresql", "dir", 0o2775, uid=PG_UID),
        Entry("/docker-entrypoint-initdb.d", "dir", 0o755),
        Entry(ENTRYPOINT, "file", 0o755, data=entrypoint),
    ]
    unique = {e.path: e for e in entries}
    return [unique[p] for p in sorted(unique)]


def _parents(path: str) -> list[str]:
    parts = Path(path).parents
    return [str(p) for p in reversed(list(parts)) if str(p) != "/"]


def write_tar(entries: list[Entry], fileobj: io.BufferedWriter) -> None:
    """A deterministic tar of ``entries`` (missing parent folders added, mtime 0)."""
    seen: set[str] = set()
    links = {e.path for e in entries if e.kind == "symlink"}
    with tarfile.open(fileobj=fileobj, mode="w|", format=tarfile.GNU_FORMAT) as tar:
        for e in entries:
            for parent in _parents(e.path):
                if parent not in seen and parent not in links:
                    seen.add(parent)
                    info = tarfile.TarInfo(parent.lstrip("/"))
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(info)
            if e.path in seen:
                continue
            seen.add(e.path)
            info = tarfile.TarInfo(e.path.lstrip("/"))
            info.mode, info.uid, info.gid = e.mode, e.uid, e.uid
            info.uname = info.gname = "postgres" if e.uid == PG_UID else "root"
            if e.kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif e.kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, e.link
                tar.addfile(info)
            elif e.data is not None:
                info.size = len(e.data)
                tar.addfile(info, io.BytesIO(e.data))
            else:
                assert e.src is not None
                info.size = e.src.stat().st_size
                with e.src.open("rb") as fh:
                    tar.addfile(info, fh)


def _changes(b: ServerBinaries, digest: str) -> list[str]:
    labels = {
        dk.LABEL_LOCAL_IMAGE: "postgres-local",
        dk.LABEL_MAJOR: str(b.major),
        "golive.pg.version": b.version,
        "golive.pg.source": b.source,
        "golive.content-digest": digest,
    }
    return [
        f"ENTRYPOINT {json.dumps([ENTRYPOINT])}",
        'CMD ["postgres"]',
        f"ENV PATH={b.bin_dir}:/usr/local/bin:/usr/bin:/bin",
        f"ENV PGDATA={DATA_DIR}",
        "ENV LANG=C.UTF-8",
        "ENV TZ=Etc/UTC",
        "ENV HOME=/var/lib/postgresql",
        "USER postgres",
        "WORKDIR /var/lib/postgresql",
        "EXPOSE 5432",  # docker import takes no STOPSIGNAL: golive stops with SIGINT itself
        "LABEL " + " ".join(f"{k}={json.dumps(v)}" for k, v in labels.items()),
    ]


def digest_of(entries: list[Entry], b: ServerBinaries) -> str:
    h = hashlib.sha256(f"golive-postgres-image {RECIPE_VERSION}\n".encode())
    for e in entries:
        h.update(e.key().encode() + b"\n")
    h.update(json.dumps(_changes(b, "")).encode())
    return h.hexdigest()


def build(
    *, tag: str | None = None, force: bool = False, source: str = "auto", log: Log = print
) -> BuildResult:
    """Build (or find cached) the air-gapped image and return what it is."""
    status = dk.engine_status()
    if not status.reachable:
        raise ProviderUnavailable(
            f"cannot build the Postgres image: the Docker engine at {status.address} is not "
            f"reachable ({status.detail}). Fix: start it (`dockerd > /tmp/dockerd.log 2>&1 &`) "
            "or install it (`apt-get install docker.io`)."
        )
    b = _source(source)
    tag = tag or dk.local_tag(b.major)
    log(f"packing PostgreSQL {b.version} ({b.source}) from {b.bin_dir}")
    entries = collect(b)
    digest = digest_of(entries, b)
    existing = dk.image_info(tag)
    if existing and not force:
        have = (existing.get("Config") or {}).get("Labels") or {}
        if have.get("golive.content-digest") == digest:
            log(f"{tag} is up to date (digest {digest[:12]}); --force rebuilds it")
            return BuildResult(tag, b.version, b.major, digest, True, _size_mb(existing))
    files = sum(1 for e in entries if e.kind == "file")
    log(f"{len(entries)} entries ({files} files), digest {digest[:12]}")
    import docker.errors

    client = dk.sdk_client(timeout=600)
    old_id = existing.get("Id") if existing else None
    try:
        with tempfile.TemporaryFile(prefix="golive-rootfs-") as tmp:
            write_tar(entries, tmp)  # type: ignore[arg-type]
            size = tmp.tell()
            tmp.seek(0)
            log(f"importing a {size // (1024 * 1024)} MiB root file system as {tag}")
            repo, _, version = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "")
            try:
                client.api.import_image_from_data(
                    tmp, repository=repo, tag=version or "latest", changes=_changes(b, digest)
                )
            except Exception as exc:  # API errors, and the engine going away mid-stream
                why = getattr(exc, "explanation", None) or dk.short_error(exc)
                raise ProviderUnavailable(
                    f"docker import of {tag!r} failed: {why}. Fix: check `golive doctor` and "
                    "the engine's log, then run the build again."
                ) from None
        log("checking the image: postgres, initdb and psql run inside it")
        _smoke(client, tag)
        info = dk.image_info(tag) or {}
        if old_id and old_id != info.get("Id"):  # the replaced build, now untagged
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(old_id)
    finally:
        client.close()
    log(f"{tag} built")
    return BuildResult(tag, b.version, b.major, digest, False, _size_mb(info))


def _size_mb(info: dict[str, object]) -> int:
    size = info.get("Size", 0)
    return int(size) // (1024 * 1024) if isinstance(size, int) else 0


def _smoke(client: object, tag: str) -> None:
    """Run the binaries once in a throwaway container; a broken image fails the build."""
    import docker.errors

    assert hasattr(client, "containers")
    try:
        out = client.containers.run(
            tag,
            [
                "sh",
                "-c",
                "postgres --version && initdb --version && psql --version && cp --version",
            ],
            entrypoint=[],
            remove=True,
            labels={dk.LABEL_RUN: "build-image"},
        )
    except docker.errors.ContainerError as exc:
        raise ProviderUnavailable(
            f"the image {tag} was imported but its binaries do not run: {exc.stderr!r}. "
            "Fix: report it with the output of `golive doctor`; meanwhile use --postgres local."
        ) from None
    if b"postgres" not in out.lower():
        raise ProviderUnavailable(f"the image {tag} smoke check printed {out[:200]!r}")
