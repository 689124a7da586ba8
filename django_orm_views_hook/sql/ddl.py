"""SQL text for a plan: pure functions, no connection.

Identifiers and literals are quoted through a `Quoting` the caller fills from the connection
(`ops.quote_name`) and the driver (literal inlining; database/dialect.py), so tests can pass a
fake. What the comments record (ownership, digests) is written by `marks.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby

from ..planning import diff
from ..planning.identifiers import pk_index_name
from ..planning.plan import Key, Plan, ViewSpec
from . import marks
from .statement import VIEW_QUERY, Quoting, Statement, as_script

#: View options (reloptions) a ViewSpec may turn on, by attribute name.
SECURITY_OPTIONS = ("security_barrier", "security_invoker")


def kind_keyword(materialized: bool) -> str:
    return "MATERIALIZED VIEW" if materialized else "VIEW"


def drop_views(
    q: Quoting, views: Sequence[tuple[str, str, bool]], *, cascade: bool = False
) -> list[Statement]:
    """DROP statements for (schema, name, materialized) triples, in the order given.

    The caller orders them dependents first: PostgreSQL takes the locks in list order, which is
    the order a reader of a dependent view takes them, so the two cannot deadlock.
    """
    statements = []
    suffix = " CASCADE" if cascade else ""
    for materialized, run in groupby(views, key=lambda view: view[2]):
        names = ", ".join(q.qualified(schema, name) for schema, name, _ in run)
        statements.append(Statement(f"DROP {kind_keyword(materialized)} {names}{suffix}"))
    return statements


def lock_view(q: Quoting, schema: str, name: str, owner: str, *, materialized: bool) -> Statement:
    """Take ACCESS EXCLUSIVE on one view, and change nothing: its owner, set to its owner.

    `LOCK TABLE` on a view also locks, in the same mode, every table the view reads, which
    would stop the readers of every other view over them; and it refuses materialised views.
    An owner that does not change is not written to the catalog.
    """
    target = f"{kind_keyword(materialized)} {q.qualified(schema, name)}"
    return Statement(f"ALTER {target} OWNER TO {q.name(owner)}")


def create_schema(q: Quoting, schema: str) -> list[Statement]:
    return [Statement(f"CREATE SCHEMA IF NOT EXISTS {q.name(schema)}")]


def index_name(view: ViewSpec) -> str:
    """The pk_field index's name, as the plan chose it (cut by bytes, never a view's name)."""
    return view.unique_index or pk_index_name(view.name, str(view.pk_field))


def declared_indexes(view: ViewSpec) -> list[str]:
    """The names of the indexes this package creates on `view`."""
    unique = [index_name(view)] if view.materialized and view.pk_field else []
    return [*unique, *view.index_names]


def create_view(
    q: Quoting, view: ViewSpec, digest: str | None = None, *, replace: bool = False
) -> list[Statement]:
    """CREATE [MATERIALIZED] VIEW, its ownership comment and, if any, its indexes.

    The comment records `digest`; it is written in the same (sub)transaction as the view, so
    the two catalog rows share an xmin until someone replaces the view by hand. `replace`
    (plain views) replaces an existing view of the same columns in place.
    """
    target = q.qualified(view.schema, view.name)
    keyword = kind_keyword(view.materialized)
    # In parentheses, on lines of their own: a trailing `-- comment` cannot swallow what
    # follows, and a second statement in `sql` is a syntax error instead of running.
    options = [name for name in SECURITY_OPTIONS if getattr(view, name)]
    with_options = f" WITH ({', '.join(options)})" if options else ""
    how = "OR REPLACE " if replace else ""
    create = f"CREATE {how}{keyword} {target}{with_options} AS (\n{view.query}\n)"
    if view.materialized and not view.with_data:
        create += " WITH NO DATA"
    statements = [Statement(create, view.label, VIEW_QUERY)]
    if view.materialized and view.pk_field:
        statements.append(
            Statement(
                f"CREATE UNIQUE INDEX {q.name(index_name(view))} ON {target} "
                f"({q.name(view.pk_field)})",
                view.label,
            )
        )
    statements.extend(Statement(sql, view.label) for sql in view.indexes)
    if digest is not None:
        comment = q.literal(marks.view_comment(view.comment, digest))
        statements.append(Statement(f"COMMENT ON {keyword} {target} IS {comment}", view.label))
        # Marked as ours, so that a sync may drop them with the view after the code drops them.
        mark = q.literal(marks.OWNER_MARK)
        statements.extend(
            Statement(f"COMMENT ON INDEX {q.qualified(view.schema, name)} IS {mark}", view.label)
            for name in declared_indexes(view)
        )
    return statements


def comment_columns(q: Quoting, view: ViewSpec) -> list[Statement]:
    """COMMENT ON COLUMN for a readable view's documented fields.

    Run after the sync has checked that the columns exist, so that a missing one is reported
    as such rather than as a failed COMMENT.
    """
    target = q.qualified(view.schema, view.name)
    return [
        Statement(f"COMMENT ON COLUMN {target}.{q.name(column)} IS {q.literal(text)}", view.label)
        for column, text in view.column_comments
    ]


def change_privilege(
    q: Quoting,
    *,
    grant: bool,
    privilege: str,
    schema: str,
    view: str | None,
    grantees: Sequence[str | None],
) -> Statement:
    """GRANT or REVOKE one privilege on a schema (`view` None) or a view; grantee None: PUBLIC.

    `privilege` is a keyword from the catalog (aclexplode), never user input.
    """
    if not privilege.replace(" ", "").isalpha():
        raise ValueError(f"not a privilege: {privilege!r}")
    on = f"SCHEMA {q.name(schema)}" if view is None else q.qualified(schema, view)
    names = ", ".join("PUBLIC" if role is None else q.name(role) for role in grantees)
    if grant:
        return Statement(f"GRANT {privilege} ON {on} TO {names}")
    return Statement(f"REVOKE {privilege} ON {on} FROM {names}")


def grant_select(q: Quoting, views: Sequence[ViewSpec], roles: Sequence[str]) -> list[Statement]:
    """SELECT on the non-hidden `views` for `roles`, in one statement."""
    visible = [view for view in views if not view.hidden]
    if not roles or not visible:
        return []
    names = ", ".join(q.qualified(view.schema, view.name) for view in visible)
    grantees = ", ".join(q.name(role) for role in roles)
    return [Statement(f"GRANT SELECT ON {names} TO {grantees}")]


def create_views(
    q: Quoting, plan: Plan, views: Sequence[ViewSpec], digests: dict[Key, str]
) -> list[Statement]:
    """Create `views` (in plan order, dependencies first) with their comments and grants."""
    statements = []
    for view in views:
        statements.extend(create_view(q, view, digests[view.key]))
    statements.extend(grant_select(q, views, plan.roles))
    return statements


def mark_schema(q: Quoting, schema: str, tenant: str | None = None) -> Statement:
    """Record the schema as managed (for `tenant`, or for all): the sync may drop it once no
    view uses it."""
    mark = q.literal(marks.schema_mark(tenant))
    return Statement(f"COMMENT ON SCHEMA {q.name(schema)} IS {mark}")


def set_search_path(q: Quoting, plan: Plan) -> list[Statement]:
    """Where the plan's unqualified names resolve, until the transaction ends (a tenant's
    copies: its schema, then the shared one); nothing for a plan that keeps the session's."""
    if not plan.search_path:
        return []
    return [Statement(f"SET LOCAL search_path TO {', '.join(map(q.name, plan.search_path))}")]


def drop_schema(q: Quoting, schema: str) -> Statement:
    # Never CASCADE: anything left in it that is not ours makes PostgreSQL refuse.
    return Statement(f"DROP SCHEMA {q.name(schema)}")


def drop_tenant_views_schema(q: Quoting, schema: str) -> Statement:
    """A deleted tenant's views schema: its views read that tenant's tables, which are gone."""
    return Statement(f"DROP SCHEMA IF EXISTS {q.name(schema)} CASCADE")


def refresh_view(q: Quoting, schema: str, name: str, *, concurrently: bool = False) -> Statement:
    how = " CONCURRENTLY" if concurrently else ""
    return Statement(f"REFRESH MATERIALIZED VIEW{how} {q.qualified(schema, name)}")


def beside_key(view: ViewSpec) -> Key:
    return (marks.build_schema(view.schema), view.name)


def create_build_schema(q: Quoting, schema: str) -> list[Statement]:
    area = q.name(marks.build_schema(schema))
    return [
        Statement(f"CREATE SCHEMA {area}"),
        Statement(f"COMMENT ON SCHEMA {area} IS {q.literal(marks.build_area_comment(schema))}"),
    ]


def drop_build_schema(q: Quoting, area: str) -> Statement:
    """A leftover build area, which the sync checked holds only what it built."""
    return Statement(f"DROP SCHEMA {q.name(area)} CASCADE")


def beside(q: Quoting, view: ViewSpec, area: str | None = None) -> ViewSpec | None:
    """`view` as built in `area` (default: its build area); None when a declared index cannot
    be pointed there."""
    area = area or marks.build_schema(view.schema)
    live = f" ON {q.qualified(view.schema, view.name)} "
    there = f" ON {q.qualified(area, view.name)} "
    if any(live not in sql for sql in view.indexes):
        return None
    indexes = tuple(sql.replace(live, there, 1) for sql in view.indexes)
    return replace(view, schema=area, indexes=indexes)


def move_views(q: Quoting, views: Sequence[ViewSpec], area: str | None = None) -> list[Statement]:
    """Move the views built beside (in `area`, default their build area) into their schema,
    with their indexes, data and grants."""
    return [
        Statement(
            f"ALTER {kind_keyword(view.materialized)} "
            f"{q.qualified(area or marks.build_schema(view.schema), view.name)} "
            f"SET SCHEMA {q.name(view.schema)}",
            view.label,
        )
        for view in views
    ]


def milliseconds(seconds: float) -> str:
    """A duration in seconds as PostgreSQL reads a lock_timeout: "100ms" (1ms at least)."""
    return f"{max(1, round(seconds * 1000))}ms"


def set_lock_timeout(q: Quoting, timeout: str | None, *, local: bool = True) -> Statement:
    """The one way the package sets lock_timeout: for the transaction (`local`) or the
    session; `timeout` is a duration PostgreSQL reads ("100ms", as `milliseconds` writes it,
    or a value it reported), None its default."""
    scope = "LOCAL " if local else ""
    if timeout is None:
        return Statement(f"SET {scope}lock_timeout TO DEFAULT")
    return Statement(f"SET {scope}lock_timeout = {q.literal(timeout)}")


def digests(plan: Plan, q: Quoting) -> dict[Key, str]:
    """{view key: digest} of the plan's views: of the SQL that builds each (and its upstream)."""
    # A tenant's copies record where their names resolve: another tenant's are not the same.
    path = set_search_path(q, plan)
    return diff.view_digests(
        plan, lambda view: as_script([*path, *create_view(q, view), *comment_columns(q, view)])
    )
