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

from golive.canary.psp_ops import PspOps
from golive.invariants import Violation
from golive.properties.model import PENDING
from golive.properties.session import Call, LedgerSession
from golive.target import Hold, NoAnswer, PlatformError

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


def _amount(amount: int | None) -> int:
    """The amount an operation that always sends one was given."""
    if amount is None:
        raise ValueError("this operation needs an amount")
    return amount


# -- accounts and deposits ---------------------------------------------------------------
def open_account(s: LedgerSession, currency: str) -> str:
    owner = f"property-{uuid.uuid4().hex[:12]}"
    ans = s.send(
        f"open a {currency} account",
        lambda _, key: s.client.create_account(owner, currency, key=key),
    )
    s.expect(f"open a {currency} account", True, ans)
    account_id = ans.got().id
    s.model.open(account_id, currency)
    return account_id


def deposit(s: LedgerSession, account: str, amount: int, psp: str, *, duplicates: int = 0) -> str:
    """Deposit through the PSP and let its webhook (sent 1 + ``duplicates`` times) arrive."""
    cur = s.model.account(account).currency
    what = f"deposit {amount} {cur} via {psp} into {account}"
    if duplicates:
        s.psp.set_faults(duplicate_webhooks=duplicates)
    try:
        ans = s.send(
            what, lambda a, key: s.client.deposit(account, _amount(a), cur, psp, key=key), amount
        )
        s.expect(what, True, ans)
        dep_id = ans.got().id
        s.model.deposit_created(dep_id, account, amount)
        let_webhooks_arrive(s.psp)
    finally:
        if duplicates:
            s.psp.clear_faults()
    status = s.client.get_deposit(dep_id).status
    if status != "succeeded":
        raise s.violation("deposits are credited", what, f"status is {status!r} after the webhook")
    s.model.deposit_settled(dep_id, succeeded=True)
    return dep_id


def declined_deposit(s: LedgerSession, account: str, psp: str) -> None:
    """A payment the PSP declines: the deposit may be refused or fail, never credited."""
    cur = s.model.account(account).currency
    what = f"deposit {DECLINED_DEPOSIT} {cur} that {psp} declines"
    ans = s.send(
        what,
        lambda a, key: s.client.deposit(account, _amount(a), cur, psp, key=key),
        DECLINED_DEPOSIT,
    )
    if not ans.ok:
        return
    dep_id = ans.got().id
    s.model.deposit_created(dep_id, account, DECLINED_DEPOSIT)
    let_webhooks_arrive(s.psp)
    status = s.client.get_deposit(dep_id).status
    if status != "failed":
        raise s.violation("declined deposits are not credited", what, f"status is {status!r}")
    s.model.deposit_settled(dep_id, succeeded=False)


# -- holds ---------------------------------------------------------------------------------
def place_hold(
    s: LedgerSession, account: str, amount: int, expires_in: int, currency: str | None = None
) -> str | None:
    cur = currency or s.model.account(account).currency
    what = f"hold {amount} {cur} on {account}"
    ans = s.send(
        what,
        lambda a, key: s.client.place_hold(
            account, _amount(a), cur, expires_in_seconds=expires_in, key=key
        ),
        amount,
    )
    if not s.expect(what, s.model.hold_allowed(account, amount, cur), ans):
        return None
    hold = ans.got()
    s.model.hold_placed(hold.id, account, amount, _when(hold.expires_at))
    check_hold(s, hold.id, hold)
    return hold.id


def burn(s: LedgerSession, hold_id: str, amount: int | None) -> None:
    what = f"burn {'all' if amount is None else amount} of hold {hold_id}"
    ans = s.send(what, lambda a, key: s.client.burn(hold_id, a, key=key), amount)
    if s.expect(what, s.model.burn_allowed(hold_id, amount), ans):
        s.model.burned(hold_id, amount)
        check_hold(s, hold_id, ans.got())


def release(s: LedgerSession, hold_id: str) -> None:
    what = f"release hold {hold_id}"
    ans = s.send(what, lambda _, key: s.client.release(hold_id, key=key))
    if s.expect(what, s.model.release_allowed(hold_id), ans):
        s.model.released(hold_id)
        check_hold(s, hold_id, ans.got())


def expire_at(s: LedgerSession, hold_id: str) -> None:
    """Let time reach the hold's expiry: every pending hold due by then must expire, no other."""
    now = s.model.holds[hold_id].expires_at
    what = f"expire holds due at {now.isoformat()}"
    ans = s.send(what, lambda _, key: s.client.expire_holds(now, key=key))
    s.expect(what, True, ans)
    due = s.model.due_to_expire(now)
    expired = set(ans.got()) & set(s.model.holds)
    if expired != due:
        raise s.violation(
            "holds expire when due",
            what,
            f"expired {sorted(expired)}, due were {sorted(due)}",
        )
    s.model.expire(now)


def _record(data: Hold) -> tuple[str, int, int, int | None]:
    return data.status, data.burned_amount, data.released_amount, data.fee_amount


def check_hold(s: LedgerSession, hold_id: str, data: Hold) -> None:
    """The platform's view of a hold is the model's: status, burned, released and fee amounts
    (the fee as the contract computes it, from the fee_bps in force when it was burned)."""
    seen, want = _record(data), s.model.hold_record(hold_id)
    if seen != want:
        raise s.violation(
            "holds resolve at most once" if seen[:3] != want[:3] else "burn fees are exact",
            f"hold {hold_id} of {s.model.holds[hold_id].amount}",
            f"status/burned/released/fee are {seen}, expected {want} (fee_bps {s.model.fee_bps})",
        )


def change_fee(s: LedgerSession, fee_bps: int) -> None:
    """Change the platform's burn fee through its settings; later burns must use it. A fee
    the platform's policy does not allow (refused as an invalid field) changes nothing, and
    the fee in force stays the one the model holds."""
    try:
        settings = s.client.update_settings(fee_bps=fee_bps)
    except PlatformError as exc:
        if exc.code == "invalid_field":
            return
        raise
    if settings.fee_bps != fee_bps:
        raise s.violation("settings apply", f"fee_bps {fee_bps}", f"now {settings.fee_bps}")
    s.model.fee_bps = fee_bps


# -- transfers and withdrawals ----------------------------------------------------------
def transfer(s: LedgerSession, src: str, dst: str, amount: int) -> None:
    cur = s.model.account(src).currency
    what = f"transfer {amount} {cur} from {src} to {dst}"
    ans = s.send(what, lambda a, key: s.client.transfer(src, dst, _amount(a), cur, key=key), amount)
    if s.expect(what, s.model.transfer_allowed(src, dst, amount, cur), ans):
        s.model.transferred(src, dst, amount)


def transfer_to_nowhere(s: LedgerSession, src: str, amount: int) -> None:
    """A transfer to an account that does not exist must be refused with nothing written."""
    cur, dst = s.model.account(src).currency, str(uuid.uuid4())
    what = f"transfer {amount} {cur} from {src} to the missing account {dst}"
    ans = s.send(what, lambda a, key: s.client.transfer(src, dst, _amount(a), cur, key=key), amount)
    s.expect(what, False, ans)


def withdraw(s: LedgerSession, account: str, amount: int, psp: str, *, fail: bool) -> None:
    """Withdraw; with ``fail`` the stub PSP is told to fail this payout when it arrives."""
    cur = s.model.account(account).currency
    what = f"withdraw {amount} {cur} via {psp} from {account}"
    if fail:
        s.psp.set_faults(fail_next_payouts=1)
    try:
        ans = s.send(
            what, lambda a, key: s.client.withdraw(account, _amount(a), cur, psp, key=key), amount
        )
    finally:
        if fail:
            s.psp.clear_faults()
    if s.expect(what, s.model.withdraw_allowed(account, amount, cur), ans):
        wd = ans.got()
        s.model.withdrawn(wd.id, account, amount, fails=fail)
        if wd.status != "in_transit":
            raise s.violation("withdrawals go in transit", what, f"status {wd.status!r}")


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
        status = s.client.get_withdrawal(wd.id).status
        want = "failed" if wd.fails else "paid"
        if status != want:
            raise s.violation(
                "payouts settle", f"withdrawal {wd.id}", f"{status!r}, expected {want!r}"
            )
        s.model.payout_settled(wd.id, paid=not wd.fails)


# -- idempotency -------------------------------------------------------------------------
def retry(s: LedgerSession, call: Call) -> None:
    """Send an accepted operation again with its idempotency key: the first answer, replayed
    (the same record). That nothing moved is checked next, like after every step: the model
    did not change."""
    what = f"retry of {call.what}"
    ans = s.send(what, call.operation, call.amount, key=call.key, record=False)
    if not ans.ok or ans.data != call.data:
        got = ans.data if ans.ok else f"a refusal: {ans.error}"
        raise s.violation(
            "idempotent retries change nothing",
            what,
            f"first answer {str(call.data)[:200]}; the retry got {str(got)[:200]}",
        )


def reuse_key(s: LedgerSession, call: Call) -> None:
    """The same key with a different amount must be refused (422) and change nothing."""
    amount = (call.amount or 0) + 1
    what = f"reuse of the key of {call.what} with amount {amount}"
    ans = s.send(what, call.operation, amount, key=call.key, record=False)
    if ans.status != 422 or ans.code != "idempotency_key_reused":
        answered = ans.error if not ans.ok else f"accepted: {str(ans.data)[:200]}"
        raise s.violation("idempotency keys are not reused", what, f"answered {answered}")


# -- the end of an example ----------------------------------------------------------------
def final_check(s: LedgerSession) -> None:
    """Every object the example made, as the platform records it, matches the model; and the
    money still in the system is what was credited less what was paid out."""
    found: list[Violation] = []
    m = s.model
    money: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for dep in m.deposits.values():
        seen = s.client.get_deposit(dep.id)
        if seen.status != dep.status:
            found.append(
                Violation("deposits", f"deposit {dep.id}", f"{seen.status!r} ≠ {dep.status!r}")
            )
        if seen.status == "succeeded":
            money[seen.currency]["credited"] += seen.amount
    for wd in m.withdrawals.values():
        seen_wd = s.client.get_withdrawal(wd.id)
        if seen_wd.status != wd.status:
            found.append(
                Violation("payouts", f"withdrawal {wd.id}", f"{seen_wd.status!r} ≠ {wd.status!r}")
            )
        if seen_wd.status in ("paid", "in_transit"):
            money[seen_wd.currency][seen_wd.status] += seen_wd.amount
    for hold in m.holds.values():
        seen_hold = s.client.get_hold(hold.id)
        state, want = _record(seen_hold), m.hold_record(hold.id)
        if state != want:
            found.append(
                Violation("holds resolve at most once", f"hold {hold.id}", f"{state} ≠ {want}")
            )
        money[seen_hold.currency]["burned"] += seen_hold.burned_amount
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
    """Release what the example left pending, so no later expiry run touches it, and put the
    platform's fee back (best effort)."""
    for hold in s.model.holds.values():
        if hold.status == PENDING:
            with contextlib.suppress(NoAnswer, PlatformError):
                s.client.release(hold.id)
    with contextlib.suppress(NoAnswer, PlatformError):
        s.probe.restore_fee()
