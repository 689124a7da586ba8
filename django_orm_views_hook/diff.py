"""Compare the plan with the catalog: which views to build, which to drop, which grants.

Pure functions over data, so the decision "nothing to do" is cheap and testable. A view's
digest covers its SQL, its grants and its dependencies' digests, so a change anywhere
upstream rebuilds it, and only it and what reads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .introspection import Catalog, ViewState
from .plan import Plan, ViewSpec

Key = tuple[str, str]


def view_digests(plan: Plan, render: Callable[[ViewSpec], str]) -> dict[Key, str]:
    """{view key: digest}; `render` gives the SQL that builds the view."""
    digests: dict[Key, str] = {}
    for view in plan.views:  # dependencies come first
        readers = "" if view.hidden else ",".join(sorted(plan.roles))
        upstream = ",".join(digests[key] for key in view.dependencies)
        text = f"{render(view)}\n{readers}\n{upstream}"
        digests[view.key] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return digests


@dataclass(frozen=True)
class Diff:
    stale: frozenset[Key]  # plan views missing from the database or differing from the code
    extra: frozenset[Key]  # views in managed schemas that the code no longer defines
    unused_schemas: tuple[str, ...]  # schemas this package marked that no view uses now
    usage_grants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    usage_revokes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unmarked_schemas: tuple[str, ...] = ()  # plan schemas missing or not yet marked as ours
    #: Why each stale view differs, in words (`sync_views --check` lists them).
    reasons: dict[Key, tuple[str, ...]] = field(default_factory=dict)
    leftovers: tuple[str, ...] = ()  # build areas an unfinished sync left behind

    @property
    def nothing_to_do(self) -> bool:
        return not (
            self.leftovers
            or self.stale
            or self.extra
            or self.unused_schemas
            or self.usage_grants
            or self.usage_revokes
            or self.unmarked_schemas
        )


def compare(plan: Plan, digests: dict[Key, str], catalog: Catalog, *, force: bool = False) -> Diff:
    wanted = {view.key: view for view in plan.views}
    reasons = {}
    for key, view in wanted.items():
        readers = set() if view.hidden else set(plan.roles)
        found = _differences(view, digests[key], catalog.views.get(key), readers)
        if found or force:
            reasons[key] = tuple(found) or ("rebuild forced",)
    stale = set(reasons)
    extra = {key for key in catalog.views if key not in wanted}
    grants, revokes = {}, {}
    for schema in plan.schemas:
        holders = set(catalog.usage.get(schema, ()))
        if missing := [role for role in plan.roles if role not in holders]:
            grants[schema] = tuple(missing)
        if stale_roles := sorted(holders - set(plan.roles)):
            revokes[schema] = tuple(stale_roles)
    return Diff(
        stale=frozenset(stale),
        extra=frozenset(extra),
        unused_schemas=tuple(s for s in catalog.marked if s not in plan.schemas),
        usage_grants=grants,
        usage_revokes=revokes,
        unmarked_schemas=tuple(s for s in plan.schemas if not catalog.schemas.get(s)),
        reasons=reasons,
        leftovers=catalog.leftovers,
    )


def _differences(
    view: ViewSpec, digest: str, state: ViewState | None, readers: set[str]
) -> list[str]:
    """What differs between a planned view and the database's, in words; [] when nothing."""
    if state is None:
        return ["missing"]
    found = []
    if state.materialized != view.materialized:
        found.append("materialised in the code" if view.materialized else "no longer materialised")
    if not state.intact:
        found.append("modified by hand")
    if set(state.readers) != readers:
        # The readers are part of the digest: a changed grant is not a changed definition.
        held, wanted = ", ".join(sorted(state.readers)), ", ".join(sorted(readers))
        found.append(
            f"privileges: SELECT granted to {held or 'no role'}, wanted {wanted or 'none'}"
        )
    elif state.digest != digest:
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
