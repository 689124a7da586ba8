"""Not atomic: CREATE INDEX CONCURRENTLY cannot run in a transaction."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("analystapp", "0006_delete_shelf")]
    operations = [
        AddIndexConcurrently("library", models.Index(fields=["city"], name="library_city_idx")),
    ]
