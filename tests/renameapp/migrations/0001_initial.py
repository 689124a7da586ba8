from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Shelf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("label", models.CharField(max_length=20)),
            ],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("title", models.CharField(max_length=50)),
                (
                    "shelf",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, to="renameapp.shelf"
                    ),
                ),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO renameapp_shelf (id, label) VALUES (1, 'A');"
            " INSERT INTO renameapp_book (title, shelf_id) VALUES ('Emma', 1), ('Ulysses', 1)",
            migrations.RunSQL.noop,
        ),
    ]
