"""Relies on the foreign key being deferred again: an order before its customer. Then the
sequence is moved past an explicit id, and a new customer takes the next value."""

from django.core.management.color import no_style
from django.db import migrations


def load(apps, schema_editor):
    db = schema_editor.connection
    Customer = apps.get_model("shopapp", "Customer")
    Order = apps.get_model("shopapp", "Order")
    Order.objects.using(db.alias).create(customer_id=1000, amount=7, note="early")
    Customer.objects.using(db.alias).create(id=1000, name="late", code="c1000")
    with db.cursor() as cursor:
        for sql in db.ops.sequence_reset_sql(no_style(), [Customer]):
            cursor.execute(sql)
    Customer.objects.using(db.alias).create(name="next", code="c1001")


class Migration(migrations.Migration):
    dependencies = [("shopapp", "0004_constraints_immediate")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
