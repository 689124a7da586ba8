"""Definition mistakes: an error (or a warning) from `manage.py check` naming the class, and
the sync refuses them before any DDL."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test.utils import override_settings

from django_orm_views_hook import sync_views
from django_orm_views_hook.exceptions import ViewDefinitionError
from tests.support.catalog import catalog, views_in_schema
from tests.support.migrating import capture, ddl_statements

MISTAKES = {
    "mistake_database": (
        'tests.testapp.mistake_database.MisspeltDatabase: database "defualt" is not in DATABASES'
    ),
    "mistake_name": "tests.testapp.mistake_name.NumberedName: `name` must be a string, not 123.",
    "mistake_pk_field": (
        "tests.testapp.mistake_pk_field.PlainWithPk: pk_field 'one' is set, but the view is not "
        "materialised"
    ),
    "mistake_sql_raises": (
        "tests.testapp.mistake_sql_raises.SqlRaises: reading `sql` raised KeyError('table')."
    ),
    "mistake_two_statements": (
        "tests.testapp.mistake_two_statements.TwoStatements: `sql` holds 2 statements; a view "
        "is one SELECT."
    ),
    "mistake_dependency": (
        "tests.testapp.mistake_dependency.CityNames: view_dependencies names 'Cities', which is "
        "not a registered view of this database; name a view class, or write it as "
        "\"app_label.ClassName\". Did you mean 'testapp.Cities'?"
    ),
}


def check_output(module: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with override_settings(ORM_VIEWS_MODULE_NAME=module):
        try:
            call_command("check", stdout=out, stderr=err)
        except SystemCheckError as exc:
            return str(exc)
    return out.getvalue() + err.getvalue()


@pytest.mark.parametrize("module", sorted(MISTAKES))
def test_check_names_the_class_of_each_mistake(module):
    output = check_output(module)
    assert "orm_views.E001" in output
    assert MISTAKES[module] in output
    assert "Traceback" not in output


def test_check_names_every_mistaken_class_at_once():
    output = check_output("two_mistakes")
    assert output.count("orm_views.E001") == 2
    assert MISTAKES["mistake_name"] in output and MISTAKES["mistake_pk_field"] in output


@pytest.mark.django_db  # refused before any SQL: nothing to roll back
@pytest.mark.parametrize("module", sorted(MISTAKES))
def test_the_sync_refuses_each_mistake_before_any_ddl(module):
    settings = override_settings(ORM_VIEWS_MODULE_NAME=module)
    with settings, capture() as queries, pytest.raises(ViewDefinitionError) as excinfo:
        sync_views(using="default")
    assert MISTAKES[module] in str(excinfo.value)
    assert ddl_statements(queries) == []


@pytest.mark.django_db(transaction=True)
def test_app_label_strings_in_view_dependencies_are_resolved():
    with override_settings(ORM_VIEWS_MODULE_NAME="string_dependencies"):
        assert "orm_views" not in check_output("string_dependencies")
        sync_views(using="default")
        assert catalog('SELECT city FROM "views"."citynames"') == [("Paris",)]
        sync_views(using="default", registry=None)
    with override_settings(ORM_VIEWS_MODULE_NAME="postgres_views"):
        sync_views(using="default")  # the test project's views back


@pytest.mark.django_db(transaction=True)
def test_names_differing_by_case_warn_and_index_names_never_collide():
    output = check_output("case_names")
    assert "orm_views.W003" in output
    assert 'views "views"."Orders" (tests.testapp.case_names.Orders) and "views"."orders"' in output
    with override_settings(ORM_VIEWS_MODULE_NAME="case_names"):
        sync_views(using="default")
        indexes = dict(
            catalog("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'views'")
        )
    try:
        assert {"mv", "mv_x_uniq", "Orders", "orders"} <= set(views_in_schema())
        assert indexes["mv"].startswith("mv_x_uniq_") and indexes["mv"] != "mv_x_uniq"
        long_index = indexes["é" * 31 + "e"]
        assert len(long_index.encode()) <= 63 and long_index != "é" * 31 + "e"
    finally:
        with override_settings(ORM_VIEWS_MODULE_NAME="postgres_views"):
            sync_views(using="default")


def test_a_lock_timeout_without_a_unit_is_refused_and_a_number_means_seconds():
    with override_settings(ORM_VIEWS_LOCK_TIMEOUT="5"):
        output = check_output("postgres_views")
    assert "orm_views.E110" in output and "ORM_VIEWS_LOCK_TIMEOUT" in output
    with override_settings(ORM_VIEWS_LOCK_TIMEOUT=5):
        from django_orm_views_hook import conf

        assert conf.lock_timeout() == "5s"
        assert "orm_views" not in check_output("postgres_views")
