"""Every cent of a scenario accounted for: in the ledger, in the wallet, and at the PSP."""

from __future__ import annotations

from golive.canary.world import CanaryWorld
from golive.invariants import (
    Violation,
    negative_available,
    unbalanced_transactions,
    wallet_mismatches,
)
from golive.money import Money
from golive.target import Entry, iter_entries


def conservation_violations(
    world: CanaryWorld, ledger: list[Entry] | None = None
) -> list[Violation]:
    """All the ways the scenario's money is not conserved (empty when it is). With ``ledger``
    (read once for many wallets), the caller checks that its transactions balance."""
    client, w = world.client, world.w
    entries = list(iter_entries(client)) if ledger is None else ledger
    bal = client.balance(w.account_id)
    found = unbalanced_transactions(entries) if ledger is None else []
    found += negative_available([bal])
    found += wallet_mismatches(entries, [bal])

    statuses = {d.id: client.get_deposit(d.id) for d in world.deposits}
    credited = sum(d.amount for d in statuses.values() if d.status == "succeeded")
    wds = {x.id: client.get_withdrawal(x.id) for x in world.withdrawals}
    out = sum(x.amount for x in wds.values() if x.status in ("in_transit", "paid"))
    burned = sum(client.get_hold(h.id).burned_amount for h in world.holds)
    accounted = bal.available + bal.held + out + burned
    if credited != accounted:

        def m(v: int) -> str:
            return str(Money(v, w.currency))

        found.append(Violation(
            "money conserved", f"wallet {w.account_id}",
            f"credited deposits {m(credited)} ≠ available {m(bal.available)} + held {m(bal.held)} "
            f"+ withdrawn {m(out)} + burned {m(burned)} = {m(accounted)}",
        ))  # fmt: skip

    for dep_id, dep in statuses.items():
        at_psp = world.psp.payment_status(dep.psp, dep.psp_reference, dep_id)
        if (at_psp == "succeeded") != (dep.status == "succeeded"):
            found.append(Violation(
                "agrees with the PSP", f"deposit {dep_id}",
                f"platform says {dep.status!r}, the PSP says the payment {at_psp!r}",
            ))  # fmt: skip
    for wd_id, wd in wds.items():
        at_psp = world.psp.payout_status(wd.psp, wd.psp_reference, wd_id)
        platform = {"in_transit": "pending", "paid": "paid", "failed": "failed"}.get(wd.status)
        if at_psp != platform:
            found.append(Violation(
                "agrees with the PSP", f"withdrawal {wd_id}",
                f"platform says {wd.status!r}, the PSP says the payout {at_psp!r}",
            ))  # fmt: skip
    return found
