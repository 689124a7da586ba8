"""What a DO block does cannot be told from its text: every managed view is dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("breakapp", "0005_drop_raw")]
    operations = [
        migrations.RunSQL("DO $$ BEGIN PERFORM 1; END $$", migrations.RunSQL.noop),
    ]
