"""HTTP clients of the PSP APIs the money loop uses, in the real Stripe, Adyen and Braintree
shapes (Braintree: refbank.psp.braintree).

Stripe: form-encoded ``POST /v1/payment_intents`` and ``POST /v1/payouts`` with a Bearer key.
Adyen: JSON ``POST /checkout/v71/payments`` and
``POST /pal/servlet/Payout/v68/storeDetailAndSubmitThirdParty`` with ``X-API-Key``.
Each call carries an Idempotency-Key derived from the deposit or withdrawal id, so a retry
never charges or pays twice. The outcome is confirmed later by a signed webhook.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from refbank.config import PspConfig
from refbank.psp import braintree

PSPS = ("stripe", "adyen", "braintree")
# Adyen test card (its documented unencrypted test values)
_ADYEN_CARD = {
    "type": "scheme",
    "encryptedCardNumber": "test_4111111111111111",
    "encryptedExpiryMonth": "test_03",
    "encryptedExpiryYear": "test_2030",
    "encryptedSecurityCode": "test_737",
}


class PspUnavailable(Exception):
    """The PSP did not answer, or answered with a server error.

    ``ambiguous`` is True when the request may have taken effect at the PSP (a time-out
    after sending, a 5xx): it is retried with the same idempotency key, so a lost answer
    comes back as the PSP's replay. What still fails after the retries is treated as
    not done (the deposit fails, the withdrawal is refunded).
    """

    def __init__(self, message: str, *, ambiguous: bool) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


RETRY_DELAYS = (0.1, 0.3)  # retries of an ambiguous call, with the same idempotency key


@dataclass(frozen=True)
class Submitted:
    """What the PSP said: its reference, and whether it already refused (``declined``)."""

    reference: str | None
    declined: bool = False
    detail: str = ""


class PspClient:
    def __init__(self, cfg: PspConfig) -> None:
        self.cfg = cfg
        self.http = httpx.Client(timeout=cfg.timeout_seconds)

    def close(self) -> None:
        self.http.close()

    def configured(self, psp: str) -> bool:
        bases = {
            "stripe": self.cfg.stripe_api_base,
            "adyen": self.cfg.adyen_api_base,
            "braintree": self.cfg.braintree_api_base,
        }
        return bool(bases.get(psp))

    # -- Stripe --------------------------------------------------------------------------
    def _stripe(self, path: str, form: dict[str, str], key: str) -> tuple[int, dict[str, Any]]:
        base = (self.cfg.stripe_api_base or "").rstrip("/")
        headers = {"Authorization": f"Bearer {self.cfg.stripe_api_key}", "Idempotency-Key": key}
        return self._send("POST", f"{base}{path}", headers=headers, data=form)

    # -- Adyen ---------------------------------------------------------------------------
    def _adyen(self, path: str, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
        base = (self.cfg.adyen_api_base or "").rstrip("/")
        headers = {"X-API-Key": self.cfg.adyen_api_key, "Idempotency-Key": key}
        return self._send("POST", f"{base}{path}", headers=headers, json=body)

    # -- Braintree -----------------------------------------------------------------------
    def _braintree(self, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
        cfg = self.cfg
        url = f"{(cfg.braintree_api_base or '').rstrip('/')}/merchants/{cfg.braintree_merchant_id}"
        auth = (cfg.braintree_public_key, cfg.braintree_private_key)
        headers = {"Idempotency-Key": key}
        return self._send("POST", f"{url}/transactions", headers=headers, json=body, auth=auth)

    def _braintree_result(self, status: int, body: dict[str, Any]) -> Submitted:
        """A transaction, or Braintree's error result (a decline carries the transaction)."""
        txn = body.get("transaction") or (body.get("api_error_response") or {}).get("transaction")
        txn = txn if isinstance(txn, dict) else {}
        failed = status >= 400 or txn.get("status") in ("processor_declined", "gateway_rejected")
        return Submitted(txn.get("id"), failed, str(txn.get("status") or status))

    def _send(self, method: str, url: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        """One PSP call; an ambiguous failure is retried (the idempotency key makes it safe)."""
        for delay in (*RETRY_DELAYS, None):
            try:
                return self._send_once(method, url, **kw)
            except PspUnavailable as exc:
                if not exc.ambiguous or delay is None:
                    raise
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _send_once(self, method: str, url: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        try:
            resp = self.http.request(method, url, **kw)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # nothing reached the PSP
            raise PspUnavailable(f"{method} {url}: {type(exc).__name__}", ambiguous=False) from None
        except httpx.HTTPError as exc:
            raise PspUnavailable(f"{method} {url}: {type(exc).__name__}", ambiguous=True) from None
        if resp.status_code >= 500:
            raise PspUnavailable(f"{method} {url} answered {resp.status_code}", ambiguous=True)
        if resp.status_code in (401, 403, 404, 429):
            raise PspUnavailable(f"{method} {url} answered {resp.status_code}", ambiguous=False)
        try:
            body = resp.json()
        except ValueError:
            raise PspUnavailable(f"{method} {url} answered non-JSON", ambiguous=True) from None
        return resp.status_code, body if isinstance(body, dict) else {}

    # -- the money loop ------------------------------------------------------------------
    def create_payment(self, psp: str, deposit_id: str, amount: int, currency: str) -> Submitted:
        """Charge the customer's card; the PSP confirms with a webhook."""
        if psp == "braintree":
            merchant = self.cfg.braintree_merchant_id
            sale = braintree.sale(deposit_id, amount, currency, merchant)
            return self._braintree_result(*self._braintree(sale, f"deposit-{deposit_id}"))
        if psp == "stripe":
            form = {
                "amount": str(amount),
                "currency": currency.lower(),
                "confirm": "true",
                "payment_method": "pm_card_visa",
                "metadata[deposit_id]": deposit_id,
            }
            status, body = self._stripe("/v1/payment_intents", form, f"deposit-{deposit_id}")
            if status >= 400:  # e.g. 402 card_declined carries the intent in the error
                err = body.get("error") or {}
                intent = err.get("payment_intent") or {}
                return Submitted(intent.get("id"), True, str(err.get("code") or status))
            declined = body.get("status") in ("requires_payment_method", "canceled")
            return Submitted(body.get("id"), declined, str(body.get("status")))
        req = {
            "amount": {"value": amount, "currency": currency},
            "reference": deposit_id,
            "merchantAccount": self.cfg.adyen_merchant_account,
            "paymentMethod": _ADYEN_CARD,
            "returnUrl": "http://127.0.0.1/return",
        }
        status, body = self._adyen("/checkout/v71/payments", req, f"deposit-{deposit_id}")
        result = str(body.get("resultCode") or status)
        declined = status >= 400 or result in ("Refused", "Error", "Cancelled")
        return Submitted(body.get("pspReference"), declined, result)

    def create_payout(
        self, psp: str, withdrawal_id: str, account_id: str, amount: int, currency: str
    ) -> Submitted:
        """Pay the customer out; the PSP confirms (paid or failed) with a webhook."""
        if psp == "braintree":
            merchant = self.cfg.braintree_merchant_id
            credit = braintree.credit(withdrawal_id, amount, currency, merchant)
            return self._braintree_result(*self._braintree(credit, f"withdrawal-{withdrawal_id}"))
        if psp == "stripe":
            form = {
                "amount": str(amount),
                "currency": currency.lower(),
                "method": "standard",
                "metadata[withdrawal_id]": withdrawal_id,
            }
            status, body = self._stripe("/v1/payouts", form, f"withdrawal-{withdrawal_id}")
            if status >= 400:
                err = body.get("error") or {}
                return Submitted(None, True, str(err.get("code") or status))
            return Submitted(
                body.get("id"), body.get("status") == "failed", str(body.get("status"))
            )
        req = {
            "amount": {"value": amount, "currency": currency},
            "merchantAccount": self.cfg.adyen_merchant_account,
            "reference": withdrawal_id,
            "shopperReference": account_id,
            "shopperEmail": f"{account_id}@customers.refbank.invalid",
            "recurring": {"contract": "PAYOUT"},
            "bank": {
                "iban": "NL13TEST0123456789",
                "ownerName": "Refbank Customer",
                "countryCode": "NL",
            },
            "dateOfBirth": "1990-01-01",
            "entityType": "NaturalPerson",
            "nationality": "NL",
        }
        path = "/pal/servlet/Payout/v68/storeDetailAndSubmitThirdParty"
        status, body = self._adyen(path, req, f"withdrawal-{withdrawal_id}")
        result = str(body.get("resultCode") or status)
        declined = status >= 400 or result != "[payout-submit-received]"
        return Submitted(body.get("pspReference"), declined, result)
