from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("teamapp", "0001_initial")]

    operations = [migrations.RenameModel(old_name="Order", new_name="Purchase")]
