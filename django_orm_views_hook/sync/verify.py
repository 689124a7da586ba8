"""Checks a sync makes on what it has built, before it commits: they roll it back.

A view built before the drops must not read one they drop (only an undeclared dependency does
that); a readable view's model must not name columns its view lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..database import catalog, dependencies
from ..definitions.naming import relation_label
from ..exceptions import ViewDefinitionError
from ..planning.columns import mismatch
from ..planning.plan import ViewSpec
from .steps import Steps


def early_readers(cursor: Any, steps: Steps) -> None:
    """Refuse a view built before the drops that reads a view they drop (the old one).

    Only an undeclared dependency does that: `view_dependencies` makes a reader wait for what
    it reads. Raised before any exclusive lock is taken; the transaction is rolled back.
    """
    if not steps.stages.early or not steps.dropped:
        return
    labels = {view.key: view.label for view in steps.stages.early}
    schemas = {schema for schema, _ in labels}
    for edge in dependencies.edges(cursor, sorted(schemas)):
        view = (edge.view_schema, edge.view_name)
        if view in labels and edge.read_oid in steps.dropped:
            raise ViewDefinitionError(
                f"{labels[view]}: its SQL reads {relation_label(edge.read_schema, edge.read_name)}"
                ", which this sync rebuilds too, but its view_dependencies do not name that "
                "view's class; add it, so that it is built after what it reads."
            )


def columns(cursor: Any, built: Sequence[ViewSpec]) -> None:
    """Fail the sync when readable views' models name columns their views do not have.

    Every such view is named at once, one line each.
    """
    checked = [view for view in built if view.required_columns]
    if not checked:
        return
    found = catalog.columns(cursor, [view.key for view in checked])
    problems = [
        f"{view.label}: the model's fields and the view's columns disagree. {differs} Fix the "
        "fields or the view's query."
        for view in checked
        if (differs := mismatch(view, found.get(view.key, []))) is not None
    ]
    if problems:
        raise ViewDefinitionError("\n".join(problems))
