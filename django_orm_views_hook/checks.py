"""System checks: `manage.py check` reports bad definitions and settings before a deploy.

The definition checks run the same validation as the sync (`build_plan`), so both report
identically.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import get_commands, load_command_class
from django.db import OperationalError, connections

from . import conf
from .database import catalog, dialect
from .definitions.naming import label, relation_label
from .definitions.readable import readable_views
from .definitions.registry import default_registry
from .exceptions import ViewDefinitionError
from .planning import diff
from .planning.build import build_spec
from .planning.columns import mismatch
from .planning.identifiers import check_schema
from .planning.order import build_plan, check_databases
from .planning.plan import Plan, ViewSpec
from .sql import ddl
from .sync import plans

#: True while migrate or sync_views runs its system checks: the command reads the `sql` of the
#: views it builds with PostgreSQL's grammar itself, before any DDL, and only of those; reading
#: every SQL view here would make a run with nothing changed parse them all. `manage.py check`
#: (and every other command) reads them all.
_sync_reads_sql: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "django_orm_views_hook_sync_reads_sql", default=False
)


@contextlib.contextmanager
def sql_read_by_the_sync() -> Iterator[None]:
    """Around a sync command's system checks: the definition checks leave view SQL unread."""
    token = _sync_reads_sql.set(True)
    try:
        yield
    finally:
        _sync_reads_sql.reset(token)


def _keep_placeholders(sql: str, params: Sequence[Any]) -> str:
    return sql


#: The hint of each definition error, by check id (E001: every other definition error).
DEFINITION_HINTS = {
    "orm_views.E001": "Fix the view class named above; the sync refuses to run until then.",
    "orm_views.E020": "refresh_every schedules the refresh of a materialised view only.",
    "orm_views.E021": "For example: refresh_every = timedelta(minutes=15).",
    "orm_views.E022": "For example: refresh_every = timedelta(minutes=15).",
}


@checks.register()
def check_definitions(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[Any]:
    """orm_views.E001: a view class that the sync would refuse; W003: names alike but for case.

    E020-E022: a `refresh_every` on a plain view, not a timedelta, or under a minute.
    """
    messages: dict[str, str] = {}  # message -> check id, in the order found
    warnings: list[Any] = []
    check_sql = not _sync_reads_sql.get()
    for cls in default_registry.classes:
        _collect(messages, check_databases, [cls], list(connections))
    for using in plans.databases(default_registry):
        classes = default_registry.for_database(using)
        # Compile without inlining parameters: that needs a connection, a check must not. The
        # schema editor renders Meta.indexes without one.
        options = {"check_sql": check_sql, "index_sql": dialect.index_sql(connections[using])}
        plan = _collect(messages, build_plan, classes, using, inline=_keep_placeholders, **options)
        if plan is not None:
            warnings += _case_warnings(plan)
            continue
        # The plan stops at its first error; each class on its own tells the others at once.
        for cls in classes:
            _collect(messages, build_spec, cls, using, _keep_placeholders, **options)
    errors = [
        checks.Error(message, hint=DEFINITION_HINTS[check_id], id=check_id)
        for message, check_id in messages.items()
    ]
    return errors + warnings


def _collect(
    messages: dict[str, str], function: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """`function(...)`, or None after adding its ViewDefinitionError's message (once)."""
    try:
        return function(*args, **kwargs)
    except ViewDefinitionError as exc:
        messages.setdefault(str(exc), getattr(exc, "check_id", "orm_views.E001"))
        return None


def _case_warnings(plan: Plan) -> list[Any]:
    """Names that only quoting tells apart: unquoted SQL folds them to lower case."""
    first: dict[tuple[str, str], ViewSpec] = {}
    warnings = []
    for view in plan.views:
        folded = (view.schema.lower(), view.name.lower())
        other = first.setdefault(folded, view)
        if other is not view:
            warnings.append(
                checks.Warning(
                    f"views {relation_label(*other.key)} ({other.label}) and "
                    f"{relation_label(*view.key)} ({view.label}) differ only by case; "
                    f"unquoted SQL reads both as {view.schema.lower()}.{view.name.lower()}.",
                    hint="Give one of them another `name`.",
                    id="orm_views.W003",
                )
            )
    return warnings


@checks.register()
def check_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[Any]:
    """orm_views.E1xx: ORM_VIEWS_* settings of the wrong type or value."""
    errors = []
    roles = conf.setting("ORM_VIEWS_GRANT_SELECT_TO")
    if isinstance(roles, str) or not all(isinstance(r, str) for r in roles):
        errors.append(
            checks.Error(
                f"ORM_VIEWS_GRANT_SELECT_TO must be a list of role names, not {roles!r}.",
                hint='For example ORM_VIEWS_GRANT_SELECT_TO = ["analyst"].',
                id="orm_views.E101",
            )
        )
    try:
        check_schema("ORM_VIEWS_SCHEMA", conf.schema())
    except ViewDefinitionError as exc:
        errors.append(
            checks.Error(
                str(exc), hint="Use a schema of its own, e.g. 'views'.", id="orm_views.E102"
            )
        )
    scheduler = conf.setting("ORM_VIEWS_REFRESH_SCHEDULER")
    if scheduler not in conf.REFRESH_SCHEDULERS:
        errors.append(
            checks.Error(
                f'ORM_VIEWS_REFRESH_SCHEDULER must be None or "pg_cron", not {scheduler!r}.',
                hint='None: run "manage.py refresh_views --due" every minute from any '
                'scheduler; "pg_cron": the sync keeps a pg_cron job that does it.',
                id="orm_views.E111",
            )
        )
    for name in (
        "ORM_VIEWS_AUTO_SYNC",
        "ORM_VIEWS_ALLOW_CASCADE",
        "ORM_VIEWS_CANCEL_STUCK_QUERIES",
    ):
        if not isinstance(conf.setting(name), bool):
            errors.append(checks.Error(f"{name} must be True or False.", id="orm_views.E103"))
    for name in (
        "ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT",
        "ORM_VIEWS_LOCK_BUDGET",
        "ORM_VIEWS_LOCK_TIMEOUT",
    ):
        if name == "ORM_VIEWS_LOCK_TIMEOUT" and conf.lock_timeout_setting() is None:
            continue  # None: wait forever
        try:
            conf.duration(name)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="orm_views.E110"))
    return errors


@checks.register()
def check_migrate_command(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[Any]:
    """orm_views.W001: another app's `migrate` shadows ours, so the hook would not run."""
    owner = get_commands().get("migrate")
    app = conf.APP_NAME
    if owner == app or not conf.auto_sync():
        return []
    return [
        checks.Warning(
            f"The migrate command comes from {owner!r}, not {app!r}: migrate will not drop "
            "and rebuild the views in its transaction.",
            hint=(
                f"List {app!r} before {owner!r} in INSTALLED_APPS (the first app wins), or "
                f"make {owner}'s migrate subclass {app}.management.commands.migrate.Command."
            ),
            id="orm_views.W001",
        )
    ]


@checks.register()
def check_readable_view_commands(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[Any]:
    """orm_views.W002: another app's makemigrations or dumpdata ignores readable views."""
    if not readable_views():
        return []
    app = conf.APP_NAME
    warnings = []
    for name, consequence in (
        ("makemigrations", "write a CreateModel for every readable view"),
        ("dumpdata", "dump the rows of readable views, which loaddata cannot load back"),
    ):
        owner = get_commands().get(name, app)
        if owner == app or isinstance(
            load_command_class(owner, name), type(load_command_class(app, name))
        ):
            continue
        warnings.append(
            checks.Warning(
                f"The {name} command comes from {owner!r}, not {app!r}: it would {consequence}.",
                hint=(
                    f"List {app!r} before {owner!r} in INSTALLED_APPS (the first app wins), or "
                    f"make {owner}'s {name} subclass {app}.management.commands.{name}.Command."
                ),
                id="orm_views.W002",
            )
        )
    return warnings


@checks.register(checks.Tags.database)
def check_readable_view_columns(
    app_configs: Sequence[Any] | None = None,
    databases: Sequence[str] | None = None,
    registry: Any = None,
    **kwargs: Any,
) -> list[Any]:
    """orm_views.E010: a readable view's model names columns its view does not have.

    A database check: `check --database ALIAS` and `migrate` run it, a plain `check` does not.
    Only views the database holds as the code defines them are compared: the sync rebuilds the
    others and compares their columns itself, in its transaction. So this catches the model
    that gained a field while the view's SQL stayed the same (nothing to rebuild). An
    unreachable database is skipped.
    """
    registry = registry or default_registry
    errors: list[Any] = []
    for using in databases or ():
        readable = [cls for cls in registry.for_database(using) if hasattr(cls, "_meta")]
        if not readable or using not in plans.databases(registry):
            continue  # no readable view there: nothing to compare, no plan to build
        try:
            errors += _readable_column_errors(using, registry)
        except OperationalError:
            continue
    return errors


def _readable_column_errors(using: str, registry: Any) -> list[Any]:
    try:
        plan = plans.plan_for(using, registry=registry)
    except ViewDefinitionError:
        return []  # orm_views.E001 reports it
    connection = connections[using]
    digests = ddl.digests(plan, dialect.quoting(connection))
    with connection.cursor() as cursor:
        recorded = catalog.catalog(cursor, plan.schemas, plan.tenant)
        stale = diff.compare(plan, digests, recorded).stale
        current = [view for view in plan.views if view.required_columns and view.key not in stale]
        found = catalog.columns(cursor, [view.key for view in current]) if current else {}
    classes = {label(cls): cls for cls in registry.for_database(using)}
    return [
        checks.Error(
            f"{view.label}: the model's fields and the columns of {relation_label(*view.key)} "
            f"disagree. {differs}",
            hint="Fix the model's fields or the view's query (the sync rebuilds a view only "
            "when its SQL changes).",
            obj=classes.get(view.label),
            id="orm_views.E010",
        )
        for view in current
        if (differs := mismatch(view, found.get(view.key, []))) is not None
    ]
