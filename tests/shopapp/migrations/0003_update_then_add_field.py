"""Updates rows (queuing foreign-key checks, the rows being new), then alters the same table."""

from django.db import migrations, models
from django.db.models import F


def raise_amounts(apps, schema_editor):
    orders = apps.get_model("shopapp", "Order").objects.using(schema_editor.connection.alias)
    orders.filter(amount__gt=15).update(amount=F("amount") + 1)


class Migration(migrations.Migration):
    dependencies = [("shopapp", "0002_bigint")]
    operations = [
        migrations.RunPython(raise_amounts, migrations.RunPython.noop),
        migrations.AddField(
            model_name="order", name="note", field=models.CharField(default="", max_length=100)
        ),
    ]
