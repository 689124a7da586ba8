"""SQL text for a plan: pure functions, no connection.

Identifiers and literals are quoted through a `Quoting` the executor fills from the
connection (`ops.quote_name`) and the driver (literal inlining), so tests can pass a fake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from django.db.backends.utils import truncate_name

from .plan import MAX_IDENTIFIER_BYTES, Plan, ViewSpec

#: Every object this package creates carries this at the start of its comment; the sync
#: trusts the database's own record, not the current code, to know what it may drop.
OWNER_MARK = "Managed by django_orm_views_hook."
STATE_PREFIX = OWNER_MARK + " state="


@dataclass(frozen=True)
class Quoting:
    name: Callable[[str], str]
    literal: Callable[[str], str]

    def qualified(self, schema: str, name: str) -> str:
        return f"{self.name(schema)}.{self.name(name)}"


@dataclass(frozen=True)
class Statement:
    """One SQL statement, and the view class it belongs to (for error messages), if any."""

    sql: str
    owner: str | None = None


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


def revoke_usage(q: Quoting, schema: str, roles: Sequence[str]) -> list[Statement]:
    """Take USAGE back from roles no longer granted (their SELECTs went with the old views)."""
    if not roles:
        return []
    names = ", ".join(q.name(role) for role in roles)
    return [Statement(f"REVOKE USAGE ON SCHEMA {q.name(schema)} FROM {names}")]


def create_schema(q: Quoting, schema: str) -> list[Statement]:
    return [Statement(f"CREATE SCHEMA IF NOT EXISTS {q.name(schema)}")]


def index_name(view: ViewSpec) -> str:
    return truncate_name(f"{view.name}_{view.pk_field}_uniq", MAX_IDENTIFIER_BYTES)


def create_view(q: Quoting, view: ViewSpec) -> list[Statement]:
    """CREATE [MATERIALIZED] VIEW, its ownership comment and, if any, its unique index."""
    target = q.qualified(view.schema, view.name)
    keyword = kind_keyword(view.materialized)
    create = f"CREATE {keyword} {target} AS\n{view.query}"
    if view.materialized and not view.with_data:
        create += "\nWITH NO DATA"
    statements = [
        Statement(create, view.label),
        Statement(f"COMMENT ON {keyword} {target} IS {q.literal(OWNER_MARK)}", view.label),
    ]
    if view.materialized and view.pk_field:
        statements.append(
            Statement(
                f"CREATE UNIQUE INDEX {q.name(index_name(view))} ON {target} "
                f"({q.name(view.pk_field)})",
                view.label,
            )
        )
    return statements


def grant_select(q: Quoting, plan: Plan) -> list[Statement]:
    """USAGE on each schema and SELECT on every non-hidden view, for the plan's roles."""
    if not plan.roles:
        return []
    roles = ", ".join(q.name(role) for role in plan.roles)
    statements = []
    for schema in plan.schemas:
        statements.append(Statement(f"GRANT USAGE ON SCHEMA {q.name(schema)} TO {roles}"))
        visible = [v for v in plan.views if v.schema == schema and not v.hidden]
        if visible:
            names = ", ".join(q.qualified(v.schema, v.name) for v in visible)
            statements.append(Statement(f"GRANT SELECT ON {names} TO {roles}"))
    return statements


def create_plan(q: Quoting, plan: Plan) -> list[Statement]:
    """Everything that builds the plan's views on a database that has none of them."""
    statements = [s for schema in plan.schemas for s in create_schema(q, schema)]
    for view in plan.views:
        statements.extend(create_view(q, view))
    statements.extend(grant_select(q, plan))
    return statements


def mark_schema(q: Quoting, schema: str, state: str | None) -> Statement:
    """Record the schema as managed, with the state digest of its views when known."""
    comment = OWNER_MARK if state is None else STATE_PREFIX + state
    return Statement(f"COMMENT ON SCHEMA {q.name(schema)} IS {q.literal(comment)}")


def drop_schema(q: Quoting, schema: str) -> Statement:
    # Never CASCADE: anything left in it that is not ours makes PostgreSQL refuse.
    return Statement(f"DROP SCHEMA {q.name(schema)}")


def refresh_view(q: Quoting, schema: str, name: str, *, concurrently: bool = False) -> Statement:
    how = " CONCURRENTLY" if concurrently else ""
    return Statement(f"REFRESH MATERIALIZED VIEW{how} {q.qualified(schema, name)}")


def set_lock_timeout(q: Quoting, timeout: str) -> Statement:
    return Statement(f"SET LOCAL lock_timeout = {q.literal(timeout)}")


def as_script(statements: Iterable[Statement]) -> str:
    """The statements as one script, each ending with a semicolon."""
    return "".join(f"{statement.sql};\n" for statement in statements)
