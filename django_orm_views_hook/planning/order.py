"""The plan of one database: its view classes validated, named and in dependency order.

`graphlib` orders the classes by `view_dependencies` (a class, or "app_label.ClassName"); each is
built into a ViewSpec (`build.py`), dependencies first; then the names that must be unique (views,
their pk_field indexes) are checked across the plan.
"""

from __future__ import annotations

import dataclasses
import graphlib
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.apps import apps

from ..definitions.naming import label, relation_label, view_database
from ..definitions.views import PostgresView
from ..exceptions import DependencyError, ViewDefinitionError
from .build import build_spec
from .identifiers import check_identifier, fits, hashed_identifier, pk_index_name
from .plan import IndexSql, InlineParams, Key, Plan, ViewSpec


def _dependencies(cls: type[PostgresView], known: Collection[type], using: str) -> list[type]:
    owner = label(cls)
    declared = getattr(cls, "view_dependencies", ()) or ()
    if isinstance(declared, (str, bytes)) or not isinstance(declared, Iterable):
        raise DependencyError(
            f"{owner}: view_dependencies must be a list of view classes or of "
            '"app_label.ClassName" strings.'
        )
    dependencies = [_resolve(owner, dependency, known) for dependency in declared]
    for dependency in dependencies:
        if dependency in known:
            continue
        if (
            isinstance(dependency, type)
            and issubclass(dependency, PostgresView)
            and view_database(dependency) != using
        ):
            raise DependencyError(
                f"{owner}: view_dependencies names {label(dependency)}, which lives in "
                f'database "{view_database(dependency)}", not "{using}"; a view can only '
                "read views of its own database."
            )
        raise DependencyError(
            f"{owner}: view_dependencies names {dependency!r}, which is not a view registered "
            f'for database "{using}"; define it in an app\'s views module or remove it.'
        )
    return dependencies


def _resolve(owner: str, dependency: Any, known: Collection[type]) -> Any:
    """A view class for a `view_dependencies` entry: the class, or "app_label.ClassName".

    A string avoids a circular import between two apps' views modules.
    """
    if not isinstance(dependency, str):
        return dependency
    found = [cls for cls in known if dependency in (_app_dotted(cls), label(cls))]
    if len(found) == 1:
        return found[0]
    same_name = [_app_dotted(cls) for cls in known if cls.__name__ == dependency.split(".")[-1]]
    suggestion = f" Did you mean {' or '.join(repr(s) for s in same_name)}?" if same_name else ""
    raise DependencyError(
        f"{owner}: view_dependencies names {dependency!r}, which is not a registered view of "
        'this database; name a view class, or write it as "app_label.ClassName".' + suggestion
    )


def _app_dotted(cls: type) -> str:
    """`app_label.ClassName`, the app being the installed app whose module defines the class."""
    config = apps.get_containing_app_config(cls.__module__)
    return f"{config.label if config else cls.__module__}.{cls.__name__}"


def check_databases(classes: Iterable[type[PostgresView]], aliases: Collection[str]) -> None:
    """Refuse a view whose `database` is not an alias of DATABASES: it would never be built."""
    for cls in classes:
        alias = view_database(cls)
        if alias not in aliases:
            raise ViewDefinitionError(
                f'{label(cls)}: database "{alias}" is not in DATABASES (its aliases: '
                f"{', '.join(aliases)}); the view would never be built. Fix `database`."
            )


def build_plan(
    classes: Iterable[type[PostgresView]],
    using: str,
    *,
    roles: Sequence[str] = (),
    inline: InlineParams,
    index_sql: IndexSql | None = None,
    check_sql: bool = True,
) -> Plan:
    """Validate and order the view classes of database `using`.

    Args:
        classes: the registered view classes of that database.
        using: the database alias.
        roles: roles granted SELECT on the non-hidden views.
        inline: inlines query parameters as literals (the driver's; database/dialect.py).
        index_sql: renders Meta.indexes of readable materialised views (the schema editor's).
        check_sql: read each SQL view's `sql` with PostgreSQL's grammar now; False leaves it
            to `check_queries`, which the sync runs on the views it builds.

    Raises:
        ViewDefinitionError: naming the class, for any bad definition.
    """
    classes = list(classes)
    dependencies = {cls: _dependencies(cls, set(classes), using) for cls in classes}
    specs: dict[type, ViewSpec] = {}
    for cls in _ordered(dependencies):  # dependencies first, so their keys are known
        keys = tuple(specs[dependency].key for dependency in dependencies[cls])
        specs[cls] = build_spec(
            cls,
            using,
            inline,
            keys,
            granted=bool(roles),
            check_sql=check_sql,
            index_sql=index_sql,
        )
    views = tuple(_with_unique_index_names(specs).values())
    _refuse_duplicates(views)
    for role in roles:
        check_identifier("ORM_VIEWS_GRANT_SELECT_TO", "role", role)
    return Plan(using=using, views=views, roles=tuple(dict.fromkeys(roles)))


def _ordered(dependencies: dict[type, list[type]]) -> list[type]:
    """The classes, each after those it reads (graphlib); a cycle is refused, naming it."""
    sorter: graphlib.TopologicalSorter[type] = graphlib.TopologicalSorter(dependencies)
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(label(cls) for cls in exc.args[1])
        raise DependencyError(f"view_dependencies form a cycle: {cycle}.") from exc


def _refuse_duplicates(views: Sequence[ViewSpec]) -> None:
    seen: dict[Key, str] = {}
    for spec in views:
        if spec.key in seen:
            raise ViewDefinitionError(
                f"{spec.label} and {seen[spec.key]} both define view "
                f"{relation_label(*spec.key)}; give one of them another `name` or `prefix`."
            )
        seen[spec.key] = spec.label


def _with_unique_index_names(specs: dict[type, ViewSpec]) -> dict[type, ViewSpec]:
    """Name each pk_field index `<view>_<pk_field>_uniq`, hashed when too long or taken.

    An index shares its schema's namespace with the views: view `mv_id_uniq` and the index of
    view `mv` on `id` would collide, and so would two names PostgreSQL truncated alike.
    """
    taken = {spec.key for spec in specs.values()}
    named = {}
    for cls, spec in specs.items():
        if spec.materialized and spec.pk_field:
            name = pk_index_name(spec.name, spec.pk_field)
            if not fits(name) or (spec.schema, name) in taken:
                name = hashed_identifier(name)
            if (spec.schema, name) in taken:
                raise ViewDefinitionError(
                    f'{spec.label}: the name of its pk_field index, "{name}", is taken by '
                    "another view; rename the view."
                )
            taken.add((spec.schema, name))
            spec = dataclasses.replace(spec, unique_index=name)
        named[cls] = spec
    return named
