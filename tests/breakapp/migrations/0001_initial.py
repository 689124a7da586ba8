from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Reading",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=50)),
                ("gone", models.IntegerField(default=0)),
                ("raw", models.IntegerField(default=0)),
                ("scratch", models.IntegerField(default=0)),
                ("score", models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="Label",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("text", models.CharField(max_length=20)),
                ("readings", models.ManyToManyField(to="breakapp.reading")),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO breakapp_reading (name, gone, raw, scratch, score)"
            " SELECT 'r' || n, n, n, n, n FROM generate_series(1, 2000) AS n",
            migrations.RunSQL.noop,
        ),
    ]
