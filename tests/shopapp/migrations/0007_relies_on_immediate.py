"""Relies on that constraint being checked immediately, as in a transaction of its own."""

from django.db import IntegrityError, migrations, transaction


def try_duplicate(apps, schema_editor):
    db = schema_editor.connection.alias
    customers = apps.get_model("shopapp", "Customer").objects.using(db)
    try:
        with transaction.atomic(using=db):
            customers.create(name="duplicate", code="c1")
    except IntegrityError:
        customers.filter(code="c1").update(name="duplicate refused")


class Migration(migrations.Migration):
    dependencies = [("shopapp", "0006_unique_code")]
    operations = [migrations.RunPython(try_duplicate, migrations.RunPython.noop)]
