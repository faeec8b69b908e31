"""Crediting a top-up is a post_save receiver: the ledger follows the top-up's state."""

from typing import Any

from django.db.models.signals import post_save

from wallet import faults
from wallet.ledger import cr, dr, house, post
from wallet.models import TopUp


def credit_topup(sender: type, instance: TopUp, update_fields: Any = None, **kw: Any) -> None:
    """The PSP confirmed the payment: clearing → the wallet's funds, in the same transaction."""
    if not update_fields or "state" not in update_fields or instance.state != "credited":
        return
    clearing = house("psp_clearing", instance.currency, instance.provider)
    post(
        f"topup {instance.id}",
        instance.currency,
        [dr(clearing, instance.amount), cr(instance.wallet.funds, instance.amount)],
    )


def connect() -> None:
    post_save.connect(credit_topup, sender=TopUp, dispatch_uid="wallet.credit_topup")
    if faults.on("signal-double-credit"):
        # FAULT signal-double-credit: a second registration of the receiver, wrapped (as a
        # decorator or a second import path makes it) and without dispatch_uid, so Django
        # does not see it is the same: every confirmed top-up is credited twice
        post_save.connect(lambda **kw: credit_topup(**kw), sender=TopUp, weak=False)
