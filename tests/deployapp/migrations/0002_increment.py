"""Data only: applied twice, it would count 2."""

from django.db import migrations
from django.db.models import F

from tests.deployapp.pause import pause


def increment(apps, schema_editor):
    counters = apps.get_model("deployapp", "Counter").objects.using(schema_editor.connection.alias)
    counters.update(value=F("value") + 1)


class Migration(migrations.Migration):
    dependencies = [("deployapp", "0001_initial")]
    operations = [
        migrations.RunPython(increment, migrations.RunPython.noop),
        migrations.RunPython(pause, migrations.RunPython.noop),
    ]
