"""A data migration that changes the schema through its schema editor."""

from django.db import migrations, models


def remove_scratch(apps, schema_editor):
    Reading = apps.get_model("breakapp", "Reading")
    schema_editor.remove_field(Reading, Reading._meta.get_field("scratch"))


def add_scratch(apps, schema_editor):
    Reading = apps.get_model("breakapp", "Reading")
    field = models.IntegerField(default=0)
    field.set_attributes_from_name("scratch")
    schema_editor.add_field(Reading, field)


class Migration(migrations.Migration):
    dependencies = [("breakapp", "0006_do_block")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(remove_scratch, add_scratch)],
            state_operations=[migrations.RemoveField("reading", "scratch")],
        )
    ]
