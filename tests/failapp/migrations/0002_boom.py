"""Fails after 0001 succeeded in the same run."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("failapp", "0001_initial")]
    operations = [migrations.RunSQL("SELECT 1 / 0", migrations.RunSQL.noop)]
