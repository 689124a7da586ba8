"""Which tables a migration plan changes (whose views `migrate` drops), and when it gives up."""

from __future__ import annotations

from types import SimpleNamespace

from django.apps import apps
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

from django_orm_views_hook.impact import touched_tables


def plan(*operations, app_label="testapp"):
    migration = SimpleNamespace(app_label=app_label, operations=list(operations))
    return [(migration, False)]


def test_field_and_model_operations_name_their_tables():
    assert touched_tables(
        plan(
            migrations.AlterField("testmodel", "integer_col", models.BigIntegerField()),
            migrations.RemoveField("customer", "email"),
        ),
        apps,
    ) == {"testapp_testmodel", "testapp_customer"}
    assert touched_tables(plan(migrations.DeleteModel("Customer")), apps) == {"testapp_customer"}
    assert touched_tables(plan(migrations.RenameModel("Customer", "Client")), apps) == {
        "testapp_customer"
    }


def test_many_to_many_tables_come_with_their_model():
    assert touched_tables(plan(migrations.DeleteModel("User"), app_label="auth"), apps) == {
        "auth_user",
        "auth_user_groups",
        "auth_user_user_permissions",
    }


def test_indexes_constraints_and_data_migrations_touch_nothing():
    index = models.Index(fields=["city"], name="city_idx")
    operations = [
        migrations.AddIndex("customer", index),
        AddIndexConcurrently("customer", index),
        migrations.RunPython(migrations.RunPython.noop),
        migrations.AlterModelOptions("customer", {"ordering": ["city"]}),
    ]
    assert touched_tables(plan(*operations), apps) == set()


def test_separate_database_and_state_counts_its_database_side():
    operation = migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RemoveField("customer", "city")],
        state_operations=[migrations.DeleteModel("TestModel")],
    )
    assert touched_tables(plan(operation), apps) == {"testapp_customer"}


def test_a_model_created_in_the_plan_counts_by_its_table_name():
    create = migrations.CreateModel("Ledger", [("id", models.AutoField(primary_key=True))])
    alter = migrations.AddField("ledger", "note", models.TextField(default=""))
    assert touched_tables(plan(create, alter), apps) == {"testapp_ledger"}


def test_unknown_effects_give_up_so_every_view_is_dropped():
    assert touched_tables(plan(migrations.RunSQL("ALTER TABLE x DROP COLUMN y")), apps) is None
    unknown_model = migrations.RemoveField("nosuchmodel", "x")
    assert touched_tables(plan(unknown_model), apps) is None
