from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analystapp", "0005_author_name_sql")]
    operations = [migrations.DeleteModel("Shelf")]
