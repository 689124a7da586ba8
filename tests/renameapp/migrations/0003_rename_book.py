from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("renameapp", "0002_rename_title")]
    operations = [migrations.RenameModel("Book", "Volume")]
