"""One view class validated and compiled into a ViewSpec; every error names the class.

Everything a class declares is checked here, before any SQL runs: its names, options,
`refresh_every`, a readable view's model (columns, comments, indexes). Dependencies are
resolved and ordered by `order.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..definitions.naming import label, view_name, view_schema
from ..definitions.views import PostgresView, PostgresViewFromQueryset, view_comment
from ..exceptions import RefreshScheduleError, ViewDefinitionError
from .compile import compile_query
from .identifiers import check_identifier, check_schema
from .plan import IndexSql, InlineParams, Key, ViewSpec

#: The shortest `refresh_every`: the schedulers (cron, pg_cron) look once a minute.
SHORTEST_REFRESH = timedelta(minutes=1)


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
    dependencies: tuple[Key, ...] = (),
    *,
    granted: bool = False,
    check_sql: bool = True,
    index_sql: IndexSql | None = None,
) -> ViewSpec:
    """Validate one class and compile it into a ViewSpec (dependencies resolved later).

    `granted`: the plan grants SELECT to roles, so a visible view gets security_barrier.
    `check_sql`: read a SQL view's `sql` with PostgreSQL's grammar now (else check_queries).
    `index_sql`: renders a readable materialised view's Meta.indexes (the database's schema
    editor); needed only by a class that declares some.
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
    query, columns = compile_query(cls, using, inline, check_sql)
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
        indexes=_model_indexes(cls, index_sql),
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


def _model_indexes(cls: type[PostgresView], index_sql: IndexSql | None) -> tuple[str, ...]:
    indexes = _model_meta_indexes(cls)
    if not indexes:
        return ()
    if index_sql is None:
        raise TypeError(f"{label(cls)} declares Meta.indexes: planning it needs index_sql.")
    return tuple(index_sql(cls, index) for index in indexes)
