"""CREATE INDEX CONCURRENTLY cannot run in a transaction: the migration is not atomic."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("migrationapp", "0004_remove_legacy_add_sku")]
    operations = [
        AddIndexConcurrently(
            model_name="item", index=models.Index(fields=["note"], name="item_note_idx")
        ),
    ]
