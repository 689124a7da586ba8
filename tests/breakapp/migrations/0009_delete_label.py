"""Drops a model and its many-to-many table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("breakapp", "0008_score_bigint")]
    operations = [migrations.DeleteModel("Label")]
