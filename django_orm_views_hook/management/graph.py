"""Render the dependency graph of the views as Mermaid or Graphviz dot text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    name: str  # "schema.name"
    kind: str  # "view", "materialized view" or "table"


def mermaid(nodes: Iterable[Node], edges: Iterable[tuple[str, str]]) -> str:
    """`flowchart LR`; tables are drawn as cylinders, materialised views as rounded boxes."""
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    shapes = {"table": '[("{}")]', "materialized view": '("{}")', "view": '["{}"]'}
    for index, node in enumerate(sorted(set(nodes), key=lambda n: n.name)):
        ids[node.name] = f"n{index}"
        label = node.name.replace('"', "#quot;")
        lines.append(f"    n{index}{shapes[node.kind].format(label)}")
    for source, target in sorted(set(edges)):
        lines.append(f"    {ids[source]} --> {ids[target]}")
    return "\n".join(lines) + "\n"


def dot(nodes: Iterable[Node], edges: Iterable[tuple[str, str]]) -> str:
    """`digraph views`; edges point from what is read to the view that reads it."""
    shapes = {"table": "cylinder", "materialized view": "box3d", "view": "box"}

    def quoted(name: str) -> str:
        return '"' + name.replace("\\\\", "\\\\\\\\").replace('"', '\\\\"') + '"'

    lines = ["digraph views {", "    rankdir=LR;"]
    for node in sorted(set(nodes), key=lambda n: n.name):
        lines.append(f"    {quoted(node.name)} [shape={shapes[node.kind]}];")
    for source, target in sorted(set(edges)):
        lines.append(f"    {quoted(source)} -> {quoted(target)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
