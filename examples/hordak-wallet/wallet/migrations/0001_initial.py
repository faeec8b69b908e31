"""Release 1: wallets on hordak accounts, top-ups, payouts, reservations, transfers, tasks."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def seed_config(apps, schema_editor):
    apps.get_model("wallet", "Config").objects.get_or_create(id=1)


def money():
    return models.DecimalField(max_digits=20, decimal_places=3)


class Migration(migrations.Migration):
    initial = True
    dependencies = [("hordak", "0054_check_debit_credit_positive")]  # noqa: RUF012 (Django migrations)

    operations = [  # noqa: RUF012
        migrations.CreateModel(
            name="Wallet",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ("owner_ref", models.CharField(max_length=200)),
                ("currency", models.CharField(max_length=3)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "funds",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="hordak.account",
                    ),
                ),
                (
                    "reserved",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="hordak.account",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="book",
                        serialize=False,
                        to="hordak.account",
                    ),
                ),
                ("kind", models.CharField(max_length=40)),
                ("currency", models.CharField(max_length=3)),
                ("provider", models.CharField(blank=True, max_length=20)),
                (
                    "wallet",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wallet.wallet",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="TopUp",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ("amount", money()),
                ("currency", models.CharField(max_length=3)),
                ("provider", models.CharField(max_length=20)),
                ("provider_ref", models.CharField(max_length=100, null=True)),
                ("state", models.CharField(default="awaiting_psp", max_length=20)),
                ("failure", models.CharField(max_length=200, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "wallet",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="topups",
                        to="wallet.wallet",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Payout",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ("amount", money()),
                ("currency", models.CharField(max_length=3)),
                ("provider", models.CharField(max_length=20)),
                ("provider_ref", models.CharField(max_length=100, null=True)),
                ("state", models.CharField(default="sent", max_length=20)),
                ("failure", models.CharField(max_length=200, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "wallet",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payouts",
                        to="wallet.wallet",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Reservation",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ("amount", money()),
                ("currency", models.CharField(max_length=3)),
                ("state", models.CharField(default="open", max_length=20)),
                ("captured", models.DecimalField(decimal_places=3, default=0, max_digits=20)),
                ("returned", models.DecimalField(decimal_places=3, default=0, max_digits=20)),
                ("lapses_at", models.DateTimeField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("closed_at", models.DateTimeField(null=True)),
                (
                    "wallet",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reservations",
                        to="wallet.wallet",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Move",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                ("txn_uuid", models.UUIDField()),
                ("amount", money()),
                ("currency", models.CharField(max_length=3)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wallet.wallet",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wallet.wallet",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Task",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=40)),
                ("ref", models.CharField(max_length=100)),
                ("state", models.CharField(default="open", max_length=20)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="Config",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("payouts_enabled", models.BooleanField(default=True)),
                ("default_provider", models.CharField(default="stripe", max_length=20)),
            ],
        ),
        migrations.CreateModel(
            name="Replay",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("fingerprint", models.CharField(max_length=64)),
                ("status", models.IntegerField(null=True)),
                ("body", models.JSONField(null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddIndex("task", models.Index(fields=["kind", "ref"], name="task_kind_ref")),
        migrations.RunPython(seed_config, migrations.RunPython.noop),
    ]
