"""Moves a table to another schema, as a RunSQL of a project might."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("renameapp", "0003_rename_book")]
    operations = [
        migrations.RunSQL(
            "CREATE SCHEMA renameapp_archive;"
            " ALTER TABLE renameapp_shelf SET SCHEMA renameapp_archive",
            "ALTER TABLE renameapp_archive.renameapp_shelf SET SCHEMA public;"
            " DROP SCHEMA renameapp_archive",
        )
    ]
