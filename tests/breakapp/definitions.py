"""60 views over breakapp_reading (a third of them through another view), a materialised view,
and two views over the tables of a model with a many-to-many field.

Each `views_sN` module defines them for the schema that migration N leaves: a view whose
column is gone reads `id` instead.
"""

from __future__ import annotations

from typing import Any

from django_orm_views_hook import PostgresMaterialisedViewMixin, PostgresViewFromSQL

#: Direct view i reads COLUMNS[i % 5]: 8 direct readers and 4 through another view each.
COLUMNS = ("name", "gone", "raw", "scratch", "score")
DIRECT, INDIRECT = 40, 20


def readers(column: str) -> set[str]:
    """The names of the views that read `column`, directly or through another view."""
    k = COLUMNS.index(column)
    direct = {f"brk_direct{i:02d}" for i in range(DIRECT) if i % 5 == k}
    return direct | {f"brk_indirect{j:02d}" for j in range(INDIRECT) if j % 5 == k}


def define(
    namespace: dict[str, Any], *, gone: tuple[str, ...] = (), renamed: bool = False, labels=True
) -> None:
    module = namespace["__name__"]

    def view(name: str, sql: str, *bases: type, **attributes: Any) -> type:
        attributes = {"prefix": "brk", "sql": sql, "__module__": module, **attributes}
        cls = type(name, (*bases, PostgresViewFromSQL), attributes)
        namespace[name] = cls
        return cls

    name = "title" if renamed else "name"
    direct = []
    for i in range(DIRECT):
        column = COLUMNS[i % 5]
        read = "id" if column in gone else name if column == "name" else column
        direct.append(view(f"Direct{i:02d}", f"SELECT id, {read} AS v FROM breakapp_reading"))
    for j in range(INDIRECT):
        sql = f'SELECT id, v FROM "views"."brk_direct{j:02d}"'
        view(f"Indirect{j:02d}", sql, view_dependencies=[direct[j]])
    snapshot = f"SELECT id, {name} AS name FROM breakapp_reading"
    view("Snapshot", snapshot, PostgresMaterialisedViewMixin, pk_field="id")
    if labels:
        view("LabelTexts", "SELECT id, text FROM breakapp_label")
        view("LabelLinks", "SELECT label_id, reading_id FROM breakapp_label_readings")
