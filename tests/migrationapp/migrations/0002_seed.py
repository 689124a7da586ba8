"""A data migration writing rows with foreign keys (deferred constraint checks)."""

from django.db import migrations


def seed(apps, schema_editor):
    Category = apps.get_model("migrationapp", "Category")
    Item = apps.get_model("migrationapp", "Item")
    db = schema_editor.connection.alias
    books = Category.objects.using(db).create(name="books")
    Item.objects.using(db).bulk_create(
        [Item(category=books, amount=n, note=f"item {n}", legacy="old") for n in range(1, 6)]
    )


def unseed(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("migrationapp", "Item").objects.using(db).all().delete()
    apps.get_model("migrationapp", "Category").objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("migrationapp", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
