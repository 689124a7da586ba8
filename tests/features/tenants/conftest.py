"""The template database of the tenant project: public and three tenants, built once."""

import pytest

from tests.support.tenanting import build, database_name, empty_database


@pytest.fixture(autouse=True)
def _database_access(django_db_setup, django_db_blocker):
    """The tests read scratch databases on connections of their own, and create them."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def tenants_template(django_db_setup, django_db_blocker):
    """Built through django-tenants' own commands and API (tenanting.build)."""
    with django_db_blocker.unblock(), empty_database(database_name("tenants_tpl")) as template:
        build(template.url)
        yield template
