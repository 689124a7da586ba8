"""Views of 0003 after ItemTotals and ItemSnapshot were deleted from the code."""

from tests.migrationapp.views_v1 import ItemAmounts  # noqa: F401
from tests.testapp.postgres_views import *  # noqa: F403 - the test project's views stay managed
