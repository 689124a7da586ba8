"""CREATE INDEX CONCURRENTLY cannot run in a transaction: the migration is not atomic."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shopapp", "0007_relies_on_immediate")]
    operations = [
        AddIndexConcurrently(
            model_name="order", index=models.Index(fields=["note"], name="shop_order_note_idx")
        ),
    ]
