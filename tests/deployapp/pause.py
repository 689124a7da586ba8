"""A pause inside a migration, so that two deploys started together are sure to overlap.

The deploy that holds the lock waits (at most DEPLOY_MIGRATION_SECONDS) until the other one,
whose PGAPPNAME also starts with "deploy-", has connected, then a little longer, so that the
other one tries the lock (or, without it, reads its plan) while this migration is running.
"""

import os
import time

OTHER_DEPLOYS = (
    "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'deploy-%%' "
    "AND application_name <> current_setting('application_name')"
)


def pause(apps, schema_editor):
    deadline = time.monotonic() + float(os.environ.get("DEPLOY_MIGRATION_SECONDS", "0"))
    with schema_editor.connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one per transaction
            cursor.execute(OTHER_DEPLOYS)
            if cursor.fetchone()[0]:
                time.sleep(0.1)
                return
            time.sleep(0.02)
