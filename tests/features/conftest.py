"""Fixtures of the tests that migrate: the migration apps installed, unapplied afterwards."""

from tests.support.migrating import migrating_project  # noqa: F401 - a fixture
