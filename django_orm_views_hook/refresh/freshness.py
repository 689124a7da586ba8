"""How fresh each materialised view is: the code's intervals against the recorded refreshes.

`refresh_views --status` prints it; `refresh_views --check` fails on the overdue views. Reading
it creates nothing and locks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import connections

from ..database import dialect, refresh_state
from ..database.refresh_state import Recorded
from ..definitions.registry import Registry
from ..planning.plan import ViewSpec
from ..sync.plans import plan_for

#: A view is overdue (and `refresh_views --check` fails) once its rows are older than this
#: many times its interval: one missed run is no alarm, a scheduler that stopped is.
OVERDUE_FACTOR = 2


@dataclass(frozen=True)
class Freshness:
    """A materialised view, its declared interval and its last recorded refresh."""

    using: str
    view: ViewSpec
    recorded: Recorded | None

    @property
    def every(self) -> timedelta | None:
        return self.view.refresh_every

    @property
    def age(self) -> timedelta | None:
        """How old its rows are: the time since the start of its last successful refresh."""
        return self.recorded.age if self.recorded else None

    @property
    def refreshed(self) -> bool:
        return self.recorded is not None and self.recorded.refreshed_at is not None

    @property
    def overdue(self) -> bool:
        """Scheduled, and never refreshed or older than OVERDUE_FACTOR times its interval."""
        if self.every is None:
            return False
        return self.age is None or self.age > OVERDUE_FACTOR * self.every

    @property
    def state(self) -> str:
        """One word: fresh, due (its interval has passed), overdue, or not scheduled."""
        if self.every is None:
            return "not scheduled"
        if self.overdue:
            return "overdue"
        assert self.age is not None  # not overdue: refreshed
        return "due" if self.age >= self.every else "fresh"

    @property
    def failing(self) -> bool:
        """Its last refresh failed (the error stays until one succeeds)."""
        return self.recorded is not None and self.recorded.last_error is not None


def status(using: str, registry: Registry | None = None) -> list[Freshness]:
    """Every materialised view of database `using`, in refresh order (dependencies first)."""
    plan = plan_for(using, registry=registry)
    materialized = [view for view in plan.views if view.materialized]
    if not materialized:
        return []
    connection = connections[using]
    with connection.cursor() as cursor:
        recorded = refresh_state.read(cursor, dialect.quoting(connection))
    return [Freshness(using, view, recorded.get(view.key)) for view in materialized]
