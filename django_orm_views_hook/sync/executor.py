"""Run a plan on a database: lock, safety checks, DDL in one transaction.

Only what differs is touched: views whose definition (or an upstream one) changed, views
the code no longer defines, and what reads them. The executor never prints: it returns a
SyncResult and logs; commands decide what to show.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import DatabaseError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql import psycopg_any

from .. import conf, signals
from ..database import batch, deploy_lock, introspection, lock_table, locking, locks
from ..exceptions import LockTimeoutError, Rejection, ViewBuildError, ViewDefinitionError
from ..planning import diff
from ..planning.plan import Plan, ViewSpec, check_queries
from ..planning.statement_effects import Effects, Target
from ..sql import ddl
from ..sql.ddl import Quoting, Statement
from . import safety, staging, undeclared

# README names this logger: the name outlives the module's move.
logger = logging.getLogger("django_orm_views_hook.executor")

#: Key of the advisory lock that serialises syncs (and migrates) on one database.
ADVISORY_LOCK_KEY = deploy_lock.KEY


class SyncStatus(enum.Enum):
    REBUILT = "rebuilt"
    UP_TO_DATE = "up to date"
    DRY_RUN = "dry run"
    DROPPED = "dropped"


@dataclass(frozen=True)
class SyncResult:
    using: str
    status: SyncStatus
    views: tuple[ViewSpec, ...]  # every view of the plan
    built: tuple[ViewSpec, ...]  # the views (re)created, or that a dry run would create
    statements: tuple[str, ...]
    duration: float
    #: The views a drop before a statement dropped; for a sync, those it dropped and did not
    #: rebuild: the code no longer defines them, or (with `skip_unbuildable`) the database
    #: rejected them or they read a rejected view.
    dropped: tuple[diff.Key, ...] = ()
    #: What differed from the code (None when the sync did not compare, e.g. a drop).
    changes: diff.Diff | None = None
    #: With `skip_unbuildable`: the views the database rejected, with its messages, and those
    #: left unbuilt because they read one.
    rejections: tuple[Rejection, ...] = ()
    left_out: tuple[ViewSpec, ...] = ()
    #: Privileges put right by GRANT/REVOKE, or that a dry run would put right.
    drift: tuple[diff.Drift, ...] = ()
    #: Left out of a migrate because migrations not applied yet create what they read (and
    #: those that read them): built by the migrate that applies those (see `unmigrated`).
    not_created: tuple[ViewSpec, ...] = ()
    #: Reads between the views built that view_dependencies does not declare (`undeclared`).
    warnings: tuple[str, ...] = ()
    #: What keeping the pg_cron job did after the sync, or why it could not (pg_cron.py).
    schedule: tuple[str, ...] = ()

    @property
    def script(self) -> str:
        return "".join(f"{sql};\n" for sql in self.statements)


def quoting(connection: BaseDatabaseWrapper) -> Quoting:
    """Identifiers quoted by the connection, literals by the driver."""
    return Quoting(name=connection.ops.quote_name, literal=_driver_literal(connection))


def _driver_literal(connection: BaseDatabaseWrapper) -> Callable[[str], str]:
    """The driver's own string quoting, called directly.

    `connection.ops.compose_sql` quotes the same way but opens a cursor per call, which at one
    comment per view was a tenth of a cold sync.
    """
    connection.ensure_connection()
    raw = connection.connection
    if psycopg_any.is_psycopg3:
        from psycopg import sql

        def quote(value: str) -> str:
            return sql.Literal(value).as_string(raw)

    else:  # pragma: no cover - exercised by the psycopg2 runs
        from psycopg2.extensions import QuotedString

        def quote(value: str) -> str:
            quoted = QuotedString(value)
            quoted.prepare(raw)
            return str(quoted.getquoted().decode())

    return quote


def digests(plan: Plan, q: Quoting) -> dict[diff.Key, str]:
    return diff.view_digests(
        plan,
        lambda view: ddl.as_script([*ddl.create_view(q, view), *ddl.comment_columns(q, view)]),
    )


def check_changed_queries(
    plan: Plan, connection: BaseDatabaseWrapper, catalog: introspection.Catalog
) -> None:
    """Read with PostgreSQL's grammar the `sql` of each view whose definition differs from the
    database's (`catalog`, read by the caller): a migrate rebuilds them after its migrations,
    and a bad one must fail before those run. The views a migration drops are built from the
    SQL that was read when they were built last.

    Raises:
        ViewDefinitionError: naming the first such view whose `sql` is not exactly one query.
    """
    wanted = digests(plan, quoting(connection))
    stale = diff.compare(plan, wanted, catalog).stale
    check_queries(view for view in plan.views if view.key in stale)


def sync_plan(
    plan: Plan,
    connection: BaseDatabaseWrapper,
    *,
    dry_run: bool = False,
    force: bool = False,
    skip_unbuildable: bool | Callable[[Rejection], bool] = False,
    rehearse: bool = True,
) -> SyncResult:
    """Make the database's managed views match `plan`, in one transaction.

    When the catalog matches the plan (one query), nothing else runs, unless `force`. With
    `dry_run`, the statements are returned, and the sync is rehearsed: run exactly as it would
    be, its locks and every check included, then rolled back, so that it fails where the sync
    would; `rehearse=False` only plans the statements (and makes the checks planning makes). With
    `skip_unbuildable`, the views
    the database rejects, and those that read them, are left out (dropped) instead of failing
    the sync; the result names them. Given a test instead, only when it passes every rejection.
    """
    started = time.monotonic()
    q = quoting(connection)
    wanted = digests(plan, q)

    def result(
        status: SyncStatus,
        changes: diff.Diff,
        built: Sequence[ViewSpec] = (),
        statements: Sequence[Statement] = (),
        left_out: Collection[diff.Key] = (),
        refused: ViewBuildError | None = None,
        drift: Sequence[diff.Drift] = (),
        warnings: Sequence[str] = (),
    ) -> SyncResult:
        sqls = tuple(s.sql for s in statements)
        unchanged = status is SyncStatus.UP_TO_DATE
        done = SyncResult(
            plan.using,
            status,
            plan.views,
            tuple(built),
            sqls,
            _since(started),
            changes=changes,
            dropped=() if unchanged else tuple(sorted(changes.extra | set(left_out))),
            rejections=refused.rejections if refused else (),
            left_out=tuple(view for view in plan.views if view.key in left_out),
            drift=tuple(drift),
            warnings=tuple(warnings),
        )
        signals.views_synced.send(
            sender=Plan,
            using=plan.using,
            views=plan.views,
            dry_run=dry_run,
            result=done,
            unchanged=status is SyncStatus.UP_TO_DATE,
            duration=done.duration,
        )
        return done

    with connection.cursor() as cursor:
        catalog = introspection.catalog(cursor, plan.schemas)
    changes = diff.compare(plan, wanted, catalog, force=force)
    if changes.nothing_to_do:
        return result(SyncStatus.UP_TO_DATE, changes)
    signals.views_pre_sync.send(sender=Plan, using=plan.using, views=plan.views, dry_run=dry_run)
    if dry_run and not rehearse:
        with connection.cursor() as cursor:
            steps = _sync_statements(q, plan, wanted, catalog, changes, cursor)
        statements = [*steps.statements, *_column_comments(q, steps.built)]
        return result(SyncStatus.DRY_RUN, changes, steps.built, statements, drift=steps.drift)

    refused, left_out = None, set()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _lock(cursor, q)
        # Another process may have synced while this one waited for the lock.
        catalog = introspection.catalog(cursor, plan.schemas)
        changes = diff.compare(plan, wanted, catalog, force=force)
        if changes.nothing_to_do:
            return result(SyncStatus.UP_TO_DATE, changes)
        steps = _sync_statements(q, plan, wanted, catalog, changes, cursor)
        built, statements = steps.built, steps.statements
        logger.debug("Sync script for database %s:\n%s", plan.using, ddl.as_script(statements))
        managed = _managed(plan, catalog)
        try:
            batch.run(cursor, connection, steps.prepare, managed, _reads(plan))
        except ViewBuildError as exc:
            _raise_unless_skipped(exc, skip_unbuildable)
            # The failed script left the transaction as it was: prepare the rest.
            refused, left_out = exc, _left_out(plan, exc) & {view.key for view in built}
            steps = _sync_statements(q, plan, wanted, catalog, changes, cursor, left_out)
            batch.run(cursor, connection, steps.prepare, managed)
        _check_early_readers(cursor, steps)
        locking.take(cursor, connection, q, steps.drops, steps.locked)
        try:
            batch.run(cursor, connection, steps.swap, managed, _reads(plan))
        except ViewBuildError as exc:
            _raise_unless_skipped(exc, skip_unbuildable)
            # The failed script left the transaction as it was (the drops done): build the rest.
            refused = exc if refused is None else _both(refused, exc)
            left_out |= _left_out(plan, exc) & {view.key for view in steps.built}
            late = steps.stages.without(left_out)
            steps = replace(
                steps,
                built=[view for view in steps.built if view.key not in left_out],
                stages=late,
                swap=_swap(q, plan, wanted, changes, late),
            )
            batch.run(cursor, connection, steps.swap, managed)
        built, statements = steps.built, steps.statements
        _check_columns(cursor, built)
        comments = _column_comments(q, built)
        batch.run(cursor, connection, comments)
        statements += comments
        warnings = undeclared.warnings(cursor, plan, built)
        if dry_run:  # everything checked: undo it all
            transaction.set_rollback(True, using=connection.alias)
    for warning in warnings:
        logger.warning("%s", warning)
    if not dry_run:
        log_revokes(plan, steps.drift)
        logger.info(
            'Built %d of %d views on database "%s" in %.3fs',
            len(built),
            len(plan.views),
            plan.using,
            _since(started),
        )
    status = SyncStatus.DRY_RUN if dry_run else SyncStatus.REBUILT
    return result(status, changes, built, statements, left_out, refused, steps.drift, warnings)


#: Said of a privilege that is not declared and goes with a view that is dropped and rebuilt.
REBUILT_WITHOUT = "; the view was dropped and built again without it"


def log_revokes(plan: Plan, drift: Sequence[diff.Drift]) -> None:
    for revoked in (d for d in drift if not d.missing):
        logger.warning(
            'Revoked %s on %s from %s on database "%s": not declared (ORM_VIEWS_GRANT_SELECT_TO)%s',
            revoked.privilege,
            revoked.target,
            revoked.who,
            plan.using,
            REBUILT_WITHOUT if revoked.rebuilt else "",
        )


def _raise_unless_skipped(
    refused: ViewBuildError, skip: bool | Callable[[Rejection], bool]
) -> None:
    """Raise `refused` unless `skip` lets the sync leave out every view it names.

    A test (`skip` callable) that some rejections fail raises those alone: the others would
    have been left out, and the run fails for what is really wrong.
    """
    if skip is True:
        return
    failing = [r for r in refused.rejections if not callable(skip) or not skip(r)]
    if len(failing) == len(refused.rejections):
        raise refused
    if failing:
        raise ViewBuildError(failing, refused.blocked) from refused


def _both(first: ViewBuildError, then: ViewBuildError) -> ViewBuildError:
    """The views rejected while preparing and while swapping, reported together."""
    return ViewBuildError([*first.rejections, *then.rejections], [*first.blocked, *then.blocked])


def _reads(plan: Plan) -> dict[str, list[str]]:
    """{view class: the view classes it reads}, as `batch.run` names them."""
    labels = {view.key: view.label for view in plan.views}
    return {view.label: [labels[key] for key in view.dependencies] for view in plan.views}


def _left_out(plan: Plan, refused: ViewBuildError) -> set[diff.Key]:
    """The views the database rejected and every view of the plan that reads one."""
    failed = {rejection.label for rejection in refused.rejections} | set(refused.blocked)
    readers: dict[diff.Key, set[diff.Key]] = {}
    for view in plan.views:
        for key in view.dependencies:
            readers.setdefault(key, set()).add(view.key)
    keys = [view.key for view in plan.views if view.label in failed]
    return diff.with_dependents(keys, {k: frozenset(v) for k, v in readers.items()})


def drop_managed_views(
    plan: Plan, connection: BaseDatabaseWrapper, *, breaking: Sequence[Target] | None = None
) -> SyncResult:
    """Drop managed views (dependents first) in a transaction of their own, or the caller's.

    A non-atomic `migrate` calls this just before a statement that would break views:
    `breaking` names what the statement drops or retypes, and only the managed views that read
    it (and what reads them) go; None drops them all. The views are rebuilt after the
    migrations.
    """
    started = time.monotonic()
    q = quoting(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _lock(cursor, q)
        catalog = introspection.catalog(cursor, plan.schemas)
        statements, relations, dropped = _drops_before(
            cursor, q, plan, _managed(plan, catalog), breaking
        )
        locking.take(cursor, connection, q, statements, relations)
    return SyncResult(
        plan.using,
        SyncStatus.DROPPED,
        plan.views,
        (),
        tuple(s.sql for s in statements),
        _since(started),
        dropped=dropped,
    )


@dataclass(frozen=True)
class BeforeStatement:
    """What runs before a migration's statement, in one attempt with it (see `locking.take`)."""

    statements: tuple[Statement, ...]  # the views over what it locks, readers first; the drops
    relations: tuple[diff.Key, ...]  # what those and the statement lock, to name their holders
    dropped: tuple[diff.Key, ...]  # the managed views dropped, dependents first
    held: frozenset[int]  # the relations (oids) held once the statement has run


def before_statement(
    plan: Plan,
    connection: BaseDatabaseWrapper,
    effects: Effects,
    *,
    schemas: Sequence[str],
    held: Collection[int] = (),
) -> BeforeStatement:
    """Take the readers' lock order for a statement of the migrations, and drop what it breaks.

    Readers lock a view, then what it reads. So before the statement takes a relation in
    ACCESS EXCLUSIVE mode, the managed views whose readers wait for that relation are locked,
    each before the views it reads: once a reader waits for the relation, none of them is then
    needed from that reader (a later statement may drop them, the rebuild may replace them).
    `held` are the relations this transaction holds already. Refusals (objects attached to a
    dropped view, the lock table) are raised here, before anything runs.
    """
    q = quoting(connection)
    with connection.cursor() as cursor:
        waiting = locks.waiting_for(cursor, effects.exclusive, schemas)
        statements = [
            ddl.lock_view(q, view.schema, view.name, view.owner, materialized=False)
            for view in waiting.views
            if view.oid not in held
        ]
        drops: list[Statement] = []
        locked: list[diff.Key] = []
        dropped: tuple[diff.Key, ...] = ()
        if effects.breaks_views:
            breaking = None if effects.unknown else effects.targets
            drops, locked, dropped = _drops_before(cursor, q, plan, schemas, breaking)
    relations = [view.key for view in waiting.views] + locked + [r.key for r in waiting.locked]
    return BeforeStatement(
        tuple(statements + drops),
        tuple(dict.fromkeys(relations)),
        dropped,
        frozenset(r.oid for r in (*waiting.views, *waiting.locked)),
    )


def _drops_before(
    cursor: Any,
    q: Quoting,
    plan: Plan,
    schemas: Sequence[str],
    breaking: Sequence[Target] | None,
) -> tuple[list[Statement], list[diff.Key], tuple[diff.Key, ...]]:
    """The DROPs of the managed views a statement breaks (all for None) and of their readers;
    what they lock; what they drop, dependents first. Refusals are raised before any DDL."""
    broken = None if breaking is None else introspection.views_broken_by(cursor, breaking)
    if broken is not None and not broken:
        return [], [], ()  # the usual case: nothing reads what the statement changes
    contents = introspection.contents(cursor, schemas)
    existing = {view.key for view in contents.views_in_drop_order}
    dropping = diff.with_dependents(
        existing if broken is None else broken & existing, contents.dependents
    )
    statements, locked = _drop(q, plan, contents, dropping)
    # The sync after the migrations creates them again, and the views not there yet.
    rebuilt = [v for v in plan.views if v.key in dropping or v.key not in existing]
    lock_table.check(cursor, plan, contents, dropping, rebuilt)
    dropped = tuple(v.key for v in contents.views_in_drop_order if v.key in dropping)
    return statements, locked, dropped


def hold_lock(connection: BaseDatabaseWrapper) -> None:
    """ORM_VIEWS_LOCK_TIMEOUT for the caller's transaction, and the sync lock until it ends.

    Inside a run that holds the deploy lock already, only the timeout is set.
    """
    with connection.cursor() as cursor:
        _lock(cursor, quoting(connection))


def _since(started: float) -> float:
    return time.monotonic() - started


def _managed(plan: Plan, catalog: introspection.Catalog) -> list[str]:
    """The plan's schemas and those this package marked as its own earlier."""
    return sorted(set(catalog.marked) | set(plan.schemas))


def _drop(
    q: Quoting, plan: Plan, contents: introspection.Contents, keys: Collection[diff.Key]
) -> tuple[list[Statement], list[diff.Key]]:
    """The DROPs of `keys` (dependents first), and every view they lock exclusively."""
    safety.check_contents(plan, contents, dropping=keys)
    dropped = [v for v in contents.views_in_drop_order if v.key in keys]
    outside = [(s, n) for s, n, read in contents.outside_dependents if read.key in keys]
    statements = ddl.drop_views(
        q, [(v.schema, v.name, v.kind == "m") for v in dropped], cascade=bool(outside)
    )
    return statements, [*outside, *(v.key for v in dropped)]


@dataclass(frozen=True)
class _Steps:
    """A sync's statements in the order they run, split where the exclusive locks are taken."""

    built: list[ViewSpec]
    prepare: list[Statement]  # before any exclusive lock on a live view
    drops: list[Statement]  # take those locks, in retried short attempts
    locked: list[diff.Key]  # the live views the drops lock
    swap: list[Statement]  # with the locks held, until the commit
    stages: staging.Stages
    dropped: list[int]  # oids of the live views the drops remove
    #: The privileges the statements put right, and those lost with a rebuilt view.
    drift: tuple[diff.Drift, ...] = ()

    @property
    def statements(self) -> list[Statement]:
        return [*self.prepare, *self.drops, *self.swap]


def _sync_statements(
    q: Quoting,
    plan: Plan,
    wanted: dict[diff.Key, str],
    catalog: introspection.Catalog,
    changes: diff.Diff,
    cursor: Any,
    leave_out: Collection[diff.Key] = (),
) -> _Steps:
    """The views to build and the statements that make the database match the plan.

    `leave_out` are views not to build. Raises UnsafeSchemaError or GrantError, before any
    DDL, for what the sync must not do, and ViewDefinitionError for a view to build whose `sql`
    is not exactly one query: only those are read with PostgreSQL's grammar.
    """
    safety.check_server(plan, cursor.db.pg_version)
    session = introspection.session(cursor, plan.roles)
    safety.check_schemas(plan, session)
    safety.check_roles(plan, session)
    contents = introspection.contents(cursor, _managed(plan, catalog))
    existing = {view.key for view in contents.views_in_drop_order}
    dropping = diff.with_dependents((changes.stale & existing) | changes.extra, contents.dependents)
    built = [
        v
        for v in plan.views
        if (v.key in dropping or v.key not in existing) and v.key not in leave_out
    ]
    check_queries(built)
    replaceable = _replaceable(plan, wanted, catalog, contents) & dropping
    in_place = lock_table.check(cursor, plan, contents, dropping, built, replaceable)
    drops, locked = _drop(q, plan, contents, dropping - in_place)
    # Dependents first, after the drops, which only ever read them: the readers' lock order.
    replaced = {v.key: v for v in built if v.key in in_place}
    for view in contents.views_in_drop_order:
        if view.key in replaced:
            drops += ddl.create_view(q, replaced[view.key], wanted[view.key], replace=True)
            locked.append(view.key)
    stages = staging.split(q, [v for v in built if v.key not in in_place], existing)
    # Everything that takes no exclusive lock on a live view comes before the drops.
    prepare = [ddl.drop_build_schema(q, area) for area in _leftovers(cursor, plan, changes)]
    for schema in changes.unmarked_schemas:
        prepare += [*ddl.create_schema(q, schema), ddl.mark_schema(q, schema)]
    # A dropped view is rebuilt with exactly the declared privileges, or left out; one replaced
    # in place keeps its own, so they are put right like those of a view left alone.
    gone = dropping - in_place
    drift = tuple(d for d in changes.drift if d.view is None or (d.schema, d.view) not in gone)
    prepare += _privilege_statements(q, drift)
    # Those of a rebuilt view that are not declared are lost: said like a revoke.
    lost = tuple(
        replace(d, rebuilt=True)
        for d in changes.drift
        if not d.missing and d.view is not None and (d.schema, d.view) in gone
    )
    for schema in stages.build_schemas:
        prepare += ddl.create_build_schema(q, schema)
    prepare += ddl.create_views(q, plan, stages.early, stages.digests(wanted))
    dropped = [r.oid for r in contents.views_in_drop_order if r.key in dropping - in_place]
    swap = _swap(q, plan, wanted, changes, stages)
    swap += ddl.grant_select(q, list(replaced.values()), plan.roles)
    return _Steps(built, prepare, drops, locked, swap, stages, dropped, drift + lost)


def _swap(
    q: Quoting,
    plan: Plan,
    wanted: dict[diff.Key, str],
    changes: diff.Diff,
    stages: staging.Stages,
) -> list[Statement]:
    """What runs once the old views are dropped: move the replacements in, build the rest."""
    swap = [ddl.drop_schema(q, s) for s in changes.unused_schemas]
    swap += ddl.move_views(q, stages.moved)
    swap += [ddl.drop_schema(q, ddl.build_schema(s)) for s in stages.build_schemas]
    swap += ddl.create_views(q, plan, stages.late, wanted)
    return swap


def _leftovers(cursor: Any, plan: Plan, changes: diff.Diff) -> tuple[str, ...]:
    """The build areas an unfinished sync left, once checked to hold only what it built."""
    for area in changes.leftovers:
        comment = introspection.schema_comment(cursor, area)
        safety.check_leftover(plan, area, comment, introspection.contents(cursor, [area]))
    return changes.leftovers


def _check_early_readers(cursor: Any, steps: _Steps) -> None:
    """Refuse a view built before the drops that reads a view they drop (the old one).

    Only an undeclared dependency does that: `view_dependencies` makes a reader wait for what
    it reads. Raised before any exclusive lock is taken; the transaction is rolled back.
    """
    if not steps.stages.early or not steps.dropped:
        return
    labels = {view.key: view.label for view in steps.stages.early}
    schemas = {schema for schema, _ in labels}
    for edge in introspection.edges(cursor, sorted(schemas)):
        view = (edge.view_schema, edge.view_name)
        if view in labels and edge.read_oid in steps.dropped:
            raise ViewDefinitionError(
                f'{labels[view]}: its SQL reads "{edge.read_schema}"."{edge.read_name}", which '
                "this sync rebuilds too, but its view_dependencies do not name that view's "
                "class; add it, so that it is built after what it reads."
            )


def _replaceable(
    plan: Plan,
    wanted: dict[diff.Key, str],
    catalog: introspection.Catalog,
    contents: introspection.Contents,
) -> set[diff.Key]:
    """Plain views a forced rebuild may replace in place: as the code defines them already, and
    reading nothing the sync drops."""
    unforced = diff.compare(plan, wanted, catalog)
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


def _column_comments(q: Quoting, built: Sequence[ViewSpec]) -> list[Statement]:
    return [statement for view in built for statement in ddl.comment_columns(q, view)]


def _check_columns(cursor: Any, built: Sequence[ViewSpec]) -> None:
    """Fail the sync when readable views' models name columns their views do not have.

    Every such view is named at once, one line each.
    """
    checked = [view for view in built if view.required_columns]
    if not checked:
        return
    found = introspection.columns(cursor, [view.key for view in checked])
    problems = []
    for view in checked:
        actual = found.get(view.key, [])
        missing = [c for c in view.required_columns if c not in actual]
        if missing:
            extra = [c for c in actual if c not in view.required_columns]
            problems.append(
                f"{view.label}: the model's fields and the view's columns disagree. Missing "
                f"from the view: {', '.join(missing)}. In the view but not the model: "
                f"{', '.join(extra) or 'none'}. Fix the fields or the view's query."
            )
    if problems:
        raise ViewDefinitionError("\n".join(problems))


def _lock(cursor: Any, q: Quoting) -> None:
    timeout = conf.lock_timeout()
    if timeout is not None:
        cursor.execute(ddl.set_lock_timeout(q, timeout).sql)
    if deploy_lock.is_held(cursor.db.alias):
        return  # the run this sync is part of holds it
    try:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    except DatabaseError as exc:
        if batch.sqlstate(exc) != batch.LOCK_NOT_AVAILABLE:
            raise
        raise LockTimeoutError(
            f"another sync or migrate of this database held the sync lock longer than "
            f"ORM_VIEWS_LOCK_TIMEOUT ({timeout}); nothing changed."
        ) from exc
