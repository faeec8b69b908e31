"""What scenarios ask of the stub PSP, over its control API (docs/psp.md)."""

from __future__ import annotations

from typing import Any

import httpx

ONE_DAY = 86_400


class PspOps:
    """Faults, clock, delivery and state of the stub PSP, as scenario-level operations."""

    def __init__(self, base_url: str, *, event_hooks: dict[str, list[Any]] | None = None) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=60, event_hooks=event_hooks or {})

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        resp = self.http.post(path, json=body or {})
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def _get(self, path: str, **params: Any) -> Any:
        resp = self.http.get(path, params=params)
        resp.raise_for_status()
        return resp.json()

    # -- faults ---------------------------------------------------------------------------
    def set_faults(self, provider: str | None = None, **faults: Any) -> None:
        body = dict(faults)
        if provider:
            body["provider"] = provider
        self._post("/_stub/faults", body)

    def clear_faults(self) -> None:
        self.http.delete("/_stub/faults").raise_for_status()

    def rotate_secret(self, provider: str = "stripe") -> dict[str, Any]:
        return dict(self._post("/_stub/rotate-secret", {"provider": provider}))

    # -- time and delivery ------------------------------------------------------------------
    def flush(self) -> dict[str, Any]:
        """Deliver everything due now and wait until the outbox is idle."""
        return dict(self._post("/_stub/deliveries/flush") or {})

    def advance(self, seconds: float) -> None:
        self._post("/_stub/clock/advance", {"seconds": seconds})

    def pass_payout_arrival(self) -> None:
        """Let a day and a bit of PSP time pass, so payouts arrive (or fail), and deliver."""
        self.flush()
        self.advance(ONE_DAY + 3600)
        self.flush()

    def deliveries(self) -> list[dict[str, Any]]:
        data = self._get("/_stub/deliveries")
        return list(data["deliveries"] if isinstance(data, dict) else data)

    def state(self) -> dict[str, Any]:
        return dict(self._get("/_stub/state"))

    # -- what the PSP says happened -------------------------------------------------------
    def payment_status(self, psp: str, reference: str) -> str:
        """succeeded, failed, pending or missing: the PSP's view of a deposit's payment."""
        return _find_status(self.state(), psp, "payments", reference)

    def payout_status(self, psp: str, reference: str) -> str:
        """paid, failed, pending or missing: the PSP's view of a withdrawal's payout."""
        return _find_status(self.state(), psp, "payouts", reference)

    def attempts_for(self, reference: str) -> list[dict[str, Any]]:
        """Every delivery attempt of events about ``reference`` (a PSP object id)."""
        return [
            a
            for d in self.deliveries()
            if reference in (d.get("object_id"), d.get("psp_reference"))
            for a in d.get("attempts", [])
        ]

    def payments_for_deposit(self, deposit_id: str) -> int:
        """How many PSP payments carry this deposit's id (metadata or merchant reference)."""
        state = self.state()
        return sum(
            1
            for psp in ("stripe", "adyen")
            for obj in state.get(psp, {}).get("payments", [])
            if deposit_id in (obj.get("merchantReference"), (obj.get("metadata") or {}).get("deposit_id"))
        )


def _find_status(state: dict[str, Any], psp: str, kind: str, reference: str) -> str:
    for obj in state.get(psp, {}).get(kind, []):
        if reference in (obj.get("id"), obj.get("pspReference")):
            return str(obj.get("golive_status") or obj.get("status"))
    return "missing"
