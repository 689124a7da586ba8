"""A column views read retyped by hand-written SQL."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analystapp", "0004_remove_isbn")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE analystapp_author ALTER COLUMN name TYPE varchar(200)",
            "ALTER TABLE analystapp_author ALTER COLUMN name TYPE varchar(100)",
            state_operations=[migrations.AlterField("author", "name", models.CharField(max_length=200))],
        )
    ]
