"""A left-to-right flow (Sankey-style) of transfer chains, drawn as static SVG.

Columns: source region → industry → zone → member city or park → project. One band per chain:
a declared transfer link (zg:TransferLink: a document names source, industry and receiver) or a
realised project (zg:InvestmentProject: investor origin, industry, zone, place). So a node's height
and a link's width are the number of declared links and projects through them. Declared bands are
dashed amber, realised ones solid green. Filters (zone, industry, source region) only hide bands:
positions are computed here, once, so the picture is the same on every load.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.profile import safe_href
from graph.viz import draw_label

if TYPE_CHECKING:
    from graph.site import SiteBuilder

COLUMNS = [("source", "转出地", "source region"), ("industry", "产业", "industry"), ("zone", "示范区", "zone"),
           ("place", "城市/园区", "city or park"), ("project", "项目", "project")]
UNIT = 4  # pixels of band per chain
GAP = 10  # pixels between nodes of a column
WIDTH = 1240
TOP = 30


@dataclass
class Chain:
    mode: str  # declared | realised
    nodes: list[str | None]  # one per column, None where the chain has no node there
    title: str
    sources: list[str] = field(default_factory=list)


def chains(sb: SiteBuilder) -> list[Chain]:
    f = sb.facts
    zone_of_region: dict[str, str] = {}
    for m in f.subjects_of_class("zg:Membership"):
        for r in f.values(m, "zg:member"):
            for z in f.values(m, "zg:zone"):
                zone_of_region.setdefault(r, z)
    out = []
    for link in f.subjects_of_class("zg:TransferLink"):
        for src in f.values(link, "zg:sourceRegion") or [None]:
            for rec in f.values(link, "zg:receiver"):
                zone = rec if f.classes.get(rec) == "zg:DemonstrationZone" else zone_of_region.get(rec)
                place = None if rec == zone else rec
                for ind in f.values(link, "zg:industry") or [None]:
                    docs = sorted({sb.zh(d) for d in f.values(link, "zg:declaredIn")})
                    out.append(Chain("declared", [src, ind, zone, place, None], sb.zh(link), docs))
    for p in f.subjects_of_class("zg:InvestmentProject"):
        places = f.values(p, "zg:park") or f.values(p, "zg:locatedIn")
        place = places[0] if places else None
        zones = f.values(p, "zg:zone") or [zone_of_region[r] for r in f.values(p, "zg:locatedIn")
                                            if r in zone_of_region]
        if not zones:
            continue  # not in any zone: outside this picture
        origins = f.values(p, "zg:investorOrigin") or [None]
        inds = f.values(p, "zg:industry") or [None]
        docs = sorted({e.title for e in f.evidence(p, "rdfs:label")})
        out.append(Chain("realised", [origins[0], inds[0], zones[0], place, p], sb.zh(p), docs))
    out.sort(key=lambda c: (c.mode, [n or "" for n in c.nodes]))
    return out


def layout(sb: SiteBuilder, root: str) -> dict:
    cs = chains(sb)
    weight: dict[tuple[int, str], int] = defaultdict(int)
    for c in cs:
        for i, n in enumerate(c.nodes):
            if n:
                weight[(i, n)] += 1
    # zones ordered by weight; every other node follows the first zone it feeds, so bands cross less
    zones = sorted({c.nodes[2] for c in cs if c.nodes[2]}, key=lambda z: (-weight[(2, z)], z))
    zrank = {z: i for i, z in enumerate(zones)}
    first_zone: dict[tuple[int, str], float] = {}
    for c in cs:
        for i, n in enumerate(c.nodes):
            if n and c.nodes[2]:
                key = (i, n)
                first_zone[key] = min(first_zone.get(key, 1e9), zrank[c.nodes[2]])
    # the last column leaves room for its labels on the right (project names run long)
    col_x = [round(20 + i * (WIDTH - 300) / (len(COLUMNS) - 1)) for i in range(len(COLUMNS))]
    nodes: dict[tuple[int, str], dict] = {}
    height = 0
    for i in range(len(COLUMNS)):
        here = sorted((k for k in weight if k[0] == i), key=lambda k: (first_zone.get(k, 1e9), -weight[k], k[1]))
        y = TOP
        for k in here:
            h = weight[k] * UNIT
            nodes[k] = {"id": k[1], "col": i, "x": col_x[i], "y": y, "h": h, "label": draw_label(sb.zh(k[1])),
                        "full": sb.zh(k[1]), "href": safe_href(sb.href(k[1], root)), "n": weight[k],
                        "out": y, "in": y}
            y += h + GAP
        height = max(height, y)
    links = []
    for ci, c in enumerate(cs):
        present = [(i, n) for i, n in enumerate(c.nodes) if n]
        for (i, a), (j, b) in zip(present, present[1:]):
            na, nb = nodes[(i, a)], nodes[(j, b)]
            y0, y1 = na["out"] + UNIT / 2, nb["in"] + UNIT / 2
            na["out"] += UNIT
            nb["in"] += UNIT
            x0, x1 = na["x"] + 10, nb["x"]
            mid = (x0 + x1) / 2
            path = f"M{x0},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1},{y1:.1f}"
            links.append({"chain": ci, "mode": c.mode, "d": path,
                          "zone": c.nodes[2] or "", "industry": c.nodes[1] or "", "source": c.nodes[0] or "",
                          "title": " → ".join(sb.zh(n) for n in c.nodes if n) + (
                              f" ({c.mode}; {'; '.join(c.sources)})" if c.sources else f" ({c.mode})")})
    def options(col):
        return sorted(({"id": n["id"], "label": n["full"]} for k, n in nodes.items() if k[0] == col),
                      key=lambda o: o["label"])
    return {"nodes": sorted(nodes.values(), key=lambda n: (n["col"], n["y"])), "links": links,
            "width": WIDTH, "height": height + 10,
            "columns": [dict(zip(("key", "zh", "en"), c), x=x) for c, x in zip(COLUMNS, col_x)],
            "filters": {"zone": options(2), "industry": options(1), "source": options(0)},
            "counts": {"declared": sum(c.mode == "declared" for c in cs),
                       "realised": sum(c.mode == "realised" for c in cs)}}
