"""Which tables a migration plan changes, so `migrate` drops only the views that read them.

Unknown operations (RunSQL, third-party ones) answer None: every managed view is dropped.
Guessing too little is still safe: PostgreSQL refuses to alter a column a view reads, which
fails the migrate atomically, and a view dropped by CASCADE is rebuilt by the sync after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps.registry import Apps
from django.db.backends.utils import truncate_name
from django.db.migrations import operations as ops

#: Operations that change no table a view could read (indexes, constraints, model state).
HARMLESS: tuple[type[ops.base.Operation], ...] = (
    ops.CreateModel,
    ops.AlterModelOptions,
    ops.AlterModelManagers,
    ops.AddIndex,
    ops.RemoveIndex,
    ops.RenameIndex,
    ops.AddConstraint,
    ops.RemoveConstraint,
    ops.AlterUniqueTogether,
    ops.RunPython,  # data only: rows change, columns do not
)
FIELD_OPERATIONS = (ops.AddField, ops.RemoveField, ops.AlterField, ops.RenameField)
MODEL_OPERATIONS = (
    ops.DeleteModel,
    ops.RenameModel,
    ops.AlterModelTable,
    ops.AlterModelTableComment,
    ops.AlterOrderWithRespectTo,
)

try:  # only with django.contrib.postgres's dependencies importable
    from django.contrib.postgres import operations as pg_ops

    HARMLESS += (pg_ops.AddIndexConcurrently, pg_ops.RemoveIndexConcurrently)
except ImportError:  # pragma: no cover
    pass


def touched_tables(
    plan: Iterable[tuple[Any, bool]], apps: Apps, max_name_length: int = 63
) -> set[str] | None:
    """Tables the migrations of `plan` alter, looked up in the state before it; None: unknown."""
    tables: set[str] = set()
    # Models this plan creates are not in the state before it; their tables may still exist
    # already (--fake-initial), so they count by the name Django gives them.
    created: dict[tuple[str, str], str] = {}
    for migration, _backwards in plan:
        for operation in _database_operations(migration.operations):
            if isinstance(operation, ops.CreateModel):
                default = truncate_name(
                    f"{migration.app_label}_{operation.name_lower}", max_name_length
                )
                table = operation.options.get("db_table") or default
                created[(migration.app_label, operation.name_lower)] = table
            if isinstance(operation, HARMLESS):
                continue
            if isinstance(operation, FIELD_OPERATIONS):
                model = operation.model_name_lower
            elif isinstance(operation, MODEL_OPERATIONS):
                model = getattr(operation, "old_name_lower", None) or operation.name_lower
            else:
                return None
            if (migration.app_label, model) in created:
                tables.add(created[(migration.app_label, model)])
                continue
            found = _tables(apps, migration.app_label, model)
            if found is None:
                return None
            tables |= found
    return tables


def _database_operations(operations: Iterable[Any]) -> Iterable[Any]:
    for operation in operations:
        if isinstance(operation, ops.SeparateDatabaseAndState):
            yield from _database_operations(operation.database_operations)
        else:
            yield operation


def _tables(apps: Apps, app_label: str, model_name: str) -> set[str] | None:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    tables = {model._meta.db_table}
    # Many-to-many tables change with the model's fields and name.
    tables |= {
        field.remote_field.through._meta.db_table
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    }
    return tables
