"""A common idiom: checks made immediate for the rest of this migration's transaction only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shopapp", "0003_update_then_add_field")]
    operations = [
        migrations.RunSQL("SET CONSTRAINTS ALL IMMEDIATE", migrations.RunSQL.noop),
        migrations.RunSQL("UPDATE shopapp_order SET note = 'checked'", migrations.RunSQL.noop),
    ]
