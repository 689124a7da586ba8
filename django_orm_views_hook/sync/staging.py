"""What a sync builds before it takes the exclusive locks on the live views, and where.

Readers wait for a sync only while it holds those locks: from its first DROP to the commit. So a
view that replaces nothing is created first, in place; a view that replaces a live one (a changed
materialised view with its data and indexes, or a plain view) is built beside it, in the schema's
build area, while the live one keeps serving its old rows, and is moved in once the old one is
dropped. Only a view that reads a view being replaced waits for the locks: its SQL names the
live one, which is the old one until the swap.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from ..planning.plan import Key, ViewSpec
from ..sql import ddl
from ..sql.statement import Quoting


@dataclass(frozen=True)
class Stages:
    early: tuple[ViewSpec, ...]  # before the locks: new views in place, replacements beside
    moved: tuple[ViewSpec, ...]  # the replacements (as they will live), moved in under the locks
    late: tuple[ViewSpec, ...]  # built under the locks

    @property
    def build_schemas(self) -> list[str]:
        """The live schemas whose build area this sync uses."""
        return list(dict.fromkeys(view.schema for view in self.moved))

    def without(self, keys: Collection[Key]) -> Stages:
        """The same, leaving out late views (those the database rejected, and their readers)."""
        return replace(self, late=tuple(view for view in self.late if view.key not in keys))

    def digests(self, digests: dict[Key, str]) -> dict[Key, str]:
        """The early views' `digests`, keyed by where they are built (beside, for some)."""
        area = {ddl.beside_key(view): view.key for view in self.moved}
        return {view.key: digests[area.get(view.key, view.key)] for view in self.early}


def split(q: Quoting, built: Sequence[ViewSpec], existing: Collection[Key]) -> Stages:
    """Stage `built` (in plan order); `existing` are the keys of the live views."""
    keys = {view.key for view in built}
    final: set[Key] = set()  # built early under their final name and oid
    early, moved, late = [], [], []
    for view in built:
        if any(key in keys and key not in final for key in view.dependencies):
            late.append(view)
        elif view.key not in existing:
            final.add(view.key)
            early.append(view)
        elif (side := ddl.beside(q, view)) is not None:
            early.append(side)
            moved.append(view)
        else:
            late.append(view)
    return Stages(tuple(early), tuple(moved), tuple(late))
