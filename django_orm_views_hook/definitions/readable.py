"""Readable views: view classes that are also read-only, unmanaged Django models.

Kept out of `views.py` because defining a model class needs the app registry to be ready (the
package exports these names lazily).

A readable view is a model of the app whose module defines it, like any model. What keeps it
out of migrations is not its app but this package's `makemigrations` and `migrate` commands,
whose autodetector leaves readable views out (migrate/autodetector.py).

`db_table` is fixed when the class is created, so `ORM_VIEWS_SCHEMA` is read at import time.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.apps import apps
from django.apps.registry import Apps
from django.db import models
from django.db.models.base import ModelBase

from ..exceptions import ReadOnlyViewError, ViewDefinitionError
from .naming import label, relation_label, view_name, view_schema
from .views import PostgresViewFromQueryset, PostgresViewFromSQL

#: on_delete handlers that only read. The others make Django's deletion collector DELETE or
#: UPDATE through the view, which PostgreSQL applies to the table behind a simple view.
READ_ONLY_ON_DELETE = (models.DO_NOTHING, models.PROTECT, models.RESTRICT)


def _refuse(model: type[models.Model], operation: str) -> NoReturn:
    raise ReadOnlyViewError(
        f"{label(model)} is a read-only view ({model._meta.db_table}): {operation} would write "
        "to it. Change the tables the view reads instead."
    )


def _refusal(name: str) -> Any:
    """A QuerySet method that raises instead of writing; Manager proxies it like the original."""
    original = getattr(models.QuerySet, name)

    def refuse(self: models.QuerySet[Any], *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(self.model, f"QuerySet.{name}()")

    refuse.__name__ = refuse.__qualname__ = name
    refuse.alters_data = True  # type: ignore[attr-defined]
    if hasattr(original, "queryset_only"):
        refuse.queryset_only = original.queryset_only  # type: ignore[attr-defined]
    return refuse


class ReadOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Reads like any QuerySet; every write raises ReadOnlyViewError before any SQL runs.

    `get_or_create()` still finds existing rows; it raises only when it would create one.
    """

    create = _refusal("create")
    bulk_create = _refusal("bulk_create")
    bulk_update = _refusal("bulk_update")
    update = _refusal("update")
    update_or_create = _refusal("update_or_create")
    delete = _refusal("delete")
    # What Model.save(), related managers and the deletion collector call underneath.
    _insert = _refusal("_insert")
    _update = _refusal("_update")
    _raw_delete = _refusal("_raw_delete")


class ReadOnlyManager(models.Manager.from_queryset(ReadOnlyQuerySet)):  # type: ignore[misc]
    """The manager of readable views; a custom manager must derive from it."""


def _meta_class(parent: type | None, module: str, **values: Any) -> type:
    return type("Meta", (parent,) if parent is not None else (), {"__module__": module, **values})


def _refuse_options(owner: str, meta: type | None, bases: tuple[type, ...]) -> None:
    for base in bases:
        base_meta = getattr(base, "_meta", None)
        if base_meta is not None and not base_meta.abstract:
            raise ViewDefinitionError(
                f"{owner}: it subclasses {label(base)}, a readable view; multi-table "
                "inheritance needs tables. Share fields through an abstract base instead "
                "(class Meta: abstract = True)."
            )
    if getattr(meta, "db_table", None):
        raise ViewDefinitionError(
            f"{owner}: Meta.db_table is derived from the view; set `name` or `schema` instead."
        )
    if getattr(meta, "managed", False):
        raise ViewDefinitionError(f"{owner}: a readable view is never managed; remove managed.")
    if getattr(meta, "proxy", False):
        raise ViewDefinitionError(
            f"{owner}: proxy readable views are not supported; define another readable view."
        )


def _check_app_label(owner: str, module: str, meta: type | None) -> None:
    """A readable view must belong to an installed app, as any model must."""
    app_label = getattr(meta, "app_label", None)
    if app_label is None:
        if apps.get_containing_app_config(module) is None:
            raise ViewDefinitionError(
                f"{owner}: a readable view is a model, and {module} is in no installed app. "
                "Define it in an app's views module, or set Meta.app_label."
            )
        return
    try:
        apps.get_app_config(app_label)
    except LookupError:
        raise ViewDefinitionError(
            f'{owner}: Meta.app_label "{app_label}" is not an installed app; leave it unset '
            "(a readable view belongs to the app that defines it)."
        ) from None


def _check_model(cls: Any) -> None:
    """Refuse what would make Django write to the view, or need a table the view cannot have."""
    owner, opts = label(cls), cls._meta
    for field in opts.local_many_to_many:
        through = field.remote_field.through
        if not isinstance(through, str) and through._meta.auto_created:
            raise ViewDefinitionError(
                f"{owner}.{field.name}: a ManyToManyField needs a table of its own; give it a "
                "readable view as `through`, or use a ForeignKey."
            )
    for field in opts.local_fields:
        on_delete = getattr(field.remote_field, "on_delete", None)
        if on_delete is not None and on_delete not in READ_ONLY_ON_DELETE:
            target = field.remote_field.model  # a string until a lazy reference resolves
            raise ViewDefinitionError(
                f"{owner}.{field.name}: on_delete={on_delete.__name__} would make deleting a "
                f"{getattr(target, '__name__', target)} delete or update rows through the view; "
                "use models.DO_NOTHING (the view follows its tables by itself)."
            )
    for manager in opts.managers:
        if not issubclass(manager._queryset_class, ReadOnlyQuerySet):
            raise ViewDefinitionError(
                f"{owner}: manager {manager.name!r} allows writes; derive it from "
                "django_orm_views_hook.definitions.readable.ReadOnlyManager (or ReadOnlyQuerySet)."
            )
    materialized = getattr(cls, "materialized", False)
    if opts.indexes and not materialized:
        raise ViewDefinitionError(
            f"{owner}: Meta.indexes needs a materialised view; mix in "
            "PostgresMaterialisedViewMixin or remove the indexes."
        )
    if materialized and getattr(cls, "pk_field", None) is None:
        # The model's primary key must be unique anyway; the index also allows
        # refresh(concurrently=True).
        cls.pk_field = opts.pk.column


def _refuse_name_clash(cls: Any) -> None:
    opts = cls._meta
    known = opts.apps.all_models[opts.app_label].get(opts.model_name)
    if known is not None and (known.__module__, known.__name__) != (cls.__module__, cls.__name__):
        raise ViewDefinitionError(
            f'{label(cls)}: {label(known)} is model "{opts.app_label}.{opts.model_name}" already; '
            "two models of one app need different class names. Rename one class (set `name` "
            "to keep its view's name), or define it in another app."
        )


class ReadableViewBase(ModelBase):
    """Makes each concrete readable view an unmanaged model of `"schema"."name"`."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any], **kw: Any) -> Any:
        owner = f"{attrs['__module__']}.{attrs.get('__qualname__', name)}"
        declared = attrs.get("Meta")
        if getattr(declared, "abstract", False) or attrs.get("abstract") is True:
            # A base class, for Django and for discovery alike.
            attrs["abstract"] = True
            if not getattr(declared, "abstract", False):
                attrs["Meta"] = _meta_class(declared, attrs["__module__"], abstract=True)
            return super().__new__(mcs, name, bases, attrs, **kw)
        # Without its own Meta, a model inherits its abstract parent's (as Django does).
        meta = declared or next((b.Meta for b in bases if hasattr(b, "Meta")), None)
        _refuse_options(owner, meta, bases)
        _check_app_label(owner, attrs["__module__"], meta)
        attrs["Meta"] = _meta_class(meta, attrs["__module__"], managed=False)
        cls = super().__new__(mcs, name, bases, attrs, **kw)
        _check_model(cls)
        return cls

    def add_to_class(cls, name: str, value: Any) -> None:
        if name == "_meta" and not getattr(value.meta, "abstract", False):
            # The class exists, with the `name`, `prefix` and `schema` it declares or inherits,
            # and Options has not read Meta yet: db_table set here is in `original_attrs`, so
            # migration states see it, and index names derive from it.
            # Quoted as messages show it, which Django's quote_name leaves as it is.
            value.meta.db_table = relation_label(view_schema(cls), view_name(cls))
        super().add_to_class(name, value)
        if name == "_meta" and not value.abstract:
            _refuse_name_clash(cls)


class ReadableView(models.Model, metaclass=ReadableViewBase):
    """What both readable bases share: read-only rows and `refresh()`."""

    objects = ReadOnlyManager()

    class Meta:
        abstract = True
        # Related managers and the deletion collector use the base manager: read-only too.
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(type(self), "save()")

    save.alters_data = True  # type: ignore[attr-defined]

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(type(self), "delete()")

    delete.alters_data = True  # type: ignore[attr-defined]

    @classmethod
    def refresh(cls, concurrently: bool = False) -> None:
        """REFRESH MATERIALIZED VIEW: `refresh_materialized_view(cls, concurrently)`."""
        # The public function, as a project would call it: refresh/ is above this layer, so
        # it is reached through the package's public face, when called.
        from .. import refresh_materialized_view

        refresh_materialized_view(cls, concurrently=concurrently)  # type: ignore[arg-type]


def readable_views(registry: Apps = apps) -> list[type[ReadableView]]:
    """The readable views among the models of `registry` (the project's, by default)."""
    return [model for model in registry.get_models() if issubclass(model, ReadableView)]


class ReadableViewFromSQL(PostgresViewFromSQL, ReadableView):
    """A SQL view you can also query: `MyView.objects.filter(...)`."""

    abstract = True

    class Meta:
        abstract = True


class ReadableViewFromQueryset(PostgresViewFromQueryset, ReadableView):
    """A queryset view you can also query: `MyView.objects.filter(...)`."""

    abstract = True

    class Meta:
        abstract = True
