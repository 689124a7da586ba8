"""A deferrable constraint that is initially immediate."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shopapp", "0005_child_before_parent")]
    operations = [
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                fields=["code"],
                name="shop_customer_code_unique",
                deferrable=models.Deferrable.IMMEDIATE,
            ),
        ),
    ]
