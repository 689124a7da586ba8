"""The test project with tests.migrationapp installed, for child processes that migrate it."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.migrationapp"]  # noqa: F405
