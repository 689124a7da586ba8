"""The state of one `migrate` run, shared by our command, the signal receivers and the
execute wrapper: what the run holds, dropped and found, and the plan it built once."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from .. import conf
from ..planning.plan import Key, Plan
from ..planning.state import Catalog
from ..sync.result import SyncResult

logger = logging.getLogger(__name__)


@dataclass
class MigrateRun:
    """State shared by our `migrate` command and the signal handlers for one database."""

    using: str
    fake: bool = False
    #: Build every view the database accepts, leave out (dropped) those it rejects.
    skip_unbuildable: bool = False
    warn: Callable[[str], None] = logger.warning
    stack: ExitStack = field(default_factory=ExitStack)
    non_atomic: tuple[str, ...] = ()
    #: The views dropped before the statements that break them; the rebuild recreates them.
    dropped: tuple[Key, ...] = ()
    #: True from pre_migrate to post_migrate: statements are checked for what they break.
    watching: bool = False
    #: Built once before the migrations and reused after them: the code does not change.
    plan: Plan | None = None
    #: The managed schemas and views as they were before the migrations.
    catalog: Catalog | None = None
    #: The schemas of the managed views: the plan's, and those marked as ours before.
    schemas: tuple[str, ...] = ()
    #: Non-atomic runs: the dropped views built again before their migration committed.
    rebuilt_early: set[Key] = field(default_factory=set)
    #: The relations (oids) this transaction holds in ACCESS EXCLUSIVE mode, taken in order.
    held: set[int] = field(default_factory=set)
    result: SyncResult | None = None
    #: django-tenants, a run of the shared schema: the tenants' views it rebuilt, by tenant.
    tenant_results: tuple[SyncResult, ...] = ()
    #: The migration being applied or unapplied (set by our migrate's progress callback).
    migration: str | None = None
    #: The views dropped before a statement that renames or moves what they read, with that
    #: statement and its migration: if one fails to rebuild, that is why (the message says so).
    renamed_by: dict[Key, tuple[str, str | None]] = field(default_factory=dict)


current_run: contextvars.ContextVar[MigrateRun | None] = contextvars.ContextVar(
    "django_orm_views_hook_migrate_run", default=None
)


def is_ours(sender: Any) -> bool:
    return getattr(sender, "name", None) == conf.APP_NAME


def run_for(using: str) -> MigrateRun | None:
    run = current_run.get()
    return run if run is not None and run.using == using else None
