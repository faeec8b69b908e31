"""The reference platform as a drill target: golive runs refbank as an ordinary service
(``golive platform …``, as examples/external-refbank does) on a disposable database, with
the stub PSP, and hands the drill the same operations an external platform configures.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from golive.config_target import PspSettings
from golive.drills.restore.target import DrillTarget
from golive.errors import PlatformFault
from golive.postgres import Instance, create_database
from golive.postgres.base import free_port
from golive.stack import external_stack, refbank_operations

SETUP_TIMEOUT_S = 300


def _platform(env: dict[str, str], *args: str) -> None:
    argv = [sys.executable, "-m", "golive", "platform", *args]
    out = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=SETUP_TIMEOUT_S, check=False
    )
    if out.returncode != 0:
        said = (out.stderr.strip() or out.stdout.strip()).splitlines()[-1:] or ["(nothing)"]
        raise PlatformFault(f"golive platform {args[0]} failed (exit {out.returncode}): {said[0]}")


@contextlib.contextmanager
def refbank_target(
    instance: Instance, workdir: Path, *, app_version: str = "2"
) -> Iterator[DrillTarget]:
    """refbank on a new database of ``instance`` (disposable), the stub PSP beside it."""
    state = workdir / "refbank-service"
    state.mkdir(parents=True, exist_ok=True)
    db = create_database(instance)
    port, psp_port = free_port(), free_port()
    psp_base = f"http://127.0.0.1:{psp_port}"
    env = {
        **os.environ,
        "REFBANK_STRIPE_API_BASE": f"{psp_base}/stripe",
        "REFBANK_ADYEN_API_BASE": f"{psp_base}/adyen",
        "REFBANK_STRIPE_API_KEY": f"sk_test_{secrets.token_hex(12)}",
        "REFBANK_ADYEN_API_KEY": f"AQE{secrets.token_hex(20)}",
        "REFBANK_ADYEN_MERCHANT_ACCOUNT": "GoLiveCanaryECOM",
        "REFBANK_STRIPE_WEBHOOK_SECRETS": f"whsec_{secrets.token_hex(24)}",  # replaced below
        "REFBANK_ADYEN_HMAC_KEY": secrets.token_hex(32),
    }
    env.pop("GOLIVE_PLATFORM_STATE", None)
    ops = refbank_operations(state)
    url = f"http://127.0.0.1:{port}"
    target = DrillTarget(url, "", ops, db.dsn)

    def hand_over(secrets_file: Path) -> None:
        target.run("set_webhook_secrets", secrets_file=secrets_file)

    try:
        _platform(env, "migrate", "--state", str(state), "--dsn", db.dsn, "--schema", app_version)
        _platform(env, "start", "--state", str(state), "--dsn", db.dsn, "--port", str(port),
                  "--release", app_version)  # fmt: skip
        psp = PspSettings(port=psp_port, webhook_secrets="generate")
        with external_stack(url, psp=psp, database=db.dsn, hand_over=hand_over) as stack:
            target.psp_url = stack.psp_url
            target.connect = stack.open_target
            yield target
    finally:
        with contextlib.suppress(Exception):
            _platform(env, "stop", "--state", str(state), "--now")
        with contextlib.suppress(Exception):
            db.drop()
