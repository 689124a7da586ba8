"""What a scheduled refresh of one materialised view runs, as SQL text: pure, no connection.

Two runners execute these statements: refresh/due.py (`refresh_views --due`, `refresh_due()`)
and the pg_cron procedure (pg_cron_procedure.py), for which the sync stores them
(sync/schedule.py). Both do exactly the same, in the same order, so that a view refreshes the
same way whichever scheduler runs it.

* A view with `pk_field` is refreshed CONCURRENTLY: readers are never blocked.
* Any other view is built beside the live one, in an area of its own (two runs refreshing two
  views never share one), while the live one keeps serving its old rows. Then, under the
  exclusive locks taken in short attempts, the live view and the views that read it are
  dropped, the new one is moved in and its readers are built again. Readers wait for that swap
  only, never for the population.
* A view that was created WITH NO DATA and never refreshed (CONCURRENTLY refuses it), or whose
  declared indexes cannot be built beside, is refreshed in place, under the same short attempts.

Before the swap, a guard checks, in the database, that no migrate or sync is running, that the
live views are those this code defines (a process running older code must not swap its version
in), and that the drop destroys nothing this package did not create.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..definitions.naming import relation_label
from ..planning.identifiers import fitting, hex_digest
from ..planning.plan import Key, Plan, ViewSpec
from . import ddl, marks, sqlstate
from .statement import Quoting, Statement, as_script


class Method(enum.Enum):
    CONCURRENTLY = "concurrently"
    BESIDE = "built beside"
    IN_PLACE = "in place"


@dataclass(frozen=True)
class RefreshScript:
    """One refresh, in the order it runs, in one transaction.

    `setup` makes room for the build; `populate` fills the rows (its row count is the view's,
    unless `count` is set); `prepare` completes the build; `guard` checks before any exclusive
    lock; `locked` takes those locks (on `locked_keys`) in retried short attempts; `swap` runs
    with them held.
    """

    label: str
    key: Key
    method: Method
    setup: tuple[Statement, ...] = ()
    populate: Statement | None = None
    prepare: tuple[Statement, ...] = ()
    guard: Statement | None = None
    locked: tuple[Statement, ...] = ()
    locked_keys: tuple[Key, ...] = ()
    swap: tuple[Statement, ...] = ()
    count: Statement | None = None

    def as_json(self) -> dict[str, Any]:
        """The statements as the pg_cron procedure reads them (texts; '' when none)."""

        def text(statements: Sequence[Statement | None]) -> str:
            return as_script(s for s in statements if s is not None)

        return {
            "method": self.method.value,
            "setup": text(self.setup),
            "populate": text([self.populate]),
            "prepare": text(self.prepare),
            "guard": text([self.guard]),
            "locked": text(self.locked),
            "swap": text(self.swap),
            "count": text([self.count]),
        }


def refresh_area(view: ViewSpec) -> str:
    """The schema a view's replacement is built in; it exists only inside the refresh's
    transaction. One per view, so that refreshes of different views never wait for each other."""
    digest = hex_digest(f"{view.schema}.{view.name}", 32)
    return fitting(f"{view.schema}__orm_refresh_{digest[:12]}", "orm_refresh_" + digest)


def script_for(
    q: Quoting, plan: Plan, view: ViewSpec, digests: Mapping[Key, str], *, populated: bool = True
) -> RefreshScript:
    """The refresh of `view`: CONCURRENTLY with `pk_field`, else built beside (see the module).

    `populated` False (created WITH NO DATA, never refreshed): a view with `pk_field` is
    refreshed in place, since CONCURRENTLY refuses it.
    """
    if view.pk_field:
        if not populated:  # CONCURRENTLY refuses it, and its readers get errors anyway
            return in_place(q, view)
        return RefreshScript(
            view.label,
            view.key,
            Method.CONCURRENTLY,
            populate=ddl.refresh_view(q, *view.key, concurrently=True),
            count=Statement(f"SELECT count(*) FROM {q.qualified(*view.key)}", view.label),
        )
    area = refresh_area(view)
    side = ddl.beside(q, view, area)
    if side is None:
        return in_place(q, view)
    readers = readers_of(plan, view)
    rebuilt = [view, *readers]
    build = [
        *ddl.create_views(q, plan, [side], {side.key: digests[view.key]}),
        *ddl.comment_columns(q, side),
    ]
    drops = ddl.drop_views(q, [(v.schema, v.name, v.materialized) for v in reversed(rebuilt)])
    swap = [
        *ddl.move_views(q, [view], area),
        Statement(f"DROP SCHEMA {q.name(area)}"),  # empty now: nothing else was built there
        *ddl.create_views(q, plan, readers, dict(digests)),
        *[statement for reader in readers for statement in ddl.comment_columns(q, reader)],
    ]
    return RefreshScript(
        view.label,
        view.key,
        Method.BESIDE,
        # A tenant's copy (django-tenants) is built where its names resolve to its tables.
        setup=(
            *ddl.set_search_path(q, plan),
            Statement(f"CREATE SCHEMA {q.name(area)}"),
        ),
        populate=build[0],
        prepare=tuple(build[1:]),
        guard=guard(
            q, view, [(v.schema, v.name, digests[v.key]) for v in rebuilt], tenant=plan.tenant
        ),
        locked=tuple(drops),
        locked_keys=tuple(v.key for v in reversed(rebuilt)),
        swap=tuple(swap),
    )


def in_place(q: Quoting, view: ViewSpec) -> RefreshScript:
    """A plain REFRESH, which holds the view's readers for the population: taken in attempts."""
    return RefreshScript(
        view.label,
        view.key,
        Method.IN_PLACE,
        locked=(ddl.refresh_view(q, *view.key),),
        locked_keys=(view.key,),
        count=Statement(f"SELECT count(*) FROM {q.qualified(*view.key)}", view.label),
    )


def readers_of(plan: Plan, view: ViewSpec) -> list[ViewSpec]:
    """The views of the plan that read `view`, directly or not, in plan order."""
    reached = {view.key}
    readers = []
    for other in plan.views:  # dependencies come first
        if other.key != view.key and reached.intersection(other.dependencies):
            reached.add(other.key)
            readers.append(other)
    return readers


# The guard, as a DO block with its values inlined (the pg_cron procedure runs it as text).
# The relations must be the code's (their comments end with the digest it built them with);
# what depends on them must be their own readers (the views rebuilt with them) or the indexes
# this package made; anything else would be destroyed by the drop.
_GUARD = """
DECLARE
    found text;
    relations oid[];
BEGIN
    IF NOT ({tries}) THEN
        RAISE EXCEPTION 'a migrate or sync_views of this database is running; the refresh '
            'is left to the next run' USING ERRCODE = '{running}';
    END IF;
    SELECT string_agg(format('%I.%I', e.s, e.n), ', ') INTO found
    FROM (VALUES {expected}) AS e(s, n, d)
    WHERE NOT EXISTS (
        SELECT FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
        WHERE ns.nspname = e.s AND c.relname = e.n AND c.relkind IN ('v', 'm')
          AND right(coalesce(obj_description(c.oid, 'pg_class'), ''), length(e.d)) = e.d
    );
    IF found IS NOT NULL THEN
        RAISE EXCEPTION 'not refreshed: % in the database differ from the code that runs this '
            'refresh (or are missing); run migrate or sync_views with this code, or refresh '
            'with the code that built them', found USING ERRCODE = '{differs}';
    END IF;
    SELECT array_agg(to_regclass(format('%I.%I', e.s, e.n))) INTO relations
    FROM (VALUES {expected}) AS e(s, n, d);
    SELECT string_agg(DISTINCT CASE WHEN r.ev_class IS NOT NULL
                                    THEN format('view %s', r.ev_class::regclass)
                                    ELSE pg_describe_object(d.classid, d.objid, d.objsubid)
                               END, ', ')
    INTO found
    FROM pg_depend d
    LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
    LEFT JOIN pg_class i ON d.classid = 'pg_class'::regclass AND i.oid = d.objid
    WHERE d.refclassid = 'pg_class'::regclass AND d.deptype IN ('n', 'a')
      AND d.refobjid = ANY(relations)
      AND NOT coalesce(r.ev_class = ANY(relations), false)
      AND NOT (coalesce(i.relkind IN ('i', 'I'), false)
               AND starts_with(coalesce(obj_description(i.oid, 'pg_class'), ''), {mark}));
    IF found IS NOT NULL THEN
        RAISE EXCEPTION 'not refreshed: rebuilding {view} would destroy %, which this package '
            'did not create; drop it yourself, or give the view a pk_field (refreshed '
            'concurrently, nothing is dropped)', found USING ERRCODE = '{foreign}';
    END IF;
END
"""


def guard(
    q: Quoting,
    view: ViewSpec,
    expected: Sequence[tuple[str, str, str]],
    tenant: str | None = None,
) -> Statement:
    """The DO block that checks the swap of `view` (see _GUARD); `expected` are the relations
    the swap drops, with the digests the code built them with. A tenant's view (django-tenants)
    also waits for that tenant's migrate, which holds the database's lock in shared mode only."""
    keys = [int(marks.DEPLOY_LOCK_KEY), *([marks.tenant_lock_key(tenant)] if tenant else [])]
    tries = " AND ".join(f"pg_try_advisory_xact_lock_shared({key})" for key in keys)
    rows = ", ".join(
        f"({q.literal(schema)}, {q.literal(name)}, {q.literal(marks.digest_record(digest))})"
        for schema, name, digest in expected
    )
    body = _GUARD.format(
        tries=tries,
        running=sqlstate.DEPLOY_RUNNING,
        differs=sqlstate.DEFINITION_DIFFERS,
        foreign=sqlstate.FOREIGN_DEPENDENTS,
        expected=rows,
        mark=q.literal(marks.OWNER_MARK),
        view=relation_label(*view.key).replace("'", "''").replace("%", "%%"),
    )
    return Statement(f"DO {q.literal(body)}", view.label)
