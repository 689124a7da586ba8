"""A data fix in SQL: it breaks no view."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("breakapp", "0003_remove_gone")]
    operations = [
        migrations.RunSQL(
            "INSERT INTO breakapp_reading (title, raw, scratch, score, extra)"
            " VALUES ('added; by hand', 0, 0, 0, 1)",
            "DELETE FROM breakapp_reading WHERE title = 'added; by hand'",
        )
    ]
