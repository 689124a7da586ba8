import pytest

from tests.support.catalog import views_in_schema


@pytest.mark.django_db
def test_test_database_has_the_views():
    assert views_in_schema()["test_simpleviewfromsql"] == "v"
