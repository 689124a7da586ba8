"""Turn view classes into a validated, dependency-ordered plan of pure data.

Every definition error is found here, before any SQL runs, and names the class at fault.
Querysets are compiled here (which needs the database's SQL dialect but sends nothing to it).
"""

from __future__ import annotations

import dataclasses
import graphlib
import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from django.apps import apps
from django.db import connections
from django.db.models import QuerySet

from ..definitions.views import (
    PostgresView,
    PostgresViewFromQueryset,
    label,
    read_queryset,
    read_sql,
    view_comment,
    view_database,
    view_name,
    view_schema,
)
from ..exceptions import DependencyError, RefreshScheduleError, SqlSyntaxError, ViewDefinitionError
from . import sql_text

#: PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1).
MAX_IDENTIFIER_BYTES = 63
#: The schema of the package's own state (refresh_state.py): never a schema of views.
STATE_SCHEMA = "django_orm_views_hook"
RESERVED_SCHEMAS = frozenset({"public", "information_schema", STATE_SCHEMA})
#: The shortest `refresh_every`: the schedulers (cron, pg_cron) look once a minute.
SHORTEST_REFRESH = timedelta(minutes=1)

#: (sql, params) -> the same SQL with the parameters inlined as literals, by the driver.
InlineParams = Callable[[str, Sequence[Any]], str]


@dataclass(frozen=True)
class ViewSpec:
    """Everything needed to create one view, and the class it came from (for messages)."""

    label: str
    schema: str
    name: str
    query: str
    materialized: bool = False
    with_data: bool = True
    pk_field: str | None = None
    hidden: bool = False
    dependencies: tuple[tuple[str, str], ...] = ()
    #: Columns the view must have after creation (a readable view's model fields); the sync
    #: fails, naming the class, when one is missing.
    required_columns: tuple[str, ...] = ()
    #: The unique index on `pk_field` (materialised only): cut to 63 bytes and never the name
    #: of another relation of the plan.
    unique_index: str | None = None
    #: Documentation for analysts: becomes the view's COMMENT (the class docstring by default).
    comment: str | None = None
    #: (column, text) for COMMENT ON COLUMN: a readable view's field help_text or verbose_name.
    column_comments: tuple[tuple[str, str], ...] = ()
    #: CREATE INDEX statements run after the view is created (a readable materialised view's
    #: Meta.indexes).
    indexes: tuple[str, ...] = ()
    #: The names of those indexes: the sync marks them as its own.
    index_names: tuple[str, ...] = ()
    #: WITH (security_barrier): a reader's functions cannot see the rows the view filters out.
    security_barrier: bool = False
    #: WITH (security_invoker), PostgreSQL 15+: the reader's privileges and row security apply.
    security_invoker: bool = False
    #: The query is a class's `sql`: PostgreSQL's grammar must read it as one query before it
    #: runs (`check_queries`). A queryset's SQL is Django's, compiled: always one SELECT.
    from_sql: bool = False
    #: Materialised only: refreshed once this much time has passed since its last refresh.
    refresh_every: timedelta | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.name)


@dataclass(frozen=True)
class Plan:
    """The views of one database in creation order (dependencies first), and the grantees."""

    using: str
    views: tuple[ViewSpec, ...]
    roles: tuple[str, ...] = ()
    schemas: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.schemas:
            ordered = dict.fromkeys(view.schema for view in self.views)
            object.__setattr__(self, "schemas", tuple(ordered))

    def by_label(self, view_label: str) -> ViewSpec:
        return next(view for view in self.views if view.label == view_label)


def check_identifier(owner: str, what: str, value: object) -> str:
    """Refuse identifiers that quoting cannot make safe or that PostgreSQL would truncate."""
    if not isinstance(value, str) or not value:
        raise ViewDefinitionError(f"{owner}: {what} must be a non-empty string, not {value!r}.")
    if '"' in value or "\x00" in value:
        raise ViewDefinitionError(
            f"{owner}: {what} {value!r} contains a double quote or a NUL byte; choose another."
        )
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise ViewDefinitionError(f"{owner}: {what} {value!r} is not valid Unicode text.") from exc
    if len(value.encode()) > MAX_IDENTIFIER_BYTES:
        raise ViewDefinitionError(
            f"{owner}: {what} {value!r} is {len(value.encode())} bytes long; PostgreSQL "
            f"truncates identifiers to {MAX_IDENTIFIER_BYTES}. Set a shorter `name` or `prefix`."
        )
    return value


def check_schema(owner: str, schema: object) -> str:
    schema = check_identifier(owner, "schema", schema)
    if schema in RESERVED_SCHEMAS or schema.startswith("pg_"):
        raise ViewDefinitionError(
            f"{owner}: schema {schema!r} is reserved or shared; the managed schema is rebuilt "
            "by this package, so give it a schema of its own (ORM_VIEWS_SCHEMA or `schema`)."
        )
    return schema


def _compile_query(
    cls: type[PostgresView], using: str, inline: InlineParams, check_sql: bool
) -> tuple[str, tuple[str, ...] | None]:
    """The view's SELECT, and its column names when they are known before it runs (querysets)."""
    owner = label(cls)
    if issubclass(cls, PostgresViewFromQueryset):
        try:
            queryset = read_queryset(cls)
        except Exception as exc:
            raise ViewDefinitionError(f"{owner}: get_queryset() raised {exc!r}.") from exc
        if not isinstance(queryset, QuerySet):
            raise ViewDefinitionError(
                f"{owner}: get_queryset() must return a QuerySet, not {type(queryset).__name__}."
            )
        bound = getattr(queryset, "_db", None)  # set only by an explicit .using()
        if bound is not None and bound != using:
            raise ViewDefinitionError(
                f'{owner}: get_queryset() returns a queryset bound to database "{bound}" with '
                f'.using(), but the view lives in "{using}"; set `database = "{bound}"` on the '
                "view or drop the .using()."
            )
        try:
            # elide_empty=False: a queryset that matches nothing (`id__in=[]`) compiles to an
            # always-false WHERE, as the ORM runs it, instead of raising EmptyResultSet.
            compiler = queryset.query.get_compiler(using=using, elide_empty=False)
            sql, params = compiler.as_sql()
        except Exception as exc:
            raise ViewDefinitionError(
                f"{owner}: the queryset does not compile to SQL: {exc!r}."
            ) from exc
        columns = tuple(
            alias or getattr(getattr(expression, "target", None), "column", None) or ""
            for expression, _, alias in compiler.select
        )
        # Always through the driver, even without parameters: Django doubles every literal %
        # in the SQL it compiles (LIKE '%%' || ...), and only the driver's formatting undoes it.
        return inline(sql, params), columns
    try:
        sql = read_sql(cls)
    except Exception as exc:
        raise ViewDefinitionError(f"{owner}: reading `sql` raised {exc!r}.") from exc
    if not isinstance(sql, str) or not sql.strip():
        raise ViewDefinitionError(
            f"{owner}: `sql` must be a non-empty SELECT statement, not {sql!r} "
            "(set `abstract = True` on base classes that are not views)."
        )
    sql = sql.strip()
    if sql.endswith(";"):
        raise ViewDefinitionError(
            f"{owner}: `sql` ends with a semicolon; a view is one SELECT, so remove it."
        )
    if check_sql:
        _check_one_query(owner, sql)
    return sql, None


def check_queries(views: Iterable[ViewSpec]) -> None:
    """Read each SQL view's query with PostgreSQL's grammar, in order; the first that is not
    exactly one query raises ViewDefinitionError naming its class.

    A plan built with `check_sql=True` has done it; the executor does it for the views it is
    about to build, before any DDL, so that a re-sync with nothing changed parses nothing.
    """
    for view in views:
        if view.from_sql:
            _check_one_query(view.label, view.query)


def _check_one_query(owner: str, sql: str) -> None:
    """Refuse SQL that is several statements, or one that is not a query, as PostgreSQL reads it."""
    try:
        found = sql_text.statement_kinds(sql)
    except SqlSyntaxError as exc:
        raise ViewDefinitionError(f"{owner}: `sql` is not valid SQL: {exc}.") from exc
    if len(found) != 1:
        raise ViewDefinitionError(
            f"{owner}: `sql` holds {len(found)} statements; a view is one SELECT."
        )
    if found[0] != "SelectStmt":  # SELECT, VALUES, TABLE, WITH ... SELECT and set operations
        raise ViewDefinitionError(
            f"{owner}: `sql` is not a query (PostgreSQL reads it as {found[0]}); a view's `sql` "
            "must be a SELECT (or WITH ... SELECT, VALUES, TABLE)."
        )


def _view_option(owner: str, cls: type[PostgresView], option: str, default: bool) -> bool:
    """A security option: True/False, None for the default; refused on a materialised view."""
    value = getattr(cls, option, None)
    if value is None:
        return default and not getattr(cls, "materialized", False)
    if not isinstance(value, bool):
        raise ViewDefinitionError(f"{owner}: {option} must be True, False or None, not {value!r}.")
    if value and getattr(cls, "materialized", False):
        raise ViewDefinitionError(
            f"{owner}: {option} applies to plain views only; a materialised view stores its own "
            f"rows and is read with its owner's privileges. Remove {option} = True."
        )
    return value


def build_spec(
    cls: type[PostgresView],
    using: str,
    inline: InlineParams,
    dependencies: tuple[tuple[str, str], ...] = (),
    *,
    granted: bool = False,
    check_sql: bool = True,
) -> ViewSpec:
    """Validate one class and compile it into a ViewSpec (dependencies resolved later).

    `granted`: the plan grants SELECT to roles, so a visible view gets security_barrier.
    `check_sql`: read a SQL view's `sql` with PostgreSQL's grammar now (else check_queries).
    """
    owner = label(cls)
    _check_declared(cls)
    materialized = bool(getattr(cls, "materialized", False))
    pk_field = getattr(cls, "pk_field", None)
    if pk_field is not None:
        check_identifier(owner, "pk_field", pk_field)
        if not materialized:
            raise ViewDefinitionError(
                f"{owner}: pk_field {pk_field!r} is set, but the view is not materialised, so "
                "it would be ignored; mix in PostgresMaterialisedViewMixin or remove it."
            )
    with_data = getattr(cls, "with_data", True)
    if not isinstance(with_data, bool):
        raise ViewDefinitionError(f"{owner}: with_data must be True or False, not {with_data!r}.")
    query, columns = _compile_query(cls, using, inline, check_sql)
    hidden = bool(getattr(cls, "hidden", False))
    if materialized and pk_field and columns is not None and pk_field not in columns:
        raise ViewDefinitionError(
            f"{owner}: pk_field {pk_field!r} is not a column of the view (its columns: "
            f"{', '.join(columns)}); name one of them."
        )
    return ViewSpec(
        label=owner,
        schema=check_schema(owner, view_schema(cls)),
        name=check_identifier(owner, "view name", view_name(cls)),
        query=query,
        dependencies=dependencies,
        materialized=materialized,
        with_data=with_data,
        pk_field=pk_field,
        hidden=hidden,
        required_columns=_model_columns(cls),
        comment=view_comment(cls),
        column_comments=_column_comments(cls),
        indexes=_model_indexes(cls, using),
        index_names=tuple(index.name for index in _model_meta_indexes(cls)),
        security_barrier=_view_option(owner, cls, "security_barrier", granted and not hidden),
        security_invoker=_view_option(owner, cls, "security_invoker", False),
        from_sql=not issubclass(cls, PostgresViewFromQueryset),
        refresh_every=_refresh_every(owner, cls, materialized),
    )


def _refresh_every(owner: str, cls: type[PostgresView], materialized: bool) -> timedelta | None:
    """`refresh_every`, refused unless a timedelta of at least a minute on a materialised view."""
    every = getattr(cls, "refresh_every", None)
    if every is None:
        return None
    if not isinstance(every, timedelta):
        raise RefreshScheduleError(
            f"{owner}: refresh_every must be a datetime.timedelta, e.g. "
            f"timedelta(minutes=15), not {every!r}.",
            "orm_views.E021",
        )
    if not materialized:
        raise RefreshScheduleError(
            f"{owner}: refresh_every is set, but the view is not materialised, so there is "
            "nothing to refresh (a plain view is always current); mix in "
            "PostgresMaterialisedViewMixin or remove refresh_every.",
            "orm_views.E020",
        )
    if every < SHORTEST_REFRESH:
        raise RefreshScheduleError(
            f"{owner}: refresh_every is {every}, under a minute; schedulers run "
            "refresh_views --due once a minute at most. Use timedelta(minutes=1) or more.",
            "orm_views.E022",
        )
    return every


def _check_declared(cls: type[PostgresView]) -> None:
    """Refuse a `name`, `prefix`, `schema` or `database` that is set but is not a string.

    They would be silently ignored (the derived name, the default schema or database used).
    A readable view's model field of that name is a column, not a setting.
    """
    for attribute in ("name", "prefix", "schema", "database"):
        value = getattr(cls, attribute, None)
        if value is None or isinstance(value, str) or hasattr(value, "field"):
            continue
        raise ViewDefinitionError(f"{label(cls)}: `{attribute}` must be a string, not {value!r}.")


def _column_comments(cls: type[PostgresView]) -> tuple[tuple[str, str], ...]:
    """help_text, else an explicit verbose_name, of each field of a readable view."""
    meta = getattr(cls, "_meta", None)
    if meta is None or getattr(cls, "comment", None) is False:
        return ()
    found = []
    for model_field in meta.concrete_fields:
        if model_field.auto_created:
            continue  # Django's own "ID" primary key documents nothing
        # _verbose_name is what the field was given; verbose_name is derived from the name.
        given = getattr(model_field, "_verbose_name", None)
        text = str(model_field.help_text or given or "")
        if text:
            found.append((model_field.column, text))
    return tuple(found)


def _model_columns(cls: type[PostgresView]) -> tuple[str, ...]:
    meta = getattr(cls, "_meta", None)  # readable views are models
    if meta is None:
        return ()
    return tuple(field.column for field in meta.concrete_fields)


def _model_meta_indexes(cls: type[PostgresView]) -> list[Any]:
    meta = getattr(cls, "_meta", None)  # readable views are models
    return list(meta.indexes) if meta is not None else []


def _model_indexes(cls: type[PostgresView], using: str) -> tuple[str, ...]:
    indexes = _model_meta_indexes(cls)
    if not indexes:
        return ()
    # A schema editor that is never entered only renders SQL: no transaction, no query.
    editor = connections[using].schema_editor()
    return tuple(str(index.create_sql(cls, editor)) for index in indexes)


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
    inline: InlineParams | None = None,
    check_sql: bool = True,
) -> Plan:
    """Validate and order the view classes of database `using`.

    Args:
        classes: the registered view classes of that database.
        using: the database alias.
        roles: roles granted SELECT on the non-hidden views.
        inline: inlines query parameters as literals; defaults to the connection's driver.
        check_sql: read each SQL view's `sql` with PostgreSQL's grammar now; False leaves it
            to `check_queries`, which the executor runs on the views it builds.

    Raises:
        ViewDefinitionError: naming the class, for any bad definition.
    """
    # PostgreSQL's DatabaseOperations has compose_sql (the driver's literal quoting).
    inline = inline or cast(Any, connections[using].ops).compose_sql
    classes = list(classes)
    known = set(classes)
    dependencies = {cls: _dependencies(cls, known, using) for cls in classes}
    sorter: graphlib.TopologicalSorter[type] = graphlib.TopologicalSorter(dependencies)
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(label(cls) for cls in exc.args[1])
        raise DependencyError(f"view_dependencies form a cycle: {cycle}.") from exc

    specs: dict[type, ViewSpec] = {}
    for cls in order:  # dependencies first, so their keys are known
        keys = tuple(specs[dependency].key for dependency in dependencies[cls])
        specs[cls] = build_spec(cls, using, inline, keys, granted=bool(roles), check_sql=check_sql)

    specs = _with_unique_index_names(specs)
    seen: dict[tuple[str, str], str] = {}
    for spec in specs.values():
        if spec.key in seen:
            raise ViewDefinitionError(
                f"{spec.label} and {seen[spec.key]} both define view "
                f'"{spec.schema}"."{spec.name}"; give one of them another `name` or `prefix`.'
            )
        seen[spec.key] = spec.label

    views = tuple(specs.values())
    for role in roles:
        check_identifier("ORM_VIEWS_GRANT_SELECT_TO", "role", role)
    return Plan(using=using, views=views, roles=tuple(dict.fromkeys(roles)))


def _with_unique_index_names(specs: dict[type, ViewSpec]) -> dict[type, ViewSpec]:
    """Name each pk_field index `<view>_<pk_field>_uniq`, hashed when too long or taken.

    An index shares its schema's namespace with the views: view `mv_id_uniq` and the index of
    view `mv` on `id` would collide, and so would two names PostgreSQL truncated alike.
    """
    taken = {spec.key for spec in specs.values()}
    named = {}
    for cls, spec in specs.items():
        if spec.materialized and spec.pk_field:
            name = f"{spec.name}_{spec.pk_field}_uniq"
            if len(name.encode()) > MAX_IDENTIFIER_BYTES or (spec.schema, name) in taken:
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


def hashed_identifier(name: str) -> str:
    """`name` cut to fit 63 bytes (at a character boundary) with 8 hex digits of its hash."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    head = name.encode()[: MAX_IDENTIFIER_BYTES - len(digest) - 1].decode(errors="ignore")
    return f"{head}_{digest}"
