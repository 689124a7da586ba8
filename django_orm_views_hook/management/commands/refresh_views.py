"""`manage.py refresh_views`: refresh materialised views, dependencies first.

With `--due`, only those whose `refresh_every` has passed (run it every minute from any
scheduler); `--status` and `--check` show how fresh they are; `--unschedule` removes the
package's pg_cron job.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from ...database import pg_cron
from ...definitions.naming import label, view_name
from ...definitions.registry import default_registry
from ...exceptions import OrmViewsError
from ...planning.plan import Key, ViewSpec
from ...refresh import freshness
from ...refresh.due import refresh_due
from ...refresh.on_demand import check_refreshable, refresh_at
from ...refresh.result import Outcome, RefreshResult
from ...sync.plans import databases, plan_for
from .. import tenancy


class Command(BaseCommand):
    help = (
        "Refresh materialised views in dependency order (all of them, or those named); with "
        "--due, only those whose refresh_every has passed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "views",
            nargs="*",
            metavar="VIEW",
            help="View names, class names or dotted class paths (default: all).",
        )
        parser.add_argument(
            "--database",
            choices=tuple(connections),
            help='Database alias (default: "default"; with --due, --status, --check and '
            "--unschedule: every database that has views).",
        )
        parser.add_argument(
            "--concurrently",
            action="store_true",
            help="REFRESH ... CONCURRENTLY (needs `pk_field`); readers are not blocked.",
        )
        modes = parser.add_mutually_exclusive_group()
        modes.add_argument(
            "--due",
            action="store_true",
            help="Refresh only the views whose refresh_every has passed since their last "
            "refresh, each in its own transaction; safe to run every minute from several "
            "schedulers at once. Exits with status 1, naming them, when a refresh fails.",
        )
        modes.add_argument(
            "--status",
            action="store_true",
            help="List each materialised view: last refresh, age, interval, last duration, "
            "state (fresh, due, overdue).",
        )
        modes.add_argument(
            "--check",
            action="store_true",
            help="Exit with status 1, naming them, when views are overdue: older than twice "
            "their refresh_every, or never refreshed (for monitoring).",
        )
        modes.add_argument(
            "--unschedule",
            action="store_true",
            help="Remove the pg_cron job and schedule this package keeps (after setting "
            "ORM_VIEWS_REFRESH_SCHEDULER back from pg_cron).",
        )
        tenancy.add_schema_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        modes = [mode for mode in ("due", "status", "check", "unschedule") if options[mode]]
        if modes and (options["views"] or options["concurrently"]):
            raise CommandError(f"--{modes[0]} takes neither view names nor --concurrently.")
        try:
            if options["unschedule"]:  # one job per database, whatever the tenants
                for alias in [options["database"]] if options["database"] else databases():
                    self.stdout.write(pg_cron.unschedule(connections[alias]))
            elif options["due"] or options["status"] or options["check"]:
                self._each_target(options)
            else:
                selected = [
                    (
                        target,
                        self._selected(tenancy.database_for(target, options["database"]), options),
                    )
                    for target in tenancy.each_target(options)
                ]
                self._refresh(selected, options)
        except OrmViewsError as exc:
            raise CommandError(str(exc)) from exc

    def _each_target(self, options: dict[str, Any]) -> None:
        """--due, --status or --check, for the views built once and each tenant's in turn."""
        for target in tenancy.each_target(options):
            using = tenancy.database_for(target, options["database"])
            aliases = [using] if using else databases()
            if target is not None and self.verbosity >= 1:
                self.stdout.write(f'Tenant "{target}":')
            if options["due"]:
                self._due(aliases)
            elif options["status"]:
                self._status(aliases)
            else:
                self._check(aliases)

    # --due

    def _due(self, aliases: list[str]) -> None:
        results: list[RefreshResult] = []
        for alias in aliases:
            results += refresh_due(using=alias, on_start=self._starting, on_done=self._refreshed)
        if self.verbosity >= 1 and not results:
            self.stdout.write("No materialised view is due.")
        failed = [result for result in results if result.outcome is Outcome.FAILED]
        if failed:
            named = "; ".join(f"{r.view.label}: {r.reason}" for r in failed)
            raise CommandError(
                f"{len(failed)} of {len(results)} refreshes failed (the old rows stay readable; "
                f"the next run retries them): {named}",
                returncode=1,
            )

    def _starting(self, view: ViewSpec, index: int, total: int) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"[{index}/{total}] Refreshing {view.label}...", ending="")
            self.stdout.flush()

    def _refreshed(self, result: RefreshResult) -> None:
        if self.verbosity < 1:
            return
        if result.outcome is Outcome.REFRESHED:
            rows = "" if result.rows is None else f", {result.rows} row"
            rows += "" if result.rows in (None, 1) else "s"
            method = result.method.value if result.method else ""
            text = f" done ({result.duration:.3f}s{rows}, {method})"
            self.stdout.write(self.style.SUCCESS(text))
        elif result.outcome is Outcome.SKIPPED:
            self.stdout.write(f" skipped: {result.reason}")
        else:
            self.stdout.write(self.style.ERROR(f" FAILED: {result.reason}"))

    # --status and --check

    def _status(self, aliases: list[str]) -> None:
        rows = [("View", "Every", "Last refresh", "Age", "Took", "Rows", "State")]
        errors = []
        for alias in aliases:
            for item in freshness.status(alias):
                recorded = item.recorded
                refreshed_at = recorded.refreshed_at if recorded else None
                took = recorded.duration if recorded else None
                count = recorded.row_count if recorded else None
                rows.append(
                    (
                        # Several databases: each view says which.
                        (f"{alias}:" if len(aliases) > 1 else "")
                        + f"{item.view.schema}.{item.view.name}",
                        _span(item.every),
                        _moment(refreshed_at) if refreshed_at else "never",
                        _span(item.age),
                        f"{took.total_seconds():.3f}s" if took is not None else "-",
                        str(count) if count is not None else "-",
                        item.state,
                    )
                )
                if item.failing and recorded is not None and recorded.failed_at is not None:
                    errors.append(
                        f"{item.view.schema}.{item.view.name} ({item.view.label}): last refresh "
                        f"failed at {_moment(recorded.failed_at)}: {recorded.last_error}"
                    )
        if len(rows) == 1:
            self.stdout.write("No materialised views.")
            return
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
            self.stdout.write("  ".join(cells).rstrip())
        for line in errors:
            self.stdout.write(self.style.ERROR(line))

    def _check(self, aliases: list[str]) -> None:
        scheduled = [item for a in aliases for item in freshness.status(a) if item.every]
        overdue = [item for item in scheduled if item.overdue]
        if not overdue:
            if self.verbosity >= 1:
                count = _count(len(scheduled), "scheduled materialised view")
                self.stdout.write(f"{count}, none overdue.")
            return
        lines = []
        for item in overdue:
            view = item.view
            when = f"last refreshed {_span(item.age)} ago" if item.refreshed else "never refreshed"
            lines.append(
                f"{view.schema}.{view.name} ({view.label}): {when}; refresh_every is "
                f"{_span(item.every)}"
            )
        raise CommandError(
            f"{_count(len(overdue), 'materialised view')} overdue (never refreshed, or older than "
            f"{freshness.OVERDUE_FACTOR} times their refresh_every):\n  " + "\n  ".join(lines),
            returncode=1,
        )

    # VIEW ... (or all): refreshed now, whatever their schedule

    def _selected(self, using: str | None, options: dict[str, Any]) -> list[tuple[type, Key]]:
        """The materialised view classes to refresh on `using`, dependencies first, each with
        where it lives (a tenant's copy, in a django-tenants project)."""
        using = using or DEFAULT_DB_ALIAS
        classes = {label(cls): cls for cls in default_registry.for_database(using)}
        planned = plan_for(using, roles=()).views
        materialized = [(classes[v.label], v.key) for v in planned if v.materialized]
        wanted = set(options["views"])
        if not wanted:
            return materialized
        return [(cls, key) for cls, key in materialized if wanted & _names(cls)]

    def _refresh(
        self, selected: list[tuple[str | None, list[tuple[type, Key]]]], options: dict[str, Any]
    ) -> None:
        found = [(target, cls, key) for target, views in selected for cls, key in views]
        unknown = set(options["views"]) - {n for _, cls, _ in found for n in _names(cls)}
        if unknown:
            using = options["database"] or DEFAULT_DB_ALIAS
            raise CommandError(
                f"No materialised view called {', '.join(sorted(unknown))} on database {using!r}."
            )
        # All of them before any: refusing halfway would leave some refreshed.
        for _, cls, _ in found:
            check_refreshable(cls, concurrently=options["concurrently"])
        for index, (target, cls, key) in enumerate(found, start=1):
            with tenancy.set_to(target):
                self._refresh_one(cls, key, f"{index}/{len(found)}", target, options)
        if self.verbosity >= 1 and not found:
            self.stdout.write("No materialised views to refresh.")

    def _refresh_one(
        self, cls: type, key: Key, position: str, tenant: str | None, options: dict[str, Any]
    ) -> None:
        if self.verbosity >= 1:
            whose = "" if tenant is None else f' (tenant "{tenant}")'
            self.stdout.write(f"[{position}] Refreshing {label(cls)}{whose}...", ending="")
            self.stdout.flush()
        started = time.monotonic()
        refresh_at(cls, key, concurrently=options["concurrently"])
        if self.verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f" done ({time.monotonic() - started:.3f}s)"))


def _names(cls: type) -> set[str]:
    """What a command line may call a view class by."""
    return {view_name(cls), cls.__name__, label(cls)}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _span(value: timedelta | None) -> str:
    """A duration to the second, e.g. 0:15:00 or 2 days, 1:00:00; "-" when none."""
    if value is None:
        return "-"
    return str(timedelta(seconds=round(value.total_seconds())))


def _moment(value: datetime) -> str:
    """A timestamp in the project's time zone, to the second."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
