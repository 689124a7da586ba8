from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analystapp", "0003_pages_bigint")]
    operations = [migrations.RemoveField("book", "isbn")]
