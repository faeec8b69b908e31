"""Release 2: a capture fee. Reversible: ``manage.py migrate wallet 0001`` is the rollback.

The new columns have database defaults, so a release-1 process keeps working on schema 2
(expand first, switch the app, then contract).
"""

import os

from django.db import migrations, models


def forget_release2_rows(apps, schema_editor):
    """Going back to schema 1 drops the fee columns; the rows themselves stay."""
    if "lossy-downgrade" in os.environ.get("HORDAK_WALLET_FAULTS", ""):
        # FAULT lossy-downgrade: "schema 1 cannot represent a quoted fee", so the reverse
        # deletes the reservations that carry one: open holds placed on release 2 vanish
        apps.get_model("wallet", "Reservation").objects.exclude(fee_amount=None).delete()


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial")]  # noqa: RUF012 (Django migrations)

    operations = [  # noqa: RUF012
        migrations.AddField("config", "fee_bps", models.IntegerField(default=0, db_default=0)),
        migrations.AddField(
            "reservation",
            "fee_amount",
            models.DecimalField(decimal_places=3, max_digits=20, null=True),
        ),
        # last, so that its reverse runs first, while the fee columns still exist
        migrations.RunPython(migrations.RunPython.noop, forget_release2_rows),
    ]
