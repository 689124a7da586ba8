"""`manage.py views_graph` draws the views, their dependencies and the tables they read."""

from __future__ import annotations

import shutil
import subprocess

import pytest

pytestmark = pytest.mark.django_db


def test_mermaid_shows_views_dependencies_and_tables(run_command):
    output = run_command("views_graph").stdout
    assert output.startswith("flowchart LR\n")
    ids = {}
    for line in output.splitlines()[1:]:
        if "-->" not in line:
            node_id, label = (
                line.strip().split("[", 1) if "[" in line else line.strip().split("(", 1)
            )
            ids[label.strip('[]()"')] = node_id
    edges = {
        tuple(part.strip() for part in line.split("-->"))
        for line in output.splitlines()
        if "-->" in line
    }
    simple, dependent = ids["views.test_simpleviewfromsql"], ids["views.test_dependentview"]
    assert (simple, dependent) in edges  # from view_dependencies and from pg_depend
    assert (ids["public.testapp_customer"], ids["views.customer_cities"]) in edges
    assert '[("public.testapp_customer")]' in output  # tables are cylinders


def test_dot_output_is_valid_graphviz(run_command):
    output = run_command("views_graph", "--format", "dot").stdout
    assert output.startswith("digraph views {")
    assert '"views.test_simpleviewfromsql" -> "views.test_dependentview";' in output
    assert '"public.testapp_testmodel" [shape=cylinder];' in output
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg"], input=output, text=True, check=True, capture_output=True)
