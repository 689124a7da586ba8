import django.db.models.deletion
from django.db import migrations, models

ROWS = """
INSERT INTO analystapp_author (name) SELECT 'author ' || i FROM generate_series(1, 20) i;
INSERT INTO analystapp_book (author_id, title, pages, isbn)
    SELECT 1 + i % 20, 'book ' || i, 100 + i, 'isbn-' || i FROM generate_series(1, 200) i;
INSERT INTO analystapp_shelf (label) SELECT 'shelf ' || i FROM generate_series(1, 10) i;
INSERT INTO analystapp_library (city) SELECT 'city ' || i FROM generate_series(1, 10) i;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Author",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
            ],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=100)),
                ("pages", models.IntegerField()),
                ("isbn", models.CharField(max_length=20)),
                (
                    "author",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="analystapp.author"),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Shelf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=50)),
            ],
        ),
        migrations.CreateModel(
            name="Library",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("city", models.CharField(max_length=50)),
            ],
        ),
        migrations.RunSQL(ROWS, migrations.RunSQL.noop),
    ]
