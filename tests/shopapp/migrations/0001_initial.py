import django.db.models.deletion
from django.db import migrations, models


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    Customer = apps.get_model("shopapp", "Customer")
    Order = apps.get_model("shopapp", "Order")
    for n in range(1, 4):
        customer = Customer.objects.using(db).create(name=f"customer {n}", code=f"c{n}")
        Order.objects.using(db).create(customer=customer, amount=10 * n)
        Order.objects.using(db).create(customer=customer, amount=10 * n + 1)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Customer",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=50)),
                ("code", models.CharField(max_length=20)),
            ],
        ),
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("amount", models.IntegerField()),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="shopapp.customer"
                    ),
                ),
            ],
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
