from django.db import migrations, models


def one_knob(apps, schema_editor):
    apps.get_model("freshapp", "Knob").objects.using(schema_editor.connection.alias).create()


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Reading",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("value", models.IntegerField(default=1)),
                ("divisor", models.IntegerField(default=1)),
            ],
        ),
        migrations.CreateModel(
            name="Knob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("delay", models.FloatField(default=0)),
                ("big_rows", models.IntegerField(default=1000)),
            ],
        ),
        migrations.RunPython(one_knob, migrations.RunPython.noop),
    ]
