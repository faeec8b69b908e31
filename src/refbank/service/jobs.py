"""Finance jobs: work that waits on the PSP, so stuck payouts and confirmations show."""

from __future__ import annotations

import uuid

from refbank.db import Conn
from refbank.platform import Platform


def open_job(conn: Conn, kind: str, reference: str) -> None:
    conn.execute(
        "INSERT INTO finance_jobs (id, kind, reference) VALUES (%s, %s, %s)",
        (str(uuid.uuid4()), kind, reference),
    )


def close_job(p: Platform, conn: Conn, kind: str, reference: str, state: str, detail: str) -> None:
    """Finish the pending job of ``kind`` for ``reference`` as ``state`` (done or failed)."""
    deadline = ""
    if p.fault("job-stuck-on-late-webhook"):
        # FAULT job-stuck-on-late-webhook: the handler only finishes jobs still inside their
        # confirmation window; a late webhook moves the money but leaves the job pending
        deadline = " AND created_at > now() - make_interval(secs => %(late)s)"
    conn.execute(
        "UPDATE finance_jobs SET state = %(state)s, detail = %(detail)s, updated_at = now() "
        "WHERE kind = %(kind)s AND reference = %(ref)s AND state = 'pending'" + deadline,
        {
            "state": state,
            "detail": detail,
            "kind": kind,
            "ref": reference,
            "late": p.config.job_late_seconds,
        },
    )
