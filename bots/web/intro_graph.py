"""The introductions graph: members on a circle, a line for each pair introduced.

Laid out here on the server; the template draws it as inline SVG (and as a list).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bots.storage.admin_queries import IntroPair

SIZE = 360
"""The drawing's width and height in SVG units (it scales to the page)."""
_RADIUS = 120
_NAME_CHARS = 18


@dataclass(frozen=True, slots=True)
class Node:
    """A member on the circle, with where their name goes."""

    name: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True, slots=True)
class Edge:
    """A pair introduced ``times`` times: a line between their nodes."""

    first: str
    second: str
    times: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True, slots=True)
class IntroGraph:
    """Nodes and edges ready to draw in a ``SIZE`` × ``SIZE`` box."""

    nodes: list[Node]
    edges: list[Edge]
    size: int = SIZE


def short_name(name: str) -> str:
    """A display name cut to fit on the drawing."""
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def lay_out(pairs: list[IntroPair], names: dict[int, str]) -> IntroGraph:
    """Place every member of ``pairs`` on a circle (in name order) and join each pair."""
    members = sorted(
        {m for pair in pairs for m in (pair.first, pair.second)},
        key=lambda m: (names.get(m, "").casefold(), m),
    )
    centre = SIZE / 2
    places: dict[int, tuple[float, float, float]] = {}
    nodes = []
    for index, member in enumerate(members):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(members), 1)
        x, y = centre + _RADIUS * math.cos(angle), centre + _RADIUS * math.sin(angle)
        places[member] = (x, y, angle)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        nodes.append(
            Node(
                short_name(names.get(member, "?")),
                round(x, 1),
                round(y, 1),
                round(centre + (_RADIUS + 12) * cos, 1),
                round(centre + (_RADIUS + 12) * math.sin(angle) + 4, 1),
                anchor,
            )
        )
    edges = []
    for pair in pairs:
        x1, y1, _ = places[pair.first]
        x2, y2, _ = places[pair.second]
        edges.append(
            Edge(
                names.get(pair.first, "?"),
                names.get(pair.second, "?"),
                pair.times,
                round(x1, 1),
                round(y1, 1),
                round(x2, 1),
                round(y2, 1),
            )
        )
    return IntroGraph(nodes, edges)
