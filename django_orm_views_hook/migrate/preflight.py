"""Refusals before the first statement of a migrate: what it would drop that it must not.

Views are dropped statement by statement, so a refusal met at the fourth statement (a trigger
someone attached to a view that statement breaks) would be raised after three statements ran,
only to roll them back. So before the first one, the migrations' SQL is collected as
`sqlmigrate` collects it (Django's `MigrationLoader.collect_sql`: nothing runs), read as the
statements will be read when they run, and the views it would drop, with those the rebuild
replaces, are checked as their drops will be. This costs nothing when the managed schemas hold
nothing to refuse, the usual case. What cannot be collected (`RunPython`) is still checked when
it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from ..database import dependencies, dialect
from ..exceptions import OrmViewsError
from ..planning import diff, statement_effects
from ..planning.plan import Plan
from ..planning.state import Catalog
from ..sql import ddl
from ..sync import safety

logger = logging.getLogger(__name__)


def check(
    plan: Plan,
    connection: BaseDatabaseWrapper,
    migrations: Sequence[tuple[Any, bool]],
    schemas: Sequence[str],
    catalog: Catalog,
) -> None:
    """Raise what dropping the views this migrate would drop would raise, before it starts."""
    with connection.cursor() as cursor:
        contents = dependencies.contents(cursor, schemas)
        existing = {view.key for view in contents.views_in_drop_order}
        try:
            safety.check_contents(plan, contents, dropping=existing)
        except OrmViewsError:
            pass  # something to refuse if those views go: find out which go
        else:
            return
        changes = diff.compare(plan, ddl.digests(plan, dialect.quoting(connection)), catalog)
        dropping = set(changes.stale | changes.extra) & existing
        for sql in _collected(connection, migrations):
            effects = statement_effects.of_execution(sql, has_params=False)
            if effects.unknown:
                dropping = existing
                break
            if effects.targets:
                dropping |= dependencies.views_broken_by(cursor, effects.targets) & existing
    if dropping:
        safety.check_contents(plan, contents, diff.with_dependents(dropping, contents.dependents))


def _collected(
    connection: BaseDatabaseWrapper, migrations: Sequence[tuple[Any, bool]]
) -> list[str]:
    """The SQL the migrations will run, as far as it can be told without running them."""
    try:
        return [str(sql) for sql in MigrationLoader(connection).collect_sql(list(migrations))]
    except Exception as exc:  # noqa: BLE001 - an operation that needs the schema it changes
        logger.debug("The migrations' SQL could not be collected beforehand: %s", exc)
        return []
