"""Changes no column a view reads the way PostgreSQL cares about: no view may be dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("breakapp", "0001_initial")]
    operations = [
        migrations.AddField("reading", "extra", models.IntegerField(default=1)),
        migrations.AlterField(
            "reading", "name", models.CharField(max_length=50, help_text="shown to analysts")
        ),
        migrations.AddIndex("reading", models.Index(fields=["score"], name="reading_score_idx")),
        migrations.RenameField("reading", "name", "title"),
    ]
