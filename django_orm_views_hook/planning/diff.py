"""Compare the plan with the catalog: which views to build, which to drop, which grants.

Pure functions over data, so the decision "nothing to do" is cheap and testable. A view's
digest covers its SQL and its dependencies' digests, so a change anywhere upstream rebuilds
it, and only it and what reads it. Privileges are not in the digest: they are compared with
the catalog's ACLs and put right with GRANT and REVOKE, without a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from ..definitions.naming import relation_label
from .identifiers import hex_digest
from .plan import Key, Plan, ViewSpec
from .state import Catalog, Privilege, ViewState


def view_digests(plan: Plan, render: Callable[[ViewSpec], str]) -> dict[Key, str]:
    """{view key: digest}; `render` gives the SQL that builds the view."""
    digests: dict[Key, str] = {}
    for view in plan.views:  # dependencies come first
        upstream = ",".join(digests[key] for key in view.dependencies)
        text = f"{render(view)}\n{upstream}"
        digests[view.key] = hex_digest(text, 32)
    return digests


@dataclass(frozen=True)
class Drift:
    """A privilege on a managed schema or view that differs from the declared ones."""

    schema: str
    view: str | None  # None: the schema itself
    grantee: str | None  # a role; None is PUBLIC
    privilege: str  # SELECT, USAGE, INSERT, CREATE, ...
    missing: bool  # declared but not granted; else granted but not declared
    #: Not declared, and gone with the view, which is dropped and built again without it.
    rebuilt: bool = False

    @property
    def target(self) -> str:
        if self.view is None:
            return f'schema "{self.schema}"'
        return f"view {relation_label(self.schema, self.view)}"

    @property
    def who(self) -> str:
        return "PUBLIC" if self.grantee is None else f'role "{self.grantee}"'

    def __str__(self) -> str:
        if self.missing:
            return f"{self.target}: {self.who} lacks {self.privilege}, which is declared"
        return f"{self.target}: {self.who} holds {self.privilege}, which is not declared"


def _drift(
    schema: str, view: str | None, declared: set[Privilege], found: frozenset[Privilege]
) -> list[Drift]:
    return [
        Drift(schema, view, grantee, privilege, missing=(privilege, grantee) in declared)
        for privilege, grantee in sorted(declared ^ found, key=lambda p: (p[0], p[1] or ""))
    ]


@dataclass(frozen=True)
class Diff:
    stale: frozenset[Key]  # plan views missing from the database or differing from the code
    extra: frozenset[Key]  # views in managed schemas that the code no longer defines
    unused_schemas: tuple[str, ...]  # schemas this package marked that no view uses now
    #: Privileges that differ from the declared ones, on the plan's schemas and existing views
    #: (a view dropped and rebuilt gets exactly the declared ones).
    drift: tuple[Drift, ...] = ()
    unmarked_schemas: tuple[str, ...] = ()  # plan schemas missing or not yet marked as ours
    #: Why each stale view differs, in words (`sync_views --check` lists them).
    reasons: dict[Key, tuple[str, ...]] = field(default_factory=dict)
    abandoned_areas: tuple[str, ...] = ()  # build areas an unfinished sync left behind

    @property
    def nothing_to_do(self) -> bool:
        return not (
            self.abandoned_areas
            or self.stale
            or self.extra
            or self.unused_schemas
            or self.drift
            or self.unmarked_schemas
        )


def compare(plan: Plan, digests: dict[Key, str], catalog: Catalog, *, force: bool = False) -> Diff:
    planned = {view.key: view for view in plan.views}
    reasons = {}
    drift: list[Drift] = []
    for key, view in planned.items():
        state = catalog.views.get(key)
        found = _differences(view, digests[key], state)
        if found or force:
            reasons[key] = tuple(found) or ("rebuild forced",)
        if state is None:
            continue
        declared: set[Privilege] = set()
        if not view.hidden:
            declared = {("SELECT", role) for role in plan.roles}
        drift += _drift(view.schema, view.name, declared, state.privileges)
    stale = set(reasons)
    extra = {key for key in catalog.views if key not in planned}
    for schema in plan.schemas:
        usage: set[Privilege] = {("USAGE", role) for role in plan.roles}
        drift += _drift(schema, None, usage, catalog.privileges.get(schema, frozenset()))
    return Diff(
        stale=frozenset(stale),
        extra=frozenset(extra),
        unused_schemas=tuple(s for s in catalog.marked if s not in plan.schemas),
        drift=tuple(drift),
        unmarked_schemas=tuple(s for s in plan.schemas if not catalog.schemas.get(s)),
        reasons=reasons,
        abandoned_areas=catalog.abandoned_areas,
    )


def lost_with(plan: Plan, catalog: Catalog, keys: Iterable[Key]) -> list[Drift]:
    """The privileges on views `keys` (as `catalog` had them) that the plan does not declare:
    lost when those views are dropped and built again. A view the code no longer defines is not
    built again: its drop is said as such, not its privileges."""
    declared = {view.key: not view.hidden for view in plan.views}
    lost = []
    for key in dict.fromkeys(keys):
        state = catalog.views.get(key)
        if state is None or key not in declared:
            continue
        granted: set[Privilege] = set()
        if declared[key]:
            granted = {("SELECT", role) for role in plan.roles}
        lost += [
            replace(d, rebuilt=True)
            for d in _drift(key[0], key[1], granted, state.privileges)
            if not d.missing
        ]
    return lost


def _differences(view: ViewSpec, digest: str, state: ViewState | None) -> list[str]:
    """What differs between a planned view's definition and the database's, in words; [] when
    nothing. Privileges are compared apart (Drift): they never make a view stale."""
    if state is None:
        return ["missing"]
    found = []
    if state.materialized != view.materialized:
        found.append("materialised in the code" if view.materialized else "no longer materialised")
    if not state.intact:
        found.append("modified by hand")
    if state.digest != digest:
        found.append("definition changed")
    return found


def with_dependents(keys: Iterable[Key], dependents: dict[Key, frozenset[Key]]) -> set[Key]:
    """`keys` and every view that reads one of them, directly or not."""
    found, todo = set(), list(keys)
    while todo:
        key = todo.pop()
        if key not in found:
            found.add(key)
            todo.extend(dependents.get(key, ()))
    return found
