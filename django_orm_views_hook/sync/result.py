"""What a sync did: its status, the views it built and dropped, its statements and findings.

The sync never prints: it returns a SyncResult (and sends it with `views_synced`); commands
decide what to show (management/reporting.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..exceptions import Rejection
from ..planning import diff
from ..planning.plan import Key, ViewSpec

#: Said of a privilege that is not declared and goes with a view that is dropped and rebuilt.
REBUILT_WITHOUT = "; the view was dropped and built again without it"


class SyncStatus(enum.Enum):
    REBUILT = "rebuilt"
    UP_TO_DATE = "up to date"
    DRY_RUN = "dry run"
    DROPPED = "dropped"


@dataclass(frozen=True)
class SyncResult:
    using: str
    status: SyncStatus
    views: tuple[ViewSpec, ...]  # every view of the plan
    built: tuple[ViewSpec, ...]  # the views (re)created, or that a dry run would create
    statements: tuple[str, ...]
    duration: float
    #: The views a drop before a statement dropped; for a sync, those it dropped and did not
    #: rebuild: the code no longer defines them, or (with `skip_unbuildable`) the database
    #: rejected them or they read a rejected view.
    dropped: tuple[Key, ...] = ()
    #: What differed from the code (None when the sync did not compare, e.g. a drop).
    changes: diff.Diff | None = None
    #: With `skip_unbuildable`: the views the database rejected, with its messages, and those
    #: left unbuilt because they read one.
    rejections: tuple[Rejection, ...] = ()
    left_out: tuple[ViewSpec, ...] = ()
    #: Privileges put right by GRANT/REVOKE, or that a dry run would put right.
    drift: tuple[diff.Drift, ...] = ()
    #: Left out of a migrate because migrations not applied yet create what they read (and
    #: those that read them): built by the migrate that applies those (see `unmigrated`).
    not_created: tuple[ViewSpec, ...] = ()
    #: Reads between the views built that view_dependencies does not declare (`undeclared`).
    warnings: tuple[str, ...] = ()
    #: What keeping the pg_cron job did after the sync, or why it could not (schedule.py).
    schedule: tuple[str, ...] = ()
    #: django-tenants: the tenant whose copies of the views these are (None: built once).
    tenant: str | None = None

    @property
    def script(self) -> str:
        """The statements as one script, as `sync_views --dry-run` prints it."""
        return "".join(f"{sql};\n" for sql in self.statements)
