"""Counts per class and relation, citation coverage, and per-zone completeness."""

from __future__ import annotations

from graph import ns
from graph.store import KnowledgeGraph
from graph.validate import coverage

_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE {
  GRAPH ?g { ?e a ?class } FILTER(?g != zgg:ontology)
} GROUP BY ?class ORDER BY ?class
"""
_PROPERTIES = """
SELECT ?p (COUNT(*) AS ?n) WHERE {
  { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != zgg:ontology) } }
} GROUP BY ?p ORDER BY ?p
"""
_TOTALS = """
SELECT (COUNT(DISTINCT ?c) AS ?citations) (COUNT(DISTINCT ?d) AS ?documents) WHERE {
  GRAPH zgg:sources { ?c a zg:Citation ; zg:document ?d }
}
"""

# Completeness fields: name -> SPARQL path from ?zone to the values (union graph).
ZONE_FIELDS: dict[str, str] = {
    "label_zh": "rdfs:label",
    "short_name": "skos:altLabel",
    "province": "zg:province",
    "approved_by": "zg:approvedBy",
    "approval_date": "zg:approvalDate",
    "approval_document": "zg:approvalDocument",
    "document_number": "zg:approvalDocument/dcterms:identifier",
    "plan": "zg:plan",
    "members": "^zg:zone/zg:member",
    "changes": "^zg:zone/a",
    "spatial_layout": "zg:spatialLayout",
    "positioning": "zg:positioning",
    "target_industries": "zg:targetIndustry",
    "source_regions": None,  # derived: zg:sourceRegion of the zone, or of a declared link it receives
    "member_source_regions": None,  # derived: source regions of links received by a member or a park in one
    "carrier_platforms": "zg:carrierPlatform",
    "national_parks_in_members": None,  # derived: national-level parks located in a member region
    "paired_cooperation": None,  # derived: 对口合作 with a member region or the zone's province as partner
    "figures": None,  # derived: statistical observations of the zone itself
    "projects": None,  # derived: projects in the zone or located in a member region
}
# Written to walk from the many (links, projects) up to the few (members, zones): the engine keeps
# the pattern order, and the reverse order joins every membership with every link (quadratic).
_DERIVED = {
    "source_regions": """
SELECT (COUNT(DISTINCT ?v) AS ?n) (COUNT(DISTINCT ?d) AS ?s) WHERE {
  { ?zone zg:sourceRegion ?v . BIND(?zone AS ?x) } UNION { ?x a zg:TransferLink ; zg:receiver ?zone ; zg:sourceRegion ?v }
  OPTIONAL { GRAPH ?c { ?x zg:sourceRegion ?v } GRAPH zgg:sources { ?c zg:document ?d } }
}""",
    "member_source_regions": """
SELECT (COUNT(DISTINCT ?v) AS ?n) (COUNT(DISTINCT ?d) AS ?s) WHERE {
  ?x a zg:TransferLink ; zg:receiver ?r ; zg:sourceRegion ?v .
  { ?r zg:parentRegion* ?member } UNION { ?r zg:locatedIn/zg:parentRegion* ?member }
  ?m zg:member ?member ; a zg:Membership ; zg:zone ?zone .
  OPTIONAL { GRAPH ?c { ?x zg:sourceRegion ?v } GRAPH zgg:sources { ?c zg:document ?d } }
}""",
    "paired_cooperation": """
SELECT (COUNT(DISTINCT ?v) AS ?n) (COUNT(DISTINCT ?d) AS ?s) WHERE {
  { ?v a zg:Cooperation ; zg:partner ?partner . ?m zg:member ?partner ; a zg:Membership ; zg:zone ?zone }
  UNION
  { ?v a zg:Cooperation ; zg:partner ?partner . ?zone zg:province ?partner }
  OPTIONAL { GRAPH ?c { ?v zg:partner ?partner } GRAPH zgg:sources { ?c zg:document ?d } }
}""",
    "figures": """
SELECT (COUNT(DISTINCT ?v) AS ?n) (COUNT(DISTINCT ?d) AS ?s) WHERE {
  ?v a zg:Observation ; zg:observationOf ?zone .
  OPTIONAL { GRAPH ?c { ?v zg:observationOf ?zone } GRAPH zgg:sources { ?c zg:document ?d } }
}""",
    "national_parks_in_members": """
SELECT (COUNT(DISTINCT ?v) AS ?n) (COUNT(DISTINCT ?d) AS ?s) WHERE {
  ?m a zg:Membership ; zg:zone ?zone ; zg:member ?member .
  ?v a zg:DevelopmentZone ; zg:parkLevel zg:NationalLevel ; zg:locatedIn/zg:parentRegion* ?member .
  OPTIONAL { GRAPH ?c { ?v zg:parkLevel zg:NationalLevel } GRAPH zgg:sources { ?c zg:document ?d } }
}""",
    "projects": """
SELECT (COUNT(DISTINCT ?v) AS ?n) (COUNT(DISTINCT ?d) AS ?s) WHERE {
  { ?v a zg:InvestmentProject ; zg:zone ?zone }
  UNION
  { ?v a zg:InvestmentProject ; zg:locatedIn|zg:park/zg:locatedIn ?place . ?place zg:parentRegion* ?member .
    ?m zg:member ?member ; a zg:Membership ; zg:zone ?zone . }
  OPTIONAL { GRAPH ?c { ?v a zg:InvestmentProject } GRAPH zgg:sources { ?c zg:document ?d } }
}""",
}


def class_counts(kg: KnowledgeGraph) -> dict[str, int]:
    return {ns.curie(c.value): int(n.value) for c, n in kg.select(_CLASSES).rows}


def property_counts(kg: KnowledgeGraph) -> dict[str, int]:
    return {ns.curie(p.value): int(n.value) for p, n in kg.select(_PROPERTIES).rows}


def _field_query(field: str, path: str | None) -> str:
    """Counts of one field for every zone at once (GROUP BY ?zone): one query per field, not one
    per zone and field, so the table costs the same per zone however many zones there are."""
    if field in _DERIVED:
        body = _DERIVED[field].strip()
        assert body.startswith("SELECT (COUNT"), field
        return "SELECT ?zone " + body[len("SELECT "):] + " GROUP BY ?zone"
    if field == "changes":
        where = ("?v zg:zone ?zone ; a zg:ZoneChange . OPTIONAL { GRAPH ?c { ?v zg:zone ?zone } "
                 "GRAPH zgg:sources { ?c zg:document ?d } }")
    else:
        last = path.split("/")[-1]
        head = "/".join(path.split("/")[:-1])
        anchor = f"?zone {head} ?x ." if head else "BIND(?zone AS ?x)"
        # Count names in Chinese only; English labels are editorial translations.
        lang = 'FILTER(LANG(?v) != "en")' if last in ("rdfs:label", "skos:altLabel") else ""
        where = (f"?zone a zg:DemonstrationZone . {anchor} ?x {last} ?v . {lang} "
                 f"OPTIONAL {{ GRAPH ?c {{ ?x {last} ?v }} GRAPH zgg:sources {{ ?c zg:document ?d }} }}")
    return f"SELECT ?zone (COUNT(DISTINCT ?v) AS ?n) (COUNT(DISTINCT ?d) AS ?s) WHERE {{ {where} }} GROUP BY ?zone"


_DOCUMENTS = """SELECT ?zone (COUNT(DISTINCT ?d) AS ?n) WHERE {
  ?zone a zg:DemonstrationZone . GRAPH ?c { ?zone ?p ?o } GRAPH zgg:sources { ?c zg:document ?d }
} GROUP BY ?zone"""


def zone_completeness(kg: KnowledgeGraph) -> list[dict[str, object]]:
    """Per zone: for each field, how many values and how many distinct source documents."""
    zones = [z for (z,) in kg.select("SELECT DISTINCT ?z WHERE { ?z a zg:DemonstrationZone } ORDER BY ?z").rows]
    counts = {}
    for field, path in ZONE_FIELDS.items():
        counts[field] = {z: (int(n.value), int(s.value)) for z, n, s in kg.select(_field_query(field, path)).rows}
    documents = {z: int(n.value) for z, n in kg.select(_DOCUMENTS).rows}
    out = []
    for zone in zones:
        row: dict[str, object] = {"zone": ns.curie(zone.value), "label": kg.label(zone.value, "zh")}
        for field in ZONE_FIELDS:
            n, s = counts[field].get(zone, (0, 0))
            row[field] = {"values": n, "sources": s}
        row["documents"] = documents.get(zone, 0)
        out.append(row)
    return out


def stats(kg: KnowledgeGraph) -> dict[str, object]:
    facts, cited = coverage(kg)
    (citations, documents), = kg.select(_TOTALS).rows
    return {
        "classes": class_counts(kg),
        "properties": property_counts(kg),
        "fact_statements": facts,
        "cited_statements": cited,
        "citation_coverage": round(cited / facts, 4) if facts else 1.0,
        "citations": int(citations.value),
        "source_documents": int(documents.value),
        "zones": zone_completeness(kg),
    }


def completeness_table(zones: list[dict[str, object]]) -> tuple[list[str], list[list[object]]]:
    """Rows of `zone | label | field...` where each cell is `values/sources` (0/0 when empty)."""
    columns = ["zone", "label", *ZONE_FIELDS, "documents"]
    rows = []
    for z in zones:
        cells = [f"{z[f]['values']}/{z[f]['sources']}" for f in ZONE_FIELDS]  # type: ignore[index]
        rows.append([z["zone"], z["label"], *cells, z["documents"]])
    return columns, rows

