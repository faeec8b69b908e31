"""What scenarios ask of the stub PSP, on top of its control client (docs/psp.md)."""

from __future__ import annotations

from typing import Any

from golive.evidence import transcript_hooks
from golive.psp import StubControl
from golive.psp.provider import get as provider_named
from golive.psp.provider import providers

ONE_DAY = 86_400


# Webhooks leave the PSP a moment after their event, as with real providers; with the stack's
# clock frozen, they go out only when a step lets PSP time pass, so a scenario sees "pending".
BASELINE = {"webhook_delay_s": 2.0}


class PspOps(StubControl):
    """The control client plus scenario-level questions: what the PSP says happened.

    Faults set here come on top of ``BASELINE``; clearing them goes back to it. Every call
    is recorded in the run's transcripts (peer "psp").
    """

    def __init__(self, base_url: str, *, timeout: float = 120.0) -> None:
        super().__init__(base_url, timeout=timeout)
        self._http.event_hooks = transcript_hooks("psp")

    def set_faults(self, provider: str | None = None, **faults: Any) -> dict[str, Any]:
        return super().set_faults(provider, **(BASELINE | faults))

    def clear_faults(self, provider: str | None = None) -> None:
        super().clear_faults(provider)
        super().set_faults(provider, **BASELINE)

    def deliver_due(self) -> None:
        """Let the webhook delay pass at the PSP and deliver everything then due."""
        self.advance_clock(BASELINE["webhook_delay_s"] + 1, step=True)
        self.flush()

    def pass_payout_arrival(self) -> None:
        """Let a day and an hour of PSP time pass, so payouts arrive (or fail), and deliver."""
        self.flush()
        self.advance_clock(ONE_DAY + 3600, step=True)
        self.flush()

    def _object(
        self, psp: str, kind: str, reference: str | None, ours: str
    ) -> dict[str, Any] | None:
        """The PSP object by its reference, else by the platform's id it carries."""
        provider = provider_named(psp)
        for obj in self.state()["objects"].get(provider.object_kinds[kind], []):
            refs = {obj.get("id"), obj.get("pspReference"), obj.get("psp_reference")} - {None}
            carried = provider.carried_ids(obj)
            if (reference and reference in refs) or (not reference and ours in carried):
                return dict(obj)
        return None

    def payment_status(self, psp: str, reference: str | None, deposit_id: str = "") -> str:
        """succeeded, failed, pending or missing: the PSP's view of a deposit's payment."""
        obj = self._object(psp, "payments", reference, deposit_id)
        if obj is None:
            return "missing"
        return provider_named(psp).outcome("payments", str(obj.get("status")))

    def payout_status(self, psp: str, reference: str | None, withdrawal_id: str = "") -> str:
        """paid, failed, pending or missing: the PSP's view of a withdrawal's payout."""
        obj = self._object(psp, "payouts", reference, withdrawal_id)
        if obj is None:
            return "missing"
        return provider_named(psp).outcome("payouts", str(obj.get("status")))

    def succeeded_payments(self, deposit_ids: set[str]) -> int:
        """How many payments for these deposits succeeded at the PSP (a double charge shows)."""
        objects = self.state()["objects"]
        return sum(
            1
            for provider in providers()
            for obj in objects.get(provider.object_kinds["payments"], [])
            if provider.outcome("payments", str(obj.get("status"))) == "succeeded"
            and deposit_ids & provider.carried_ids(obj)
        )

    def event_references(self) -> dict[str, str]:
        """event id → the PSP object it is about (PaymentIntent/payout id, Adyen pspReference)."""
        refs: dict[str, str] = {}
        for ev in self.state()["objects"].get("event", []):
            obj = (ev.get("data") or {}).get("object") or {}
            if "id" in obj:
                refs[str(ev["id"])] = str(obj["id"])
        return refs

    def attempts_for(self, reference: str) -> list[dict[str, Any]]:
        """Every delivery attempt of the events about ``reference``."""
        refs = self.event_references()
        return [
            a
            for d in self.deliveries()
            if refs.get(d["event_id"], d["event_id"].split(":", 1)[0]) == reference
            for a in d["attempts"]
        ]
