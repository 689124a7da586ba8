"""Table rewrites: every row of both tables is new in the transaction afterwards. The primary
key's sequence becomes bigint too."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shopapp", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="order", name="amount", field=models.BigIntegerField()),
        migrations.AlterField(
            model_name="customer", name="id", field=models.BigAutoField(primary_key=True)
        ),
    ]
