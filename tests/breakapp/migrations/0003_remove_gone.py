from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("breakapp", "0002_harmless")]
    operations = [migrations.RemoveField("reading", "gone")]
