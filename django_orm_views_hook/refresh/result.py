"""What became of a refresh: its outcome and result, and the `view_refreshed` signal that
announces it (sent the same way by a scheduled refresh and by one asked for now)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .. import signals
from ..planning.plan import ViewSpec
from ..sql.refresh_script import Method


class Outcome(enum.Enum):
    """What became of a view a run meant to refresh."""

    REFRESHED = "refreshed"
    FAILED = "failed"
    SKIPPED = "skipped"  # another run is refreshing it, or did since; or a deploy is running


@dataclass(frozen=True)
class RefreshResult:
    """What became of one view: its outcome, how long it took, its rows, and why if not done."""

    using: str
    view: ViewSpec
    outcome: Outcome
    duration: float
    rows: int | None = None
    method: Method | None = None
    reason: str = ""  # skipped: why; failed: the error


def announce(
    cls: type,
    using: str,
    outcome: Outcome,
    duration: float,
    method: Method | None,
    *,
    rows: int | None = None,
    error: str | None = None,
) -> None:
    """Send `view_refreshed` for a refresh of view class `cls` that was done or failed."""
    signals.view_refreshed.send(
        sender=cls,
        using=using,
        view=cls,
        outcome=outcome,
        duration=duration,
        rows=rows,
        method=method.value if method else None,
        error=error,
    )
