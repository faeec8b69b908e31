"""The wallet's own records. Money lives in hordak's ledger; these say what it is for.

Release 2 adds the capture fee (Config.fee_bps, Reservation.fee_amount, migration 0002); a
release-1 process does not know those columns, so it runs on schema 1 and on schema 2.
"""

import uuid

from django.conf import settings
from django.db import models
from hordak.models import Account


class Wallet(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    owner_ref = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)
    funds = models.OneToOneField(Account, models.PROTECT, related_name="+")
    reserved = models.OneToOneField(Account, models.PROTECT, related_name="+")


class Book(models.Model):
    """A hordak account and what it is: a wallet's funds or reserved money, or a house book."""

    account = models.OneToOneField(Account, models.PROTECT, primary_key=True, related_name="book")
    kind = models.CharField(max_length=40)  # funds, reserved, psp_clearing, payouts, revenue, fees
    currency = models.CharField(max_length=3)
    wallet = models.ForeignKey(Wallet, models.PROTECT, null=True, related_name="+")
    provider = models.CharField(max_length=20, blank=True)


class TopUp(models.Model):
    """Money in: a card payment at the PSP, credited when its verified webhook says so."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    wallet = models.ForeignKey(Wallet, models.PROTECT, related_name="topups")
    amount = models.DecimalField(max_digits=20, decimal_places=3)
    currency = models.CharField(max_length=3)
    provider = models.CharField(max_length=20)
    provider_ref = models.CharField(max_length=100, null=True)
    state = models.CharField(max_length=20, default="awaiting_psp")  # credited, declined
    failure = models.CharField(max_length=200, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class Payout(models.Model):
    """Money out: debited at once, paid out at the PSP, refunded if the payout fails."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    wallet = models.ForeignKey(Wallet, models.PROTECT, related_name="payouts")
    amount = models.DecimalField(max_digits=20, decimal_places=3)
    currency = models.CharField(max_length=3)
    provider = models.CharField(max_length=20)
    provider_ref = models.CharField(max_length=100, null=True)
    state = models.CharField(max_length=20, default="sent")  # settled, returned
    failure = models.CharField(max_length=200, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class Reservation(models.Model):
    """A two-phase hold on top of hordak: open, then captured, voided or lapsed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    wallet = models.ForeignKey(Wallet, models.PROTECT, related_name="reservations")
    amount = models.DecimalField(max_digits=20, decimal_places=3)
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=20, default="open")  # captured, voided, lapsed
    captured = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    returned = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    lapses_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True)
    if settings.WALLET_RELEASE >= 2:
        fee_amount = models.DecimalField(max_digits=20, decimal_places=3, null=True)


class Move(models.Model):
    """A wallet-to-wallet transfer and the hordak transaction that made it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    txn_uuid = models.UUIDField()
    source = models.ForeignKey(Wallet, models.PROTECT, related_name="+")
    target = models.ForeignKey(Wallet, models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=20, decimal_places=3)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)


class Task(models.Model):
    """A finance task waiting on the PSP: a top-up to confirm or a payout to settle."""

    kind = models.CharField(max_length=40)  # topup_confirmation, payout
    ref = models.CharField(max_length=100)
    state = models.CharField(max_length=20, default="open")  # done
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class Config(models.Model):
    """The one row of operator switches."""

    payouts_enabled = models.BooleanField(default=True)
    default_provider = models.CharField(max_length=20, default="stripe")
    if settings.WALLET_RELEASE >= 2:
        fee_bps = models.IntegerField(default=0)


class Replay(models.Model):
    """The first answer to an Idempotency-Key, replayed for the same request."""

    key = models.CharField(max_length=200, primary_key=True)
    fingerprint = models.CharField(max_length=64)
    status = models.IntegerField(null=True)  # None while the first request is in progress
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
