"""Reads between managed views that `view_dependencies` does not declare, found once built.

Only declared dependencies order a sync: a view that reads another without naming it is built
whenever the plan's order happens to allow, and the sync must refuse the first later change of
the view it reads (it would build the reader beside the old one). So once a sync has built its
views, the catalogue's dependencies (`pg_depend`) of each view it built are compared with what
its class declares, directly or through the views it declares, and each undeclared read is
reported then, naming both classes, rather than at that later, unrelated change.

Reported, not added: the plan is made from the code before anything is built, and an edge found
in the catalogue describes SQL that may change again before the next sync, so adding it would
order the next sync by a definition that is no longer the code's; the fix is one line in the
reader's class, which the warning names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..database import dependencies
from ..definitions.naming import relation_label
from ..planning.plan import Key, Plan, ViewSpec


def warnings(cursor: Any, plan: Plan, built: Sequence[ViewSpec]) -> list[str]:
    """One message per (built view, plan view it reads without declaring it)."""
    if not built:
        return []
    views = {view.key: view for view in plan.views}
    declared = _declared(plan)
    built_keys = {view.key for view in built}
    found = []
    for edge in dependencies.edges(cursor, sorted(plan.schemas)):
        reader, read = (edge.view_schema, edge.view_name), (edge.read_schema, edge.read_name)
        if reader in built_keys and read in views and read not in declared[reader]:
            found.append(_message(views[reader], views[read]))
    return list(dict.fromkeys(found))


def _declared(plan: Plan) -> dict[Key, set[Key]]:
    """Each view's declared dependencies and theirs (the plan lists dependencies first)."""
    closure: dict[Key, set[Key]] = {}
    for view in plan.views:
        closure[view.key] = set(view.dependencies).union(
            *(closure.get(key, set()) for key in view.dependencies)
        )
    return closure


def _message(reader: ViewSpec, read: ViewSpec) -> str:
    return (
        f"{reader.label}: its SQL reads {relation_label(*read.key)} ({read.label}), but its "
        f"view_dependencies do not name that class. Add it: until then a sync orders the two by "
        f"chance, and refuses the next change of {read.label}."
    )
