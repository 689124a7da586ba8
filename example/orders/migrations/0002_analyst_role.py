"""The role the analysts connect with; ORM_VIEWS_GRANT_SELECT_TO grants it the views."""

from django.db import migrations

# Roles belong to the whole server, not to one database: create it only if it is missing, and
# leave it in place when migrating backwards (another database may still grant it something).
CREATE_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shop_analyst') THEN
        CREATE ROLE shop_analyst NOLOGIN;
    END IF;
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunSQL(CREATE_ROLE, reverse_sql=migrations.RunSQL.noop)]
