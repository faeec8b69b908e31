"""Child process for the clean-up tests: holds a provider, reports what it made, then waits.

    python holder.py SPEC exit|wait

SPEC is what --postgres takes. Prints one line ``READY {json}`` naming the run label,
folders, server pid and databases it created; then either returns (normal exit: clean-up
runs at exit) or sleeps until a signal arrives (bounded to 120 s).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from golive.postgres import InstanceSpec, Templates, open_provider


def main(spec: str, mode: str) -> None:
    provider = open_provider(spec)
    owns_server = provider.kind != "dsn"
    inst = provider.start_instance(InstanceSpec(archive=owns_server), name="held")
    templates = Templates(inst)
    clone = templates.clone("schema", lambda dsn: None)
    folders = [
        str(p)
        for p in (
            getattr(inst, "folder", None),
            getattr(inst, "work_dir", None),
            getattr(provider, "work_root", None),
            inst.archive_dir,
        )
        if p is not None
    ]
    pid_file = getattr(inst, "data_dir", None)
    pid = None
    if pid_file is not None:
        pid = int((Path(pid_file) / "postmaster.pid").read_text().split("\n", 1)[0])
    info = {
        "kind": provider.kind,
        "run": getattr(provider, "run_id", None),
        "folders": folders,
        "pid": pid,
        "databases": [clone.name, templates.template("schema", lambda dsn: None)],
    }
    print("READY " + json.dumps(info), flush=True)
    if mode == "wait":
        time.sleep(120)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
