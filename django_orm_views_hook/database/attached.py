"""Objects attached to managed views: what a DROP of them, or a CASCADE through them, destroys.

Indexes, triggers, rules, statistics, defaults on the views; table columns of their row types,
functions and policies that use them; followed through the views elsewhere that read them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..planning.plan import Key
from ..planning.state import ForeignDependent, Relation
from ..sql import marks

# What depends on the given views (or on their row types) besides the views that read them:
# what a DROP would destroy with them (indexes, triggers, rules, statistics, defaults) or a
# CASCADE would (table columns of their type, functions, policies, rules elsewhere). A view's
# own internal parts (its `_RETURN` rule, row type, TOAST table) depend on it internally ('i').
DEPENDENTS_SQL = """
WITH rel AS (SELECT c.oid, c.reltype FROM pg_class c WHERE c.oid = ANY(%s::oid[])),
ref AS (
    SELECT 'pg_class'::regclass::oid AS classid, rel.oid AS objid, rel.oid AS rel FROM rel
    UNION ALL
    SELECT 'pg_type'::regclass::oid, t.oid, rel.oid FROM rel
    JOIN pg_type row_type ON row_type.oid = rel.reltype
    JOIN pg_type t ON t.oid IN (row_type.oid, row_type.typarray)
)
SELECT DISTINCT ref.rel, pg_describe_object(d.classid, d.objid, d.objsubid),
       d.classid = 'pg_rewrite'::regclass AND r.rulename = '_RETURN'
           AND v.relkind IN ('v', 'm'),
       coalesce(r.ev_class, 0)::oid,
       d.classid = 'pg_class'::regclass AND d.objsubid = 0 AND i.relkind IN ('i', 'I'),
       coalesce(i.relname, ''),
       coalesce(strpos(obj_description(i.oid, 'pg_class'), %s) > 0, false)
FROM ref
JOIN pg_depend d ON d.refclassid = ref.classid AND d.refobjid = ref.objid
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_class v ON v.oid = r.ev_class
LEFT JOIN pg_class i ON d.classid = 'pg_class'::regclass AND i.oid = d.objid
WHERE d.deptype IN ('n', 'a')
ORDER BY 1, 2
"""


def foreign_dependents(cursor: Any, views: Collection[Relation]) -> list[ForeignDependent]:
    """What besides views a drop of `views` would destroy, or a CASCADE through them would.

    Views elsewhere that read them are followed, since a CASCADE drops them and with them what
    depends on them; they are not listed (`Contents.outside_dependents` has them). Indexes on
    those views go with them and are left out too.
    """
    managed = {view.oid: view.key for view in views}
    via: dict[int, frozenset[Key]] = {oid: frozenset([key]) for oid, key in managed.items()}
    frontier = list(managed)
    found: dict[str, ForeignDependent] = {}  # by description: reached again, it goes with more
    while frontier:
        cursor.execute(DEPENDENTS_SQL, [frontier, marks.OWNER_MARK])
        reached: dict[int, set[Key]] = {}
        for rel, description, reads, reader, is_index, index, marked in cursor.fetchall():
            if reads:
                if reader not in managed:
                    reached.setdefault(reader, set()).update(via[rel])
            elif rel in managed or not is_index:
                known = found[description].via if description in found else frozenset()
                found[description] = ForeignDependent(
                    via[rel] | known, description, index if is_index else "", marked
                )
        frontier = []
        for oid, keys in reached.items():
            if not keys <= via.get(oid, frozenset()):
                via[oid] = via.get(oid, frozenset()) | keys
                frontier.append(oid)
    return list(found.values())
