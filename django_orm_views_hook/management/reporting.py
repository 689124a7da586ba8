"""What the commands print about a sync, by verbosity (0 silent, 1 summary, 2 per view)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand

from ..definitions.naming import relation_label
from ..exceptions import OrmViewsError, Rejection, ViewBuildError
from ..planning.plan import Key, Plan
from ..sql import sqlstate
from ..sql.statement import VIEW_QUERY
from ..sync.result import REBUILT_WITHOUT, SyncResult, SyncStatus
from . import tenancy


def report(command: BaseCommand, results: Iterable[SyncResult]) -> None:
    verbosity = int(getattr(command, "verbosity", 1))
    for result in results:
        if verbosity < 1 or not (result.views or result.dropped):
            continue  # a project without views hears nothing about them
        count = len(result.views)
        noun = "view" if count == 1 else "views"
        where = tenancy.where(result.using, result.tenant)
        if result.status is SyncStatus.UP_TO_DATE:
            line = f"Views: {count} {noun} on {where} already up to date ({result.duration:.3f}s)."
            command.stdout.write(line)
        else:
            built = len(result.built)
            line = f"Views: rebuilt {built} of {count} {noun} on {where} in {result.duration:.3f}s."
            command.stdout.write(command.style.SUCCESS(line))
        left_out = {view.key for view in (*result.left_out, *result.not_created)}
        for schema, name in result.dropped:
            if (schema, name) not in left_out:
                command.stdout.write(
                    f"  dropped {relation_label(schema, name)}: the code no longer defines it"
                )
        _report_left_out(command, result)
        if result.not_created:
            names = ", ".join(f"{relation_label(*v.key)} ({v.label})" for v in result.not_created)
            command.stdout.write(
                f"  not built yet, as what they read is created by migrations not applied "
                f"yet (the migrate that applies them builds them): {names}"
            )
        for line in result.schedule:  # the pg_cron job: what changed, or why it could not
            command.stdout.write(command.style.WARNING(line) if "WARNING" in line else line)
        for d in result.drift:  # a revoke takes away what someone had: always shown
            if not d.missing:
                command.stdout.write(
                    f"  revoked {d.privilege} on {d.target} from {d.who}: not declared"
                    + (REBUILT_WITHOUT if d.rebuilt else "")
                )
            elif verbosity >= 2:
                command.stdout.write(f"  granted {d.privilege} on {d.target} to {d.who}")
        warn(command, result)
        if verbosity >= 2:
            for view in result.built:
                kind = "materialized view" if view.materialized else "view"
                command.stdout.write(f"  {kind} {relation_label(*view.key)}  ({view.label})")


def warn(command: BaseCommand, result: SyncResult) -> None:
    """The sync's warnings (undeclared reads between views), at every verbosity but 0."""
    if int(getattr(command, "verbosity", 1)) >= 1:
        for warning in result.warnings:
            command.stderr.write(command.style.WARNING(f"Warning: {warning}"))


def differences(result: SyncResult) -> list[str]:
    """Every way the database differs from the code, one line each, view by view."""
    changes = result.changes
    if changes is None:
        return []
    lines = []
    for view in result.views:
        for reason in changes.reasons.get(view.key, ()):
            lines.append(f"{relation_label(*view.key)} ({view.label}): {reason}")
    for schema, name in sorted(changes.extra):
        lines.append(
            f"{relation_label(schema, name)}: no longer defined by the code (would be dropped)"
        )
    for schema in changes.unmarked_schemas:
        lines.append(f'schema "{schema}": missing or not yet marked as managed')
    for schema in changes.unused_schemas:
        lines.append(f'schema "{schema}": no view uses it any more (would be dropped)')
    lines += [str(drift) for drift in changes.drift]  # privileges, by view (or schema) and role
    for schema in changes.abandoned_areas:
        lines.append(
            f'schema "{schema}": left behind by a sync that did not finish (would be dropped)'
        )
    return lines


def _report_left_out(command: BaseCommand, result: SyncResult) -> None:
    if not result.left_out:
        return
    rejected = {rejection.label: rejection for rejection in result.rejections}
    for view in result.left_out:
        name = f"{relation_label(*view.key)} ({view.label})"
        rejection = rejected.get(view.label)
        why = (
            "the database rejected it: " + rejection.db_message.replace("\n", "\n    ")
            if rejection
            else "it reads a view left dropped"
        )
        command.stderr.write(command.style.WARNING(f"  left dropped: {name}: {why}"))
    command.stderr.write(
        command.style.WARNING(
            f"{len(result.left_out)} of {len(result.views)} views are left dropped; the next "
            "migrate or sync_views builds them once the schema and the code agree."
        )
    )


def after_migrate(result: SyncResult, dropped_before: Collection[Key]) -> SyncResult:
    """The rebuild's result, also naming the views dropped during the migrations that are gone."""
    planned = {view.key for view in result.views}
    gone = {key for key in dropped_before if key not in planned}
    return dataclasses.replace(result, dropped=tuple(sorted(gone | set(result.dropped))))


@dataclass
class MigrateProgress:
    """The migrations a `migrate` run started and finished, from Django's progress callback."""

    started: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    backwards: bool = False

    def record(self, action: str, migration: Any) -> None:
        if action in ("apply_start", "unapply_start"):
            self.started.append(str(migration))
            self.backwards = self.backwards or action == "unapply_start"
        elif action in ("apply_success", "unapply_success"):
            self.finished.append(str(migration))

    def outcome(self, non_atomic: Sequence[str], exc: BaseException) -> str:
        """The last line after a failed run: what the migrations above came to, and why."""
        failed = next((m for m in self.started if m not in self.finished), None)
        done = "unapplied" if self.backwards else "applied"
        if isinstance(exc, ViewBuildError):
            why = "the database rejected the views named above"
        elif isinstance(exc, KeyboardInterrupt):
            why = "it was interrupted"
        elif failed is not None and not isinstance(exc, OrmViewsError):
            why = f"{failed} failed"
        else:
            why = "the error above stopped it"
        if non_atomic:
            return _non_atomic_outcome(self.finished, failed, non_atomic, done, why)
        if not self.started:  # nothing above to speak of, unless it is the sync's own error
            ours = isinstance(exc, OrmViewsError)
            return (
                "Nothing was changed: no migration was applied, the views are as they were."
                if ours
                else ""
            )
        return (
            f"None of the migrations above was {done}: {why}, so the whole migrate was rolled "
            "back (its migrations and the views share one transaction); the database is as it "
            "was before."
        )


def _non_atomic_outcome(
    finished: Sequence[str], failed: str | None, non_atomic: Sequence[str], done: str, why: str
) -> str:
    committed = ", ".join(finished) or "none"
    line = (
        f"This migrate was not atomic ({', '.join(non_atomic)} set atomic = False), so each "
        f"migration committed on its own. {done.capitalize()} and committed: {committed}."
    )
    if failed is None:
        return f"{line} The failure came after them: {why}."
    if failed in non_atomic:
        return (
            f"{line} {failed} failed part-way: what it did before the error is committed, the "
            "rest is not, and the migrations after it did not run."
        )
    return f"{line} {failed} failed and was rolled back; the migrations after it did not run."


def renamed_hint(
    exc: BaseException,
    plan: Plan | None,
    renamed_by: Mapping[Key, tuple[str, str | None]],
) -> str:
    """Why a view failed to rebuild, when it was dropped before a rename of what it reads."""
    if not isinstance(exc, ViewBuildError) or plan is None or not renamed_by:
        return ""
    views = {view.label: view for view in plan.views}
    lines = []
    for rejection in exc.rejections:
        view = views.get(rejection.label)
        cause = renamed_by.get(view.key) if view is not None else None
        if view is None or cause is None:
            continue
        statement, migration = cause
        fix = (
            "rebuilt from its `sql`, which still names it as it was: write the new name there."
            if view.from_sql
            else "rebuilt from its queryset, whose models still name it as it was (db_table, "
            "db_column)."
        )
        lines.append(
            f"{rejection.label} was dropped before this statement of "
            f"{migration or 'the migrations'}, which renames or moves what the view reads:\n"
            f"  {statement}\nand {fix}"
        )
    return "\n".join(lines)


def skip_hint(exc: BaseException, progress: MigrateProgress) -> str:
    """The way out, only where it is one: a backwards migrate left views without their columns."""
    if not isinstance(exc, ViewBuildError) or not progress.backwards:
        return ""
    if not all(_reads_something_missing(rejection) for rejection in exc.rejections):
        return ""  # a typo, a wrong pk_field, a timeout: the definitions need fixing
    return (
        "If these views read a column or a table that the migrations this migrate unapplies "
        "remove, roll back anyway with --skip-unbuildable-views: it applies the "
        "migrations, builds every view the older schema accepts and leaves dropped, naming "
        "each, only those above and the views that read them, until a migrate or sync_views "
        "with code that fits the schema."
    )


def _reads_something_missing(rejection: Rejection) -> bool:
    """The view's own query (not an index on it) names a column or a table that is not there."""
    missing = (sqlstate.UNDEFINED_COLUMN, sqlstate.UNDEFINED_TABLE)
    return rejection.kind == VIEW_QUERY and rejection.sqlstate in missing
