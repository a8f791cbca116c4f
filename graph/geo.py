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
