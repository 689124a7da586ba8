"""Not atomic: the column change commits, then the migration fails."""

from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("nonatomicapp", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="reading", name="value", field=models.BigIntegerField()),
        migrations.RunSQL("SELECT 1 / 0", migrations.RunSQL.noop),
    ]
