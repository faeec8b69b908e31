"""`golive run` against an adapter target, for the hordak wallet's tests.

golive run's preflight (golive.run.preflight.check_target) asks every non-embedded target
for the HTTP contract's /health, /version and /openapi.yaml, even when [target] names an
adapter, so a platform with its own API is refused before anything runs. Until golive
checks an adapter target through its adapter, this runs `golive run` unchanged except that
preflight: the configured adapter is loaded (golive.target.load_target, the protocol check)
and must answer health() with "ok".

    python tests/examples/wallet_run.py run --config … --suite canary …
"""

from __future__ import annotations

import sys
from typing import Any


def _adapter_preflight(url: str, _contract: str) -> dict[str, Any]:
    from golive.config import load_config
    from golive.errors import TargetUnreachable
    from golive.target import NoAnswer, open_target

    spec = load_config(None).target.adapter
    target = open_target(spec, options={"base_url": url})
    try:
        health = target.health()
    except NoAnswer as exc:
        raise TargetUnreachable(f"target {url!r} does not answer through {spec}: {exc}") from None
    finally:
        target.close()
    if not health.ok:
        raise TargetUnreachable(f"target {url!r} reports {health.status!r} through {spec}")
    return {}


def main() -> None:
    import golive.run.command as command
    from golive.cli import main as golive

    command.check_target = _adapter_preflight
    sys.argv[0] = "golive"
    golive()


if __name__ == "__main__":
    main()
