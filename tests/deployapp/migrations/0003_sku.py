"""A schema change: applied twice, it would fail with "column already exists"."""

from django.db import migrations, models

from tests.deployapp.pause import pause


class Migration(migrations.Migration):
    dependencies = [("deployapp", "0002_increment")]
    operations = [
        migrations.AddField(
            model_name="counter", name="sku", field=models.CharField(default="", max_length=20)
        ),
        migrations.RunPython(pause, migrations.RunPython.noop),
    ]
