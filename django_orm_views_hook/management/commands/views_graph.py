"""`manage.py views_graph`: the views and what they read, as Mermaid or Graphviz dot."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from ...database import dependencies
from ...exceptions import OrmViewsError
from ...sync.plans import plan_for
from .. import graph, tenancy


class Command(BaseCommand):
    help = (
        "Print the dependency graph of the views: from the code, and with the tables they read "
        "from the database's dependency catalogue when it is reachable."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, choices=tuple(connections))
        tenancy.add_schema_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        # django-tenants: one tenant's views (or those built once, by default).
        target = tenancy.targets(options)[0] if options.get("schema_name") else tenancy.current()
        with tenancy.set_to(target):
            self._draw(options)

    def _draw(self, options: dict[str, Any]) -> None:
        using = options["database"]
        try:
            plan = plan_for(using, roles=())
        except OrmViewsError as exc:
            raise CommandError(str(exc)) from exc
        kind = {False: "view", True: "materialized view"}
        nodes = {graph.Node(f"{v.schema}.{v.name}", kind[v.materialized]) for v in plan.views}
        edges = {
            (f"{schema}.{name}", f"{v.schema}.{v.name}")
            for v in plan.views
            for schema, name in v.dependencies
        }
        try:
            with connections[using].cursor() as cursor:
                read = dependencies.edges(cursor, plan.schemas)
        except DatabaseError as exc:
            self.stderr.write(
                self.style.WARNING(f"Database unreachable ({exc}); showing the code's graph only.")
            )
            read = []
        names = {node.name for node in nodes}
        for edge in read:
            target = f"{edge.view_schema}.{edge.view_name}"
            source = f"{edge.read_schema}.{edge.read_name}"
            relkind = edge.read_kind
            if target not in names:
                continue  # a view the code no longer defines
            if source not in names:
                label = "table" if relkind in ("r", "p", "f") else kind[relkind == "m"]
                nodes.add(graph.Node(source, label))
            edges.add((source, target))
        render = graph.mermaid if options["format"] == "mermaid" else graph.dot
        self.stdout.write(render(nodes, edges), ending="")
