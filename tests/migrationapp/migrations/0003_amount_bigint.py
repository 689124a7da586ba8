"""Changes the type of a column the views read: PostgreSQL refuses it while a view reads it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("migrationapp", "0002_seed")]
    operations = [
        migrations.AlterField(model_name="item", name="amount", field=models.BigIntegerField()),
    ]
