"""Refusals: what the sync will not drop, and grants it cannot make. All run before any DDL.

Each decision comes from the database's own record (ownership comments, the dependency
catalogue), not from the current code, which may have changed since the views were built.
"""

from __future__ import annotations

from collections.abc import Collection

from .. import conf
from ..definitions.naming import relation_label
from ..exceptions import GrantError, UnsafeSchemaError, ViewDefinitionError
from ..planning.plan import Key, Plan
from ..planning.state import Contents, ForeignDependent, Session
from ..sql import ddl, marks


def check_schemas(plan: Plan, session: Session) -> None:
    """Refuse schemas that other things resolve names in: the search_path, the user's own."""
    shared = [s for s in plan.schemas if s in session.search_path or s == session.user]
    if shared:
        raise UnsafeSchemaError(
            f'database "{plan.using}": refusing to manage schema(s) {", ".join(shared)}: they '
            f'are on the search_path of user "{session.user}" (or are its own schema), so they '
            "hold more than these views. Give the views a schema of their own (ORM_VIEWS_SCHEMA "
            "or the view's `schema`)."
        )


#: The first server version with `security_invoker` views (PostgreSQL 15).
SECURITY_INVOKER_VERSION = 150000


def check_server(plan: Plan, server_version: int) -> None:
    """Refuse what the server cannot build: security_invoker views before PostgreSQL 15."""
    if server_version >= SECURITY_INVOKER_VERSION:
        return
    for view in plan.views:
        if view.security_invoker:
            raise ViewDefinitionError(
                f"{view.label}: security_invoker needs PostgreSQL 15 or later; database "
                f'"{plan.using}" runs {server_version // 10000}. Remove security_invoker = True '
                "(the view then reads with its owner's privileges) or upgrade the server."
            )


def check_roles(plan: Plan, session: Session) -> None:
    missing = [role for role in plan.roles if role not in session.existing_roles]
    if missing:
        raise GrantError(
            f'database "{plan.using}": cannot grant SELECT on the views to role(s) '
            f"{', '.join(missing)}: no such role. Create it (CREATE ROLE ...) or remove it from "
            "ORM_VIEWS_GRANT_SELECT_TO / --grant-select-permissions-to-user."
        )


def check_contents(plan: Plan, contents: Contents, dropping: Collection[Key] = ()) -> None:
    """Refuse to touch schemas holding what this package did not create, or to drop views
    that objects outside them read.

    A view without our ownership comment is adopted only when the code defines a view of the
    same name (a project switching from django-orm-views has such views).
    """
    defined = {view.key for view in plan.views}
    foreign = [
        r.description
        for r in contents.relations
        if (r.is_view and not r.marked and (r.schema, r.name) not in defined)
        or (not r.is_view and r.kind not in ("i", "I"))
    ]
    foreign += [
        f"{kind} {relation_label(schema, name)}" for schema, kind, name in contents.other_objects
    ]
    if foreign:
        raise UnsafeSchemaError(
            f'database "{plan.using}": refusing to drop the managed views: the managed schema '
            f"holds {', '.join(foreign)}, which this package did not create. Move or drop it "
            "yourself, or give the views a schema of their own (ORM_VIEWS_SCHEMA)."
        )
    outside = [(s, n, read) for s, n, read in contents.outside_dependents if read.key in dropping]
    if outside and not conf.allow_cascade():
        readers = ", ".join(
            f"{relation_label(schema, name)} (reads {read.description})"
            for schema, name, read in outside
        )
        raise UnsafeSchemaError(
            f'database "{plan.using}": refusing to drop the managed views: objects outside the '
            f"managed schema depend on them: {readers}. Drop those first, make them managed "
            "views, or set ORM_VIEWS_ALLOW_CASCADE = True to drop them with the views."
        )
    check_foreign_dependents(plan, contents, dropping)


def check_foreign_dependents(plan: Plan, contents: Contents, dropping: Collection[Key]) -> None:
    """Refuse drops that would destroy anything but views and the indexes we made.

    A DROP takes a view's indexes, triggers, rules, statistics and column defaults with it; a
    CASCADE takes table columns of its row type, functions and policies that use it. Whatever
    ORM_VIEWS_ALLOW_CASCADE says, none of those is ours to destroy.
    """
    declared = {(view.key, name) for view in plan.views for name in ddl.declared_indexes(view)}

    def ours(dependent: ForeignDependent) -> bool:
        return bool(dependent.index) and (
            dependent.marked or any((key, dependent.index) in declared for key in dependent.via)
        )

    keys = set(dropping)
    destroyed = [d for d in contents.foreign_dependents if d.via & keys and not ours(d)]
    if destroyed:
        labels = {view.key: view.label for view in plan.views}
        found = "; ".join(
            f"{d.description} (goes with "
            + ", ".join(labels.get(key, relation_label(*key)) for key in sorted(d.via & keys))
            + ")"
            for d in destroyed
        )
        raise UnsafeSchemaError(
            f'database "{plan.using}": refusing to drop the managed views: that would destroy '
            f"objects this package did not create: {found}. Nothing was changed. Drop them "
            "yourself first and make them again afterwards, or declare an index in the code "
            "(Meta.indexes of a readable materialised view)."
        )


def check_abandoned_area(plan: Plan, area: str, comment: str | None, contents: Contents) -> None:
    """Refuse to drop a build area unless it holds only what a sync of ours built there."""
    foreign = [
        r.description
        for r in contents.relations
        if not r.marked or not (r.is_view or r.kind in ("i", "I"))
    ]
    foreign += [
        f"{kind} {relation_label(schema, name)}" for schema, kind, name in contents.other_objects
    ]
    foreign += [
        f"{relation_label(schema, name)} (reads {read.description})"
        for schema, name, read in contents.outside_dependents
    ]
    foreign += [d.description for d in contents.foreign_dependents if not (d.index and d.marked)]
    if foreign or not (comment or "").startswith(marks.BUILD_MARK):
        why = (
            f"holds {', '.join(foreign)}, which a sync did not leave there"
            if foreign
            else "was not created by this package"
        )
        raise UnsafeSchemaError(
            f'database "{plan.using}": schema "{area}" is where the sync builds the '
            f"replacements of changed views, but it {why}. Rename or drop it yourself; "
            "nothing was changed."
        )
