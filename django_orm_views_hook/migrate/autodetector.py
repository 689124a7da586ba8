"""The migration autodetector of this package's `makemigrations` and `migrate`.

A readable view is an unmanaged model of its app, so Django's autodetector would write a
`CreateModel(managed=False)` for it, and `AlterModelOptions` whenever its `Meta` changes. Views
are rebuilt from the code, never migrated: this autodetector compares the project's states with
the readable views taken out of both. Taking them out of the migrations' state too means that a
project whose migration files already create its readable views (as django-orm-views required)
gets no `DeleteModel` or `AlterModelOptions` for them either.

Django 5.2+ lets a command choose its autodetector through the `autodetector` attribute.
"""

from __future__ import annotations

from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.questioner import MigrationQuestioner
from django.db.migrations.state import ProjectState

from ..definitions.readable import readable_views


def _without(state: ProjectState, labels: frozenset[str]) -> ProjectState:
    """A copy of `state` without the models `labels` (a new state: nothing rendered is reused)."""
    models = {
        (app, name): model
        for (app, name), model in state.models.items()
        if f"{app}.{name}" not in labels
    }
    return ProjectState(models=models, real_apps=state.real_apps)


class ReadableViewsAutodetector(MigrationAutodetector):
    """Django's autodetector, blind to readable views."""

    def __init__(
        self,
        from_state: ProjectState,
        to_state: ProjectState,
        questioner: MigrationQuestioner | None = None,
    ) -> None:
        labels = frozenset(view._meta.label_lower for view in readable_views())
        super().__init__(_without(from_state, labels), _without(to_state, labels), questioner)
