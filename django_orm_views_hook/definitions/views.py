"""The base classes users subclass in their `postgres_views` modules.

They only describe a view; turning them into a plan is `planning/`'s job and running it is
`sync/`'s, so nothing here touches a database. How a class's names are read: `naming.py`.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db import DEFAULT_DB_ALIAS
from django.utils.functional import classproperty

from .naming import derived_name, sql_name, view_name, view_schema

if TYPE_CHECKING:
    from django.db.models import QuerySet


class PostgresMaterialisedViewMixin:
    """Mix in (before or after the view base) to make a MATERIALIZED VIEW.

    `pk_field` names a column that gets a unique index, which `refresh(concurrently=True)`
    needs; `with_data = False` creates the view empty (`WITH NO DATA`) until its first refresh.
    `refresh_every = timedelta(minutes=15)` says how fresh it must be: `refresh_views --due`
    (or the pg_cron job) refreshes it once that much time has passed since its last refresh.
    """

    materialized: ClassVar[bool] = True
    pk_field: ClassVar[str | None] = None
    with_data: ClassVar[bool] = True


class HiddenViewMixin:
    """Mix in (before or after the view base) to keep a view away from the read roles."""

    hidden: ClassVar[bool] = True


def _apply_mixins(cls: type[PostgresView]) -> None:
    """Let a mixin win over PostgresView's own defaults, whichever order the bases are in.

    Listed after the view base, a mixin's attribute would be shadowed by PostgresView's
    default: a HiddenViewMixin view would be granted to the read roles. An attribute a class
    sets itself (or inherits from a user's class) still wins.
    """
    for mixin, attribute in (
        (PostgresMaterialisedViewMixin, "materialized"),
        (HiddenViewMixin, "hidden"),
    ):
        owner = next(base for base in cls.__mro__ if attribute in vars(base))
        if owner is PostgresView and issubclass(cls, mixin):
            setattr(cls, attribute, True)


class PostgresView:
    """Attributes shared by every view; subclass one of the concrete bases below.

    Set `abstract = True` in a class body to make a base class of your own that is not a view.
    """

    abstract: ClassVar[bool] = True
    prefix: ClassVar[str | None] = None
    schema: ClassVar[str | None] = None
    database: ClassVar[str] = DEFAULT_DB_ALIAS
    #: View classes this one reads, or "app_label.ClassName" strings (no circular imports).
    view_dependencies: ClassVar[Sequence[type[PostgresView] | str]] = ()
    hidden: ClassVar[bool] = False
    #: COMMENT ON VIEW for analysts (psql \d+, BI tools): None uses the class docstring,
    #: a string replaces it, False writes none.
    comment: ClassVar[str | bool | None] = None
    materialized: ClassVar[bool] = False
    #: Materialised views only: how old its rows may get; `refresh_views --due` refreshes it
    #: once this much time has passed since its last successful refresh. None: not scheduled.
    refresh_every: ClassVar[timedelta | None] = None
    #: WITH (security_barrier), so that a reader's own functions cannot see the rows the view
    #: filters out. None: on for plain views granted to the ORM_VIEWS_GRANT_SELECT_TO roles.
    security_barrier: ClassVar[bool | None] = None
    #: WITH (security_invoker), PostgreSQL 15+: the reader's own privileges and row-level
    #: security apply to what the view reads, instead of the owner's.
    security_invoker: ClassVar[bool | None] = None
    #: django-tenants projects: True builds a copy in each tenant's views schema, reading that
    #: tenant's tables; False builds one, in the shared schema. None: per tenant when the view
    #: reads a table of a TENANT_APPS app, or a view that is per tenant.
    per_tenant: ClassVar[bool | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # `abstract` is never inherited: a subclass of an abstract base is a view.
        if "abstract" not in cls.__dict__:
            cls.abstract = False
        _apply_mixins(cls)

    @classproperty
    def name(cls) -> str:  # noqa: N805 - classproperty passes the class
        """The view's name: `classname.lower()`, after `prefix_` when a prefix is set.

        Set `name = "..."` on a subclass to choose the name outright.
        """
        return derived_name(cast(type, cls))

    @classproperty
    def name_with_schema(cls) -> str:  # noqa: N805
        """`schema.name`, for SQL that reads the view: unquoted, as the original package spelt
        it, except a part PostgreSQL would not read as written unquoted (a capital, a space, a
        hyphen: a django-tenants schema may have them), which is double-quoted."""
        view = cast(type, cls)
        return f"{sql_name(view_schema(view))}.{sql_name(view_name(view))}"


class PostgresViewFromSQL(PostgresView):
    """A view defined by a SELECT statement in `sql` (a class attribute or classproperty)."""

    abstract = True
    sql: ClassVar[str | None] = None


class PostgresViewFromQueryset(PostgresView):
    """A view defined by a QuerySet returned by `get_queryset()` (classmethod or method)."""

    abstract = True

    @classmethod
    def get_queryset(cls) -> QuerySet[Any]:
        raise NotImplementedError(f"{cls.__qualname__} must define get_queryset()")


def is_view_class(obj: object) -> bool:
    """True for a concrete (non-abstract) subclass of PostgresView."""
    return inspect.isclass(obj) and issubclass(obj, PostgresView) and not obj.abstract


def read_sql(cls: type) -> object:
    """The `sql` of a SQL view, whether an attribute, a classproperty or a property."""
    if isinstance(inspect.getattr_static(cls, "sql", None), property):
        return cls().sql
    return getattr(cls, "sql", None)


def read_queryset(cls: type) -> object:
    """Call `get_queryset()`, a classmethod or a plain method (as in the original's docs)."""
    declared = inspect.getattr_static(cls, "get_queryset")
    owner = cls if isinstance(declared, (classmethod, staticmethod)) else cls()
    return owner.get_queryset()  # type: ignore[union-attr]


def view_comment(cls: type) -> str | None:
    """The view's documentation: `comment` if a string, none if False, else its own docstring."""
    declared = getattr(cls, "comment", None)
    if declared is False or isinstance(declared, str):
        return declared or None
    doc = cls.__dict__.get("__doc__")
    if not doc or getattr(cls, "_meta", None) is not None and doc.startswith(f"{cls.__name__}("):
        return None  # no docstring, or the one Django writes for models without one
    return inspect.cleandoc(doc)
