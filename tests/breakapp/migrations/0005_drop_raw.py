"""Drops a column in SQL, without CASCADE: PostgreSQL refuses it while a view reads it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("breakapp", "0004_insert")]
    operations = [
        migrations.RunSQL(
            "UPDATE breakapp_reading SET score = raw WHERE score = 0;"
            " ALTER TABLE breakapp_reading DROP COLUMN raw",
            "ALTER TABLE breakapp_reading ADD COLUMN raw integer NOT NULL DEFAULT 0",
            state_operations=[migrations.RemoveField("reading", "raw")],
        )
    ]
