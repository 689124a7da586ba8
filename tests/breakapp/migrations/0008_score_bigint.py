"""Changes the type of a column views read: PostgreSQL refuses it while they do."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("breakapp", "0007_remove_scratch_in_python")]
    operations = [migrations.AlterField("reading", "score", models.BigIntegerField(default=0))]
