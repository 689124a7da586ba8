"""A type change of a column views read, on a table an earlier migration altered."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analystapp", "0002_add_fields")]
    operations = [migrations.AlterField("book", "pages", models.BigIntegerField())]
