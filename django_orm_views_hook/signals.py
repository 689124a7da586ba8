"""Signals around each sync and each refresh, so a project can refresh caches, tell its
analysts or count.

`views_pre_sync` and `views_synced` are sent with `sender=Plan` (the class) and these keyword
arguments:

* `views_pre_sync`: `using` (database alias), `views` (the plan's ViewSpecs, creation
  order), `dry_run`. Sent once the sync knows it has work to do, before any DDL.
* `views_synced`: the same, plus `result` (a SyncResult: `status`, `built`, `statements`,
  `duration`), `unchanged` (True when nothing needed doing) and `duration` (seconds).

`view_refreshed` is sent after each refresh of a materialised view by this process
(`refresh_views`, `refresh_due()`, `refresh_materialized_view()`; not by the pg_cron job, which
runs in the database), refreshed or failed, with `sender` the view class and `using`, `view`
(the class), `outcome` (an `Outcome`: REFRESHED or FAILED), `duration` (seconds),
`rows` (the view's row count, None when not counted), `method` ("concurrently", "built beside",
"in place") and `error` (the error's text, None unless it failed). A view skipped because
another run was refreshing it sends nothing.
"""

from __future__ import annotations

from django.dispatch import Signal

views_pre_sync = Signal()
views_synced = Signal()
view_refreshed = Signal()
