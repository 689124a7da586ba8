"""Fixtures of the integration tests."""

from tests.integration.migrating import migrating_project  # noqa: F401 - a fixture
