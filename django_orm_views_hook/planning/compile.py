"""A view class's query as SQL text: its `sql`, or its queryset compiled by Django.

Compiling a queryset needs the database's SQL dialect (Django's compiler for the alias) and its
driver's literal quoting (`inline`, from the caller); nothing is sent to the database.
"""

from __future__ import annotations

from django.db.models import QuerySet

from ..definitions.naming import label
from ..definitions.views import PostgresView, PostgresViewFromQueryset, read_queryset, read_sql
from ..exceptions import ViewDefinitionError
from . import sql_text
from .plan import InlineParams


def compile_query(
    cls: type[PostgresView], using: str, inline: InlineParams, check_sql: bool
) -> tuple[str, tuple[str, ...] | None]:
    """The view's SELECT, and its column names when they are known before it runs (querysets).

    `check_sql`: read a SQL view's `sql` with PostgreSQL's grammar now (else `check_queries`).
    """
    if issubclass(cls, PostgresViewFromQueryset):
        return _compiled_queryset(cls, using, inline)
    return _declared_sql(cls, check_sql), None


def _compiled_queryset(
    cls: type[PostgresView], using: str, inline: InlineParams
) -> tuple[str, tuple[str, ...]]:
    owner = label(cls)
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
    # Always through the driver, even without parameters: Django doubles every literal % in
    # the SQL it compiles (LIKE '%%' || ...), and only the driver's formatting undoes it.
    return inline(sql, params), columns


def _declared_sql(cls: type[PostgresView], check_sql: bool) -> str:
    owner = label(cls)
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
        sql_text.check_one_query(owner, sql)
    return sql
