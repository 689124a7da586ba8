"""Not atomic (CREATE INDEX CONCURRENTLY): the run holds its lock across several transactions."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("deployapp", "0003_sku")]
    operations = [
        AddIndexConcurrently(
            model_name="counter", index=models.Index(fields=["value"], name="counter_value_idx")
        ),
    ]
