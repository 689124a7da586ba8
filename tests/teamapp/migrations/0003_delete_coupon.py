from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("teamapp", "0002_rename_order_purchase")]

    operations = [migrations.DeleteModel(name="Coupon")]
