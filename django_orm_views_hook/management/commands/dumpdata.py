"""Django's `dumpdata`, without the readable views unless they are named.

A view's rows are derived from its tables: a fixture holding them could not be loaded
(`loaddata` would write to the view), and would repeat what the tables' rows already say.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import dumpdata

from ...definitions.readable import readable_views


class Command(dumpdata.Command):
    help = dumpdata.Command.help + " Readable views are left out unless named as app_label.Model."

    def handle(self, *app_labels: str, **options: Any) -> None:
        named = set()
        for label in app_labels:
            app_label, _, model = label.partition(".")
            named.add(f"{app_label}.{model.lower()}")
        unnamed = [v._meta.label for v in readable_views() if v._meta.label_lower not in named]
        options["exclude"] = [*options.get("exclude", []), *unnamed]
        super().handle(*app_labels, **options)
