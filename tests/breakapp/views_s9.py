"""The views as deployed with the schema that migration 9 leaves."""

from tests.breakapp.definitions import define
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed

define(globals(), renamed=True, gone=("gone", "raw", "scratch"), labels=False)
