"""A field added to each table the views read: ALTER TABLE holds each of them until the commit."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analystapp", "0001_initial")]
    operations = [
        migrations.AddField("author", "country", models.CharField(max_length=2, default="")),
        migrations.AddField("book", "subtitle", models.CharField(max_length=100, default="")),
        migrations.AddField("shelf", "note", models.CharField(max_length=100, default="")),
    ]
