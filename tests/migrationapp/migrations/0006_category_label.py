"""Alters a table no view reads: the views must be left alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("migrationapp", "0005_concurrent_index")]
    operations = [
        migrations.AddField(
            model_name="category", name="label", field=models.CharField(default="", max_length=20)
        ),
    ]
