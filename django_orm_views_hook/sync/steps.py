"""A sync's statements, in the order they run, from what it read: pure, no connection.

Readers wait for a sync only while it holds exclusive locks on live views, from its first DROP
to the commit. So the statements are split there: `prepare` takes no such lock (new views, the
replacements built beside the live ones, privileges put right); `locking` takes them, in short
retried attempts (the DROPs, and the CREATE OR REPLACEs of views replaced in place); `swap` runs
with them held (the replacements moved in, the views that must wait for them built).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from ..planning import diff, lock_entries
from ..planning.lock_entries import Capacity
from ..planning.plan import Key, Plan, ViewSpec
from ..planning.sql_text import check_queries
from ..planning.state import Catalog, Contents, Session
from ..sql import ddl, marks
from ..sql.statement import Quoting, Statement
from . import safety, staging


@dataclass(frozen=True)
class Found:
    """What a sync reads before it plans its statements; nothing is read after."""

    server_version: int
    session: Session
    #: The managed schemas' contents (the plan's schemas and those marked as ours).
    contents: Contents
    capacity: Capacity
    #: Each build area an unfinished sync left behind: its comment and contents.
    abandoned: tuple[tuple[str, str | None, Contents], ...] = ()


@dataclass(frozen=True)
class Steps:
    """A sync's statements in the order they run, split where the exclusive locks are taken."""

    built: tuple[ViewSpec, ...]
    prepare: tuple[Statement, ...]  # before any exclusive lock on a live view
    locking: tuple[Statement, ...]  # take those locks, in retried short attempts
    locked: tuple[Key, ...]  # the live views `locking` locks
    swap: tuple[Statement, ...]  # with the locks held, until the commit
    stages: staging.Stages
    dropped: frozenset[int]  # oids of the live views the DROPs remove
    replaced: tuple[ViewSpec, ...]  # replaced in place (CREATE OR REPLACE, in `locking`)
    #: The privileges the statements put right, and those lost with a rebuilt view.
    drift: tuple[diff.Drift, ...] = ()

    @property
    def statements(self) -> list[Statement]:
        return [*self.prepare, *self.locking, *self.swap]


def managed_schemas(plan: Plan, catalog: Catalog) -> list[str]:
    """The plan's schemas and those this package marked as its own earlier."""
    return sorted(set(catalog.marked) | set(plan.schemas))


def plan_steps(
    q: Quoting,
    plan: Plan,
    digests: dict[Key, str],
    catalog: Catalog,
    changes: diff.Diff,
    found: Found,
    left_out: Collection[Key] = (),
) -> Steps:
    """The views to build and the statements that make the database match the plan.

    `left_out` are views not to build (the database rejected them, or they read one). Raises
    UnsafeSchemaError or GrantError for what the sync must not do, LockCapacityError when it
    would not fit in the lock table, and ViewDefinitionError for a view to build whose `sql` is
    not exactly one query: only those are read with PostgreSQL's grammar.
    """
    safety.check_server(plan, found.server_version)
    safety.check_schemas(plan, found.session)
    safety.check_roles(plan, found.session)
    contents = found.contents
    existing = {view.key for view in contents.views_in_drop_order}
    dropping = diff.with_dependents((changes.stale & existing) | changes.extra, contents.dependents)
    built = [
        v
        for v in plan.views
        if (v.key in dropping or v.key not in existing) and v.key not in left_out
    ]
    check_queries(built)
    replaceable = _replaceable(plan, digests, catalog, contents) & dropping
    in_place = lock_entries.in_place_to_fit(
        found.capacity, plan, contents, dropping, built, replaceable
    )
    locking, locked = drop_statements(q, plan, contents, dropping - in_place)
    # Dependents first, after the drops, which only ever read them: the readers' lock order.
    replaced = {v.key: v for v in built if v.key in in_place}
    for view in contents.views_in_drop_order:
        if view.key in replaced:
            locking += ddl.create_view(q, replaced[view.key], digests[view.key], replace=True)
            locked.append(view.key)
    gone = dropping - in_place
    stages = staging.split(q, [v for v in built if v.key not in in_place], existing)
    drift, lost = _drift(changes, gone)
    return Steps(
        built=tuple(built),
        prepare=tuple(_prepare(q, plan, digests, changes, found, stages, drift)),
        locking=tuple(locking),
        locked=tuple(locked),
        swap=tuple(swap(q, plan, digests, changes, stages, replaced.values())),
        stages=stages,
        dropped=frozenset(r.oid for r in contents.views_in_drop_order if r.key in gone),
        replaced=tuple(replaced.values()),
        drift=drift + lost,
    )


def without(
    steps: Steps,
    q: Quoting,
    plan: Plan,
    digests: dict[Key, str],
    changes: diff.Diff,
    left_out: Collection[Key],
) -> Steps:
    """`steps` once the locks are held, leaving out the late views of `left_out`."""
    stages = steps.stages.without(left_out)
    return replace(
        steps,
        built=tuple(view for view in steps.built if view.key not in left_out),
        stages=stages,
        swap=tuple(swap(q, plan, digests, changes, stages, steps.replaced)),
    )


def drop_statements(
    q: Quoting, plan: Plan, contents: Contents, keys: Collection[Key]
) -> tuple[list[Statement], list[Key]]:
    """The DROPs of `keys` (dependents first), and every view they lock exclusively.

    Raises UnsafeSchemaError for what the drops must not destroy.
    """
    safety.check_contents(plan, contents, dropping=keys)
    dropped = [v for v in contents.views_in_drop_order if v.key in keys]
    outside = [(s, n) for s, n, read in contents.outside_dependents if read.key in keys]
    statements = ddl.drop_views(
        q, [(v.schema, v.name, v.kind == "m") for v in dropped], cascade=bool(outside)
    )
    return statements, [*outside, *(v.key for v in dropped)]


def swap(
    q: Quoting,
    plan: Plan,
    digests: dict[Key, str],
    changes: diff.Diff,
    stages: staging.Stages,
    replaced: Collection[ViewSpec] = (),
) -> list[Statement]:
    """What runs once the old views are dropped: move the replacements in, build the rest."""
    statements = [ddl.drop_schema(q, s) for s in changes.unused_schemas]
    statements += ddl.move_views(q, stages.moved)
    statements += [ddl.drop_schema(q, marks.build_schema(s)) for s in stages.build_schemas]
    statements += ddl.create_views(q, plan, stages.late, digests)
    statements += ddl.grant_select(q, list(replaced), plan.roles)
    return statements


def comment_columns(q: Quoting, built: Sequence[ViewSpec]) -> list[Statement]:
    """COMMENT ON COLUMN of the views built, once their columns are checked."""
    return [statement for view in built for statement in ddl.comment_columns(q, view)]


def _prepare(
    q: Quoting,
    plan: Plan,
    digests: dict[Key, str],
    changes: diff.Diff,
    found: Found,
    stages: staging.Stages,
    drift: Sequence[diff.Drift],
) -> list[Statement]:
    """Everything that takes no exclusive lock on a live view: it comes before the drops."""
    for area, comment, contents in found.abandoned:
        safety.check_abandoned_area(plan, area, comment, contents)
    prepare = ddl.set_search_path(q, plan)
    prepare += [ddl.drop_build_schema(q, area) for area, _, _ in found.abandoned]
    for schema in changes.unmarked_schemas:
        prepare += [*ddl.create_schema(q, schema), ddl.mark_schema(q, schema, plan.tenant)]
    prepare += _privilege_statements(q, drift)
    for schema in stages.build_schemas:
        prepare += ddl.create_build_schema(q, schema)
    prepare += ddl.create_views(q, plan, stages.early, stages.digests(digests))
    return prepare


def _drift(
    changes: diff.Diff, gone: Collection[Key]
) -> tuple[tuple[diff.Drift, ...], tuple[diff.Drift, ...]]:
    """The privileges to put right, and the undeclared ones lost with the views in `gone`.

    A dropped view is rebuilt with exactly the declared privileges, or left out; one replaced in
    place keeps its own, so they are put right like those of a view left alone. Those of a
    rebuilt view that are not declared are lost: said like a revoke.
    """
    kept = tuple(d for d in changes.drift if d.view is None or (d.schema, d.view) not in gone)
    lost = tuple(
        replace(d, rebuilt=True)
        for d in changes.drift
        if not d.missing and d.view is not None and (d.schema, d.view) in gone
    )
    return kept, lost


def _replaceable(
    plan: Plan, digests: dict[Key, str], catalog: Catalog, contents: Contents
) -> set[Key]:
    """Plain views a forced rebuild may replace in place: as the code defines them already, and
    reading nothing the sync drops."""
    unforced = diff.compare(plan, digests, catalog)
    existing = {view.key for view in contents.views_in_drop_order}
    needed = diff.with_dependents((unforced.stale & existing) | unforced.extra, contents.dependents)
    plain = {v.key for v in plan.views if not v.materialized}
    kept = {key for key, state in catalog.views.items() if not state.materialized} & plain
    # A view reading one that must be dropped has to go too (PostgreSQL refuses otherwise).
    return (existing & kept) - diff.with_dependents(needed | (existing - kept), contents.dependents)


def _privilege_statements(q: Quoting, drift: Sequence[diff.Drift]) -> list[Statement]:
    """GRANT what is declared but missing, REVOKE what is granted but not declared."""
    grouped: dict[tuple[bool, str, str, str | None], list[str | None]] = {}
    for d in drift:
        if d.rebuilt:
            continue  # goes with its view
        grouped.setdefault((d.missing, d.privilege, d.schema, d.view), []).append(d.grantee)
    return [
        ddl.change_privilege(
            q, grant=grant, privilege=privilege, schema=schema, view=view, grantees=grantees
        )
        for (grant, privilege, schema, view), grantees in grouped.items()
    ]
