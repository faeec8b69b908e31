"""Wallets, deposits, holds, withdrawals, balances and conservation."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from golive.canary.amounts import parse_amount
from golive.canary.conservation import conservation_violations
from golive.canary.world import CanaryWorld
from golive.errors import ExpectationFailed
from golive.evidence import attach
from golive.properties.samekey import KeyedAnswer, at_once, verdict
from golive.psp.provider import pattern
from golive.target import Hold, Withdrawal

PSPS = pattern()  # every registered provider: adyen|braintree|stripe


def _money(world: CanaryWorld, text: str):  # type: ignore[no-untyped-def]
    return parse_amount(text, world.w.currency)


@given(parsers.parse("a new customer wallet in {currency}"))
def given_new_wallet(world: CanaryWorld, currency: str) -> None:
    world.new_wallet(currency)


@given(
    parsers.re(
        rf"a wallet funded with (?P<amount>[\d.]+) (?P<currency>[A-Z]{{3}}) through (?P<psp>{PSPS})"
    )
)
def given_funded_wallet(world: CanaryWorld, amount: str, currency: str, psp: str) -> None:
    """A new wallet in ``currency``, funded through ``psp`` (e.g. 80.00 EUR through stripe)."""
    world.fund(parse_amount(amount, currency), psp)


@when(
    parsers.re(rf"the customer deposits (?P<amount>[\d.]+(?: [A-Z]{{3}})?) through (?P<psp>{PSPS})")
)
def when_deposit(world: CanaryWorld, amount: str, psp: str) -> None:
    _went_through(world.deposit(_money(world, amount), psp).psp, psp, "deposit")


def _went_through(seen: str, asked: str, what: str) -> None:
    """A deposit or withdrawal that names its PSP goes through that PSP: the contract's
    MoneyMovementRequest.psp falls back to the settings' primary_psp only when omitted."""
    if seen != asked:
        raise ExpectationFailed(f"the {what} went through {seen!r}, not {asked!r} as asked")


@when("the payment provider confirms the deposit")
@when("the payment provider reports the outcome")
def when_psp_reports(world: CanaryWorld) -> None:
    world.settle_deposits()


@then(parsers.parse("the deposit is {status}"))
def then_deposit_status(world: CanaryWorld, status: str) -> None:
    world.expect_deposit_status(status)


@then(parsers.parse("every deposit is {status}"))
def then_every_deposit_status(world: CanaryWorld, status: str) -> None:
    world.expect_deposit_status(status, which="all")


@given(parsers.re(r"(?:a|another) hold of (?P<amount>[\d.]+) is placed$"))
@when(parsers.re(r"(?:a|another) hold of (?P<amount>[\d.]+) is placed$"))
def when_place_hold(world: CanaryWorld, amount: str) -> None:
    world.place_hold(_money(world, amount))


@when(parsers.re(r"a hold of (?P<amount>[\d.]+(?: [A-Z]{3})?) is attempted"))
def when_attempt_hold(world: CanaryWorld, amount: str) -> None:
    money = _money(world, amount)
    world.attempt(world.client.place_hold, world.w.account_id, money.amount_minor, money.currency)


@when(parsers.re(rf"a withdrawal of (?P<amount>[\d.]+) through (?P<psp>{PSPS}) is attempted"))
def when_attempt_withdrawal(world: CanaryWorld, amount: str, psp: str) -> None:
    world.attempt(world.withdraw, _money(world, amount), psp)


@given("the hold is burned in full")
@when("the hold is burned in full")
def when_burn_full(world: CanaryWorld) -> None:
    world.burn()
    _fee_is_exact(world)


@when(parsers.parse("the hold is burned for {amount}"))
def when_burn_partial(world: CanaryWorld, amount: str) -> None:
    world.burn(_money(world, amount))
    _fee_is_exact(world)


def _fee_is_exact(world: CanaryWorld) -> None:
    """[P-hold-5] From app version 2 a burn's fee is ``fee_bps`` basis points of the burned
    amount, rounded half up (a platform whose settings carry no fee_bps is not checked)."""
    fee_bps = world.client.settings().fee_bps
    if fee_bps is None or world.hold is None:
        return
    hold = world.client.get_hold(world.hold.id)
    want = (hold.burned_amount * fee_bps + 5_000) // 10_000
    if hold.fee_amount != want:
        raise ExpectationFailed(
            f"hold {hold.id}: a burn of {hold.burned_amount} at {fee_bps} bps reports fee "
            f"{hold.fee_amount}, the contract's fee is {want} (rounded half up)"
        )


@when("the hold is released")
def when_release(world: CanaryWorld) -> None:
    world.release()


@when("the first hold is burned again")
def when_burn_first_again(world: CanaryWorld) -> None:
    world.attempt(world.client.burn, world.holds[0].id)


@when("the first hold is released")
def when_release_first(world: CanaryWorld) -> None:
    world.attempt(world.client.release, world.holds[0].id)


def _scoped(world: CanaryWorld, key: str) -> str:
    """The scenario's idempotency key, made unique to its wallet: the same within the
    scenario, never one an earlier run used on a long-lived target (keys may be global)."""
    return f"{key}-{world.w.account_id}"


@when(
    parsers.re(r"a hold of (?P<amount>[\d.]+) is placed with idempotency key \"(?P<key>[^\"]+)\"")
)
def when_hold_with_key(world: CanaryWorld, amount: str, key: str) -> None:
    world.place_hold(_money(world, amount), key=_scoped(world, key))


@when(parsers.re(r"the same hold request is retried with idempotency key \"(?P<key>[^\"]+)\""))
def when_hold_retry(world: CanaryWorld, key: str) -> None:
    first = world._hold()
    world.attempt(
        world.client.place_hold, world.w.account_id, first.amount, first.currency,
        key=_scoped(world, key),
    )  # fmt: skip


@then("both answers name the same hold")
@then("both answers name the same withdrawal")
def then_same_resource(world: CanaryWorld) -> None:
    first: Hold | Withdrawal | None = (
        world.hold if world.hold is not None and not world.withdrawals else world.withdrawals[0]
    )
    retry = world.outcomes[-1]
    if retry.error is not None:
        raise ExpectationFailed(f"the retry was refused: {retry.error}")
    assert retry.result is not None
    assert first is not None
    if retry.result.id != first.id:
        raise ExpectationFailed(
            f"the retry with the same idempotency key created {retry.result.id} "
            f"instead of replaying {first.id}"
        )


@when(
    parsers.re(
        rf"the customer withdraws (?P<amount>[\d.]+(?: [A-Z]{{3}})?) through (?P<psp>{PSPS})"
    )
)
def when_withdraw(world: CanaryWorld, amount: str, psp: str) -> None:
    _went_through(world.withdraw(_money(world, amount), psp).psp, psp, "withdrawal")


@when(
    parsers.re(
        r"the customer withdraws (?P<amount>[\d.]+) with idempotency key \"(?P<key>[^\"]+)\""
    )
)
def when_withdraw_with_key(world: CanaryWorld, amount: str, key: str) -> None:
    money, key = _money(world, amount), _scoped(world, key)
    if world.withdrawals:
        world.attempt(world.withdraw, money, None, key=key)
    else:
        world.withdraw(money, None, key=key)


@when(
    parsers.re(r"the customer retries the same withdrawal with idempotency key \"(?P<key>[^\"]+)\"")
)
def when_withdraw_retry(world: CanaryWorld, key: str) -> None:
    first = world.withdrawals[0]
    world.attempt(
        world.client.withdraw, world.w.account_id, first.amount, first.currency, None,
        key=_scoped(world, key),
    )  # fmt: skip


@when("the payment provider pays the payout out")
@when("the payment provider reports the payout failed")
def when_payout_settles(world: CanaryWorld) -> None:
    world.settle_payouts()


@then(parsers.parse("the withdrawal is {status}"))
def then_withdrawal_status(world: CanaryWorld, status: str) -> None:
    world.expect_withdrawal_status(status.replace(" ", "_"))


@then(
    parsers.re(
        r"the wallet shows (?P<available>.+?) available, "
        r"(?P<held>.+?) held and (?P<pending>.+?) pending"
    )
)
def then_wallet_shows(world: CanaryWorld, available: str, held: str, pending: str) -> None:
    bal = world.expect_balance(
        _money(world, available), _money(world, held), _money(world, pending)
    )
    attach("balance", f"{bal}\n", "text")


@then(parsers.parse("it is refused {reason}"))
def then_refused(world: CanaryWorld, reason: str) -> None:
    last = world.outcomes[-1]
    if last.error is None:
        raise ExpectationFailed(
            f"the platform accepted what it should have refused ({reason}): {last.result}"
        )
    if not 400 <= last.error.status < 500:
        raise ExpectationFailed(f"refused with status {last.error.status}, expected a 4xx")


@then("money is conserved in the ledger and agrees with the payment provider")
def then_money_conserved(world: CanaryWorld) -> None:
    found = conservation_violations(world)
    if found:
        attach("conservation-violations", "\n".join(map(str, found)), "text")
        raise ExpectationFailed("money is not conserved:\n" + "\n".join(f"  {v}" for v in found))


@when(
    parsers.re(
        rf"the customer deposits (?P<amount>[\d.]+) through (?P<psp>{PSPS}), "
        r"retrying after a failure"
    )
)
def when_deposit_retrying(world: CanaryWorld, amount: str, psp: str) -> None:
    world.deposit_retrying(_money(world, amount), psp)


# -- one request sent several times at once with one idempotency key --------------------------
@when(
    parsers.re(
        r"a hold of (?P<amount>[\d.]+) is sent (?P<n>\d+) times at once "
        r"with idempotency key \"(?P<key>[^\"]+)\""
    ),
    target_fixture="burst",
)
def when_hold_sent_at_once(world: CanaryWorld, amount: str, n: str, key: str) -> list[KeyedAnswer]:
    money, acc = _money(world, amount), world.w.account_id
    answers = at_once(
        world.client,
        lambda c, k: c.place_hold(acc, money.amount_minor, money.currency, key=k),
        int(n),
        _scoped(world, key),
    )
    held = next((a.record for a in answers if isinstance(a.record, Hold)), None)
    if held is not None:  # the key promises one hold: the model keeps the first
        world.w.holds[held.id] = money.amount_minor
        world.hold = held
    return answers


@when(
    parsers.re(
        r"the customer withdraws (?P<amount>[\d.]+) (?P<n>\d+) times at once "
        r"with idempotency key \"(?P<key>[^\"]+)\""
    ),
    target_fixture="burst",
)
def when_withdrawal_sent_at_once(
    world: CanaryWorld, amount: str, n: str, key: str
) -> list[KeyedAnswer]:
    money, acc = _money(world, amount), world.w.account_id
    answers = at_once(
        world.client,
        lambda c, k: c.withdraw(acc, money.amount_minor, money.currency, None, key=k),
        int(n),
        _scoped(world, key),
    )
    paid = next((a.record for a in answers if isinstance(a.record, Withdrawal)), None)
    if paid is not None:  # the key promises one withdrawal: the model keeps the first
        world.w.withdrawals[paid.id] = money.amount_minor
        world.withdrawals.append(paid)
    return answers


@then(parsers.parse("the answers name one {thing} and the others were told it was in progress"))
def then_one_effect_at_once(burst: list[KeyedAnswer], thing: str) -> None:
    wrong = verdict(f"one {thing} sent {len(burst)} times at once with one key", burst)
    if wrong:
        attach("same-key-answers", wrong, "text")
        raise ExpectationFailed(wrong)
