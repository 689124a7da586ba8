"""Refresh one materialised view now: `refresh_materialized_view`, and `refresh_views VIEW`.

In a transaction of its own; recorded in the refresh state (`refresh_views --status`) and
announced by the `view_refreshed` signal, like a scheduled refresh (due.py).
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError, connections, transaction

from .. import conf
from ..database import dialect, locking, refresh_state, tenants
from ..definitions.naming import label, view_database, view_name, view_schema
from ..definitions.views import PostgresView
from ..exceptions import ViewDefinitionError
from ..planning.plan import Key
from ..sql import ddl
from ..sql.refresh_script import Method
from ..sync.plans import plan_for
from .result import Outcome, announce

logger = logging.getLogger(__name__)


def check_refreshable(cls: type[PostgresView], *, concurrently: bool = False) -> None:
    """Raise ViewDefinitionError unless `cls` is materialised (with `pk_field`, concurrently)."""
    if not getattr(cls, "materialized", False):
        raise ViewDefinitionError(f"{label(cls)} is not a materialised view; nothing to refresh.")
    if concurrently and not getattr(cls, "pk_field", None):
        raise ViewDefinitionError(
            f"{label(cls)}: refreshing concurrently needs a unique index; set `pk_field`."
        )


def live_key(cls: type[PostgresView], using: str) -> Key:
    """Where the view lives: in a django-tenants project, the copy of the tenant the connection
    is set to, if the view is built per tenant."""
    key = (view_schema(cls), view_name(cls))
    if not conf.tenants():
        return key
    planned = {view.label: view.key for view in plan_for(using, roles=()).views}
    if label(cls) in planned:
        return planned[label(cls)]
    if tenants.current(connections[using]) is None:
        raise ViewDefinitionError(
            f"{label(cls)} is built per tenant, and the connection is set to the shared schema: "
            "refresh it for a tenant (django_tenants.utils.tenant_context, or refresh_views "
            "--schema)."
        )
    return key  # a view built once, refreshed from a tenant's connection


def refresh_materialized_view(
    view: type[PostgresView] | PostgresView, concurrently: bool = False
) -> None:
    """REFRESH MATERIALIZED VIEW for a view class (or an instance of one).

    The refresh is recorded in the refresh state (`refresh_views --status`) and announced by
    the `view_refreshed` signal.

    Raises:
        ViewDefinitionError: the view is not materialised, or `concurrently` without `pk_field`.
    """
    cls = view if isinstance(view, type) else type(view)
    check_refreshable(cls, concurrently=concurrently)
    refresh_at(cls, live_key(cls, view_database(cls)), concurrently=concurrently)


def refresh_at(cls: type[PostgresView], key: Key, *, concurrently: bool = False) -> None:
    """Refresh `cls`'s view at `key` (found in a plan already), recorded and announced."""
    using = view_database(cls)
    connection = connections[using]
    q = dialect.quoting(connection)
    statement = ddl.refresh_view(q, *key, concurrently=concurrently)
    method = Method.CONCURRENTLY if concurrently else Method.IN_PLACE
    started = time.monotonic()
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if concurrently:  # its lock lets readers in: nobody queues behind it
                cursor.execute(statement.sql)
            else:
                locking.take(cursor, connection, q, [statement], [key])
            duration = time.monotonic() - started
            refresh_state.save_success(connection, q, key, label(cls), duration, None, method.value)
    except DatabaseError as exc:
        announce(cls, using, Outcome.FAILED, time.monotonic() - started, method, error=str(exc))
        raise
    logger.info("Refreshed %s", label(cls))
    announce(cls, using, Outcome.REFRESHED, duration, method)
