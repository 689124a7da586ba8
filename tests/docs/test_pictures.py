"""The pictures of the docs show what the code does today."""

from __future__ import annotations

import html
import re

import pytest

from tests.docs import sessions
from tests.docs.pages import ROOT, Session

SVG = ROOT / "docs" / "views-graph.svg"
REDRAW = "python example/manage.py views_graph --format dot | dot -Tsvg -o docs/views-graph.svg"


@pytest.mark.django_db
def test_the_views_graph_picture_is_the_example_shops_graph_today():
    session = Session("docs/views-graph.svg", 1, "example", migrated=True)
    with sessions.project(session, 1) as project:
        assert not project.migrate_if_changed(session.where)
        done = project.manage("views_graph", "--format", "dot")
    assert done.returncode == 0, done.stdout
    nodes = set(re.findall(r'^\s*"([^"]+)" \[shape=', done.stdout, re.M))
    edges = set(re.findall(r'^\s*"([^"]+)" -> "([^"]+)";', done.stdout, re.M))
    titles = {
        html.unescape(title) for title in re.findall(r"<title>(.*?)</title>", SVG.read_text())
    }
    drawn_edges = {tuple(title.split("->")) for title in titles if "->" in title}
    drawn_nodes = titles - {"views"} - {title for title in titles if "->" in title}
    assert (drawn_nodes, drawn_edges) == (nodes, edges), f"redraw it: {REDRAW}"
