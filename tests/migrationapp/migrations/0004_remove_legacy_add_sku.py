"""Drops a column the old views read (Django drops it with CASCADE) and adds one new views read."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("migrationapp", "0003_amount_bigint")]
    operations = [
        migrations.RemoveField(model_name="item", name="legacy"),
        migrations.AddField(
            model_name="item", name="sku", field=models.CharField(default="", max_length=20)
        ),
    ]
