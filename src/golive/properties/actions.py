"""The state machine's rules as plain functions: do it through the driver, then teach the model.

Each function sends one operation, insists the platform accepts it exactly when the model
says a correct platform must, and applies what was accepted to the model. The invariants
are checked after each step by ``LedgerSession.check`` and at the end by ``final_check``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

import httpx

from golive.canary.psp_ops import PspOps
from golive.invariants import Violation
from golive.properties.model import PENDING
from golive.properties.session import Call, LedgerSession

DECLINED_DEPOSIT = 100002  # the stub PSP declines a payment of this amount (docs/psp.md)
RETRY_WINDOW = 600.0  # PSP seconds a webhook's retries may take (Stripe: 60 s, then 300 s)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def let_webhooks_arrive(psp: PspOps, *, payouts: bool = False) -> None:
    """Let PSP time pass until the webhooks just sent are delivered, retries included.

    ``payouts``: first a day and an hour, so payouts arrive (paid or failed). At-least-once
    delivery is the PSP's side of the contract: if an attempt fails (a slow answer), its
    retry is due a minute later, so the clock moves on to it, within ``RETRY_WINDOW`` (far
    short of a payout's arrival, which must not happen by accident)."""
    if payouts:
        psp.pass_payout_arrival()
    else:
        psp.deliver_due()
    spent = 0.0
    while True:
        res = psp.flush()
        if not res.scheduled or res.next_attempt_at is None:
            return
        wait = max(1.0, res.next_attempt_at - psp.clock().now + 1)
        if spent + wait > RETRY_WINDOW:
            return
        psp.advance_clock(wait, step=True)
        spent += wait


# -- accounts and deposits ---------------------------------------------------------------
def open_account(s: LedgerSession, currency: str) -> str:
    body = {"owner_ref": f"property-{uuid.uuid4().hex[:12]}", "currency": currency}
    ans = s.send(f"open a {currency} account", "POST", "/accounts", body)
    s.expect(f"open a {currency} account", True, ans)
    account_id = str(ans.data["id"])
    s.model.open(account_id, currency)
    return account_id


def deposit(s: LedgerSession, account: str, amount: int, psp: str, *, duplicates: int = 0) -> str:
    """Deposit through the PSP and let its webhook (sent 1 + ``duplicates`` times) arrive."""
    cur = s.model.account(account).currency
    what = f"deposit {amount} {cur} via {psp} into {account}"
    body = {"account_id": account, "amount": amount, "currency": cur, "psp": psp}
    if duplicates:
        s.psp.set_faults(duplicate_webhooks=duplicates)
    try:
        ans = s.send(what, "POST", "/deposits", body)
        s.expect(what, True, ans)
        dep_id = str(ans.data["id"])
        s.model.deposit_created(dep_id, account, amount)
        let_webhooks_arrive(s.psp)
    finally:
        if duplicates:
            s.psp.clear_faults()
    status = s.client.get_deposit(dep_id)["status"]
    if status != "succeeded":
        raise s.violation("deposits are credited", what, f"status is {status!r} after the webhook")
    s.model.deposit_settled(dep_id, succeeded=True)
    return dep_id


def declined_deposit(s: LedgerSession, account: str, psp: str) -> None:
    """A payment the PSP declines: the deposit may be refused or fail, never credited."""
    cur = s.model.account(account).currency
    what = f"deposit {DECLINED_DEPOSIT} {cur} that {psp} declines"
    body = {"account_id": account, "amount": DECLINED_DEPOSIT, "currency": cur, "psp": psp}
    ans = s.send(what, "POST", "/deposits", body)
    if not ans.ok:
        return
    dep_id = str(ans.data["id"])
    s.model.deposit_created(dep_id, account, DECLINED_DEPOSIT)
    let_webhooks_arrive(s.psp)
    status = s.client.get_deposit(dep_id)["status"]
    if status != "failed":
        raise s.violation("declined deposits are not credited", what, f"status is {status!r}")
    s.model.deposit_settled(dep_id, succeeded=False)


# -- holds ---------------------------------------------------------------------------------
def place_hold(
    s: LedgerSession, account: str, amount: int, expires_in: int, currency: str | None = None
) -> str | None:
    cur = currency or s.model.account(account).currency
    what = f"hold {amount} {cur} on {account}"
    body = {
        "account_id": account,
        "amount": amount,
        "currency": cur,
        "expires_in_seconds": expires_in,
    }
    ans = s.send(what, "POST", "/holds", body)
    if not s.expect(what, s.model.hold_allowed(account, amount, cur), ans):
        return None
    hold_id = str(ans.data["id"])
    s.model.hold_placed(hold_id, account, amount, _when(str(ans.data["expires_at"])))
    check_hold(s, hold_id, ans.data)
    return hold_id


def burn(s: LedgerSession, hold_id: str, amount: int | None) -> None:
    what = f"burn {'all' if amount is None else amount} of hold {hold_id}"
    ans = s.send(
        what, "POST", f"/holds/{hold_id}/burn", {} if amount is None else {"amount": amount}
    )
    if s.expect(what, s.model.burn_allowed(hold_id, amount), ans):
        s.model.burned(hold_id, amount)
        check_hold(s, hold_id, ans.data)


def release(s: LedgerSession, hold_id: str) -> None:
    what = f"release hold {hold_id}"
    ans = s.send(what, "POST", f"/holds/{hold_id}/release", {})
    if s.expect(what, s.model.release_allowed(hold_id), ans):
        s.model.released(hold_id)
        check_hold(s, hold_id, ans.data)


def expire_at(s: LedgerSession, hold_id: str) -> None:
    """Let time reach the hold's expiry: every pending hold due by then must expire, no other."""
    now = s.model.holds[hold_id].expires_at
    what = f"expire holds due at {now.isoformat()}"
    ans = s.send(what, "POST", "/admin/holds/expire", {"now": now.isoformat()})
    s.expect(what, True, ans)
    due = s.model.due_to_expire(now)
    expired = {str(h) for h in ans.data["expired"]} & set(s.model.holds)
    if expired != due:
        raise s.violation(
            "holds expire when due",
            what,
            f"expired {sorted(expired)}, due were {sorted(due)}",
        )
    s.model.expire(now)


def check_hold(s: LedgerSession, hold_id: str, data: dict[str, Any]) -> None:
    """The platform's view of a hold is the model's (status, burned and released amounts)."""
    h = s.model.holds[hold_id]
    seen = (data.get("status"), data.get("burned_amount"), data.get("released_amount"))
    if seen != (h.status, h.burned, h.released):
        raise s.violation(
            "holds resolve at most once",
            f"hold {hold_id}",
            f"status/burned/released are {seen}, expected {(h.status, h.burned, h.released)}",
        )


# -- transfers and withdrawals ----------------------------------------------------------
def transfer(s: LedgerSession, src: str, dst: str, amount: int) -> None:
    cur = s.model.account(src).currency
    what = f"transfer {amount} {cur} from {src} to {dst}"
    body = {"from_account_id": src, "to_account_id": dst, "amount": amount, "currency": cur}
    ans = s.send(what, "POST", "/transfers", body)
    if s.expect(what, s.model.transfer_allowed(src, dst, amount, cur), ans):
        s.model.transferred(src, dst, amount)


def transfer_to_nowhere(s: LedgerSession, src: str, amount: int) -> None:
    """A transfer to an account that does not exist must be refused with nothing written."""
    cur, dst = s.model.account(src).currency, str(uuid.uuid4())
    what = f"transfer {amount} {cur} from {src} to the missing account {dst}"
    body = {"from_account_id": src, "to_account_id": dst, "amount": amount, "currency": cur}
    s.expect(what, False, s.send(what, "POST", "/transfers", body))


def withdraw(s: LedgerSession, account: str, amount: int, psp: str, *, fail: bool) -> None:
    """Withdraw; with ``fail`` the stub PSP is told to fail this payout when it arrives."""
    cur = s.model.account(account).currency
    what = f"withdraw {amount} {cur} via {psp} from {account}"
    body = {"account_id": account, "amount": amount, "currency": cur, "psp": psp}
    if fail:
        s.psp.set_faults(fail_next_payouts=1)
    try:
        ans = s.send(what, "POST", "/withdrawals", body)
    finally:
        if fail:
            s.psp.clear_faults()
    if s.expect(what, s.model.withdraw_allowed(account, amount, cur), ans):
        s.model.withdrawn(str(ans.data["id"]), account, amount, fails=fail)
        if ans.data.get("status") != "in_transit":
            raise s.violation(
                "withdrawals go in transit", what, f"status {ans.data.get('status')!r}"
            )


def settle_payouts(s: LedgerSession, *, duplicates: int = 0) -> None:
    """Let the payouts arrive (paid, or failed and refunded); webhooks maybe duplicated."""
    if duplicates:
        s.psp.set_faults(duplicate_webhooks=duplicates)
    try:
        let_webhooks_arrive(s.psp, payouts=True)
    finally:
        if duplicates:
            s.psp.clear_faults()
    for wd in list(s.model.withdrawals.values()):
        if wd.status != "in_transit":
            continue
        status = s.client.get_withdrawal(wd.id)["status"]
        want = "failed" if wd.fails else "paid"
        if status != want:
            raise s.violation(
                "payouts settle", f"withdrawal {wd.id}", f"{status!r}, expected {want!r}"
            )
        s.model.payout_settled(wd.id, paid=not wd.fails)


# -- idempotency -------------------------------------------------------------------------
def retry(s: LedgerSession, call: Call) -> None:
    """Send an accepted request again with its Idempotency-Key: the first answer, replayed.
    That nothing moved is checked next, like after every step: the model did not change."""
    what = f"retry of {call.what}"
    ans = s.send(what, call.method, call.path, call.body, key=call.key, record=False)
    if (ans.status, ans.data) != (call.status, call.data) or not ans.replayed:
        raise s.violation(
            "idempotent retries change nothing",
            what,
            f"first answer {call.status} {str(call.data)[:200]}; the retry got {ans.status} "
            f"{str(ans.data)[:200]} (replayed header: {ans.replayed})",
        )


def reuse_key(s: LedgerSession, call: Call) -> None:
    """The same key with a different body must be refused (422) and change nothing."""
    body = dict(call.body)
    body["amount"] = int(body.get("amount", 0)) + 1
    what = f"reuse of the key of {call.what} with amount {body['amount']}"
    ans = s.send(what, call.method, call.path, body, key=call.key, record=False)
    if ans.status != 422 or ans.code != "idempotency_key_reused":
        raise s.violation(
            "idempotency keys are not reused", what, f"answered {ans.status} {str(ans.data)[:200]}"
        )


# -- the end of an example ----------------------------------------------------------------
def final_check(s: LedgerSession) -> None:
    """Every object the example made, as the platform records it, matches the model; and the
    money still in the system is what was credited less what was paid out."""
    found: list[Violation] = []
    m = s.model
    money: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for dep in m.deposits.values():
        seen = s.client.get_deposit(dep.id)
        if seen["status"] != dep.status:
            found.append(
                Violation("deposits", f"deposit {dep.id}", f"{seen['status']!r} ≠ {dep.status!r}")
            )
        if seen["status"] == "succeeded":
            money[seen["currency"]]["credited"] += int(seen["amount"])
    for wd in m.withdrawals.values():
        seen = s.client.get_withdrawal(wd.id)
        if seen["status"] != wd.status:
            found.append(
                Violation("payouts", f"withdrawal {wd.id}", f"{seen['status']!r} ≠ {wd.status!r}")
            )
        if seen["status"] in ("paid", "in_transit"):
            money[seen["currency"]][seen["status"]] += int(seen["amount"])
    for hold in m.holds.values():
        seen = s.client.get_hold(hold.id)
        state = (seen["status"], seen["burned_amount"], seen["released_amount"])
        if state != (hold.status, hold.burned, hold.released):
            found.append(
                Violation(
                    "holds resolve at most once",
                    f"hold {hold.id}",
                    f"{state} ≠ {(hold.status, hold.burned, hold.released)}",
                )
            )
        money[seen["currency"]]["burned"] += int(seen["burned_amount"])
    for bal in s.balances().values():
        money[bal.currency]["inside"] += bal.available + bal.held
    for cur, f in money.items():
        left = f["credited"] - f["paid"]
        inside = f["inside"] + f["in_transit"] + f["burned"]
        if left != inside:
            found.append(
                Violation(
                    "money in the system",
                    cur,
                    f"deposits credited {f['credited']} − payouts paid {f['paid']} = {left}, but "
                    f"balances {f['inside']} + in transit {f['in_transit']} + burned {f['burned']} "
                    f"= {inside}",
                )
            )
    if found:
        raise s.violations(found)


def clean_up(s: LedgerSession) -> None:
    """Release what the example left pending, so no later expiry run touches it (best effort)."""
    for hold in s.model.holds.values():
        if hold.status == PENDING:
            with contextlib.suppress(httpx.HTTPError):
                s.client.request("POST", f"/holds/{hold.id}/release", {})
