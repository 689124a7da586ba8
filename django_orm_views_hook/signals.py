"""Signals around each sync, so a project can refresh caches or tell its analysts.

Both are sent with `sender=Plan` (the class) and these keyword arguments:

* `views_pre_sync`: `using` (database alias), `views` (the plan's ViewSpecs, creation
  order), `dry_run`. Sent once the sync knows it has work to do, before any DDL.
* `views_synced`: the same, plus `result` (a SyncResult: `status`, `built`, `statements`,
  `duration`), `unchanged` (True when nothing needed doing) and `duration` (seconds).
"""

from __future__ import annotations

from django.dispatch import Signal

views_pre_sync = Signal()
views_synced = Signal()
