"""Site pages beyond entities and views: the timeline, the ontology and the downloads.

Each ``*_context`` function gathers what its template shows; :class:`graph.site.SiteBuilder` writes
the pages. Every href is passed through :func:`graph.profile.safe_href`.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph import ns
from graph.profile import Notes, safe_href

if TYPE_CHECKING:
    from graph.site import SiteBuilder

FIRST_YEAR = 2010  # the first zone (皖江城市带) was approved in January 2010

EVENT_KINDS = {
    "approval": ("批准", "zone approved"),
    "joined": ("成员加入", "member joined"),
    "left": ("成员退出", "member left"),
    "extension": ("扩展", "extension"),
    "renaming": ("更名", "renaming"),
    "member-dissolved": ("成员撤销", "member dissolved"),
}


def timeline_context(sb: SiteBuilder, root: str = "") -> dict:
    """Zone approvals, zone changes (extensions, renamings, dissolved members) and memberships
    joining or leaving, one event per (zone, date, kind), each with footnotes to its sources."""
    f = sb.facts
    notes = Notes(sb, root)
    events: dict[tuple[str, str, str], dict] = {}

    def event(date: str, kind: str, zone: str, evs, what: dict | None = None, href: str | None = None):
        key = (date, zone, kind)
        e = events.setdefault(key, {"date": date, "year": date[:4], "kind": kind,
                                    "kind_zh": EVENT_KINDS.get(kind, (kind, kind))[0],
                                    "kind_en": EVENT_KINDS.get(kind, (kind, kind))[1],
                                    "zone": {"text": sb.zh(zone), "href": safe_href(sb.href(zone, root))},
                                    "what": [], "evs": set(), "href": href})
        if what and what not in e["what"]:
            e["what"].append(what)
        e["evs"] |= set(evs)

    for z in f.subjects_of_class("zg:DemonstrationZone"):
        for date, evs in f.by_subject[z].get("zg:approvalDate", {}).items():
            by = [sb.zh(a) for a in f.values(z, "zg:approvedBy")]
            event(date, "approval", z, evs, {"text": "、".join(by), "href": None} if by else None)
    for c in f.subjects_of_class("zg:ZoneChange"):
        for z in f.values(c, "zg:zone"):
            for date, evs in f.by_subject[c].get("zg:date", {}).items():
                for kind in f.values(c, "zg:changeKind"):
                    event(date, kind, z, evs | f.evidence(c, "zg:changeKind"),
                          {"text": sb.zh(c), "href": safe_href(sb.href(c, root))})
    for m in f.subjects_of_class("zg:Membership"):
        zones, regions = f.values(m, "zg:zone"), f.values(m, "zg:member")
        for z in zones:
            for r in regions:
                what = {"text": sb.zh(r), "href": safe_href(sb.href(r, root))}
                for date, evs in f.by_subject[m].get("zg:startDate", {}).items():
                    event(date, "joined", z, evs, what)
                for date, evs in f.by_subject[m].get("zg:endDate", {}).items():
                    event(date, "left", z, evs, what)
    rows = []
    for key in sorted(events):
        e = events[key]
        e["what"].sort(key=lambda w: w["text"])
        e["cites"] = notes.cite(e.pop("evs"))
        rows.append(e)
    last = max([int(e["year"]) for e in rows if e["year"].isdigit()] + [FIRST_YEAR])
    years = []
    for y in range(FIRST_YEAR, last + 1):
        here = [e for e in rows if e["year"] == str(y)]
        years.append({"year": y, "events": here, "counts": {k: sum(e["kind"] == k for e in here) for k in EVENT_KINDS}})
    early = [e for e in rows if not e["year"].isdigit() or int(e["year"]) < FIRST_YEAR]
    return {"years": years, "early": early, "notes": notes.entries, "kinds": EVENT_KINDS,
            "n_events": len(rows), "span": (FIRST_YEAR, last)}


ONTOLOGY_KINDS = [("owl:Class", "类 Classes"), ("owl:ObjectProperty", "对象属性 Object properties"),
                  ("owl:DatatypeProperty", "数据属性 Datatype properties"),
                  ("owl:AnnotationProperty", "注释属性 Annotation properties")]


def term_anchor(curie: str) -> str:
    return "t-" + curie.replace(":", "-")


def ontology_context(sb: SiteBuilder) -> dict:
    """Every class and property of ontology.ttl: zh/en labels, definition, domain, range, and how
    often the data uses it (instances of a class, distinct statements with a property)."""
    kg = sb.kg
    onto = ox.NamedNode(ns.ONTOLOGY_GRAPH)
    terms: dict[str, dict] = {}
    for t, k in kg.select("SELECT ?t ?k WHERE { GRAPH ?g { ?t a ?k } VALUES ?k { owl:Class owl:ObjectProperty "
                          "owl:DatatypeProperty owl:AnnotationProperty } }", {"g": onto}).rows:
        curie = ns.curie(t.value)
        terms.setdefault(curie, {"curie": curie, "iri": t.value, "kind": ns.curie(k.value), "labels": {},
                                 "comment": [], "domain": [], "range": []})
    for t, p, o in kg.select("SELECT ?t ?p ?o WHERE { GRAPH ?g { ?t ?p ?o } VALUES ?p { rdfs:label rdfs:comment "
                             "rdfs:domain rdfs:range skos:definition } }", {"g": onto}).rows:
        e = terms.get(ns.curie(t.value))
        if e is None:
            continue
        prop = ns.curie(p.value)
        if prop == "rdfs:label":
            e["labels"].setdefault(o.language or "", o.value)
        elif prop in ("rdfs:comment", "skos:definition"):
            e["comment"].append(o.value)
        elif isinstance(o, ox.NamedNode):
            e["domain" if prop == "rdfs:domain" else "range"].append(ns.curie(o.value))
    # usage counted over the data files only (the ontology's own triples are not "use")
    triples: set[tuple] = set()
    for q in kg.quads():
        triples.add((q.subject, q.predicate, q.object))
    uses: dict[str, int] = defaultdict(int)
    instances: dict[str, set] = defaultdict(set)
    rdf_type = ox.NamedNode(ns.expand("rdf:type"))
    for s, p, o in triples:
        uses[ns.curie(p.value)] += 1
        if p == rdf_type and isinstance(o, ox.NamedNode):
            instances[ns.curie(o.value)].add(s)
    groups = []
    for kind, title in ONTOLOGY_KINDS:
        rows = []
        for curie in sorted(c for c, e in terms.items() if e["kind"] == kind):
            e = terms[curie]
            count = len(instances.get(curie, ())) if kind == "owl:Class" else uses.get(curie, 0)
            rows.append({**e, "zh": e["labels"].get("zh", ""), "en": e["labels"].get("en", ""),
                         "comment": " ".join(sorted(e["comment"])), "anchor": term_anchor(curie), "count": count,
                         "domain": [_term_link(d, terms) for d in sorted(e["domain"])],
                         "range": [_term_link(r, terms) for r in sorted(e["range"])]})
        groups.append({"kind": kind, "title": title, "rows": rows})
    return {"groups": groups, "n_terms": sum(len(g["rows"]) for g in groups)}


def _term_link(curie: str, terms: dict) -> dict:
    return {"text": curie, "href": "#" + term_anchor(curie) if curie in terms else None}


FORMATS = {  # extension -> (format, media type)
    ".ttl": ("Turtle", "text/turtle"), ".nt": ("N-Triples", "application/n-triples"),
    ".trig": ("TriG", "application/trig"), ".nq": ("N-Quads", "application/n-quads"),
    ".jsonld": ("JSON-LD", "application/ld+json"), ".csv": ("CSV (UTF-8)", "text/csv"),
    ".tsv": ("TSV (UTF-8)", "text/tab-separated-values"), ".json": ("JSON", "application/json"),
    ".md": ("Markdown", "text/markdown"), ".graphml": ("GraphML", "application/graphml+xml"),
    ".gexf": ("GEXF (Gephi)", "application/gexf+xml"), ".geojson": ("GeoJSON (QGIS)", "application/geo+json"),
}
DESCRIPTIONS = {
    "zonegraph.ttl": "The union graph (every fact, no provenance).",
    "zonegraph.nt": "The union graph as sorted N-Triples (diff-friendly).",
    "zonegraph.trig": "The full dataset: one named graph per citation, plus the sources and editorial graphs.",
    "zonegraph.nq": "The full dataset as N-Quads (one named graph per citation).",
    "zonegraph.jsonld": "The union graph as flattened JSON-LD with the project context.",
    "nodes.csv": "Every entity: CURIE, IRI, class, zh/en labels, coordinates, number of citations.",
    "edges.csv": "Every entity-to-entity statement, one row per source (citation, document, title, locator, URL).",
    "statements.csv": "Every statement, literals included, one row per source.",
    "void.ttl": "VoID/DCAT description: triple, entity, class and property counts.",
    "stats.json": "The output of zonegraph stats: counts, citation coverage, per-zone completeness.",
    "stats.md": "The same statistics as Markdown tables.",
    "ontology.ttl": "The vocabulary: classes and properties with zh/en labels and definitions.",
    "zonegraph.graphml": "For Gephi/yEd: entities as nodes, entity-to-entity statements as directed edges with "
                         "relation, declared/realised mode, date and sources.",
    "zonegraph.gexf": "For Gephi: the same network as GEXF.",
    "kgx_nodes.tsv": "KGX-style node table with provenance columns.",
    "kgx_edges.tsv": "KGX-style edge table with knowledge source, citations and publication URLs.",
    "panel_zone_industry_year.csv": "Panel: zone × target industry × document that names it, with the document's year and sources.",
    "panel_source_zone_industry.csv": "Panel: source region × zone × industry, declared or realised, with the link and the sources of its statements.",
    "panel_city_year.csv": "Treatment panel: member region × zone × year since 2008 (in_zone, partial, first year, approval document, sources); codebook in the README.",
    "regions.geojson": "Every region with coordinates: code, names, the zones it belongs to with years.",
    "parks_projects.geojson": "Parks and projects, placed at their region's point (placed_at says so).",
    "panel_projects.csv": "Every investment project with place, park, zone, industry, investor, origin, amount, "
                          "status, year and sources.",
}


def downloads_context(folder: Path, licence: str, site_name: str = "site") -> dict:
    """Every export file beside the site folder with its size, format, licence and contents."""
    rows = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not path.is_file() or path.name.startswith(".") or path.name == site_name:
            continue
        fmt, media = FORMATS.get(path.suffix, (path.suffix.lstrip(".").upper(), ""))
        size = path.stat().st_size
        rows.append({"name": path.name, "href": safe_href("../" + path.name), "size": size,
                     "size_text": _size(size), "format": fmt, "media": media,
                     "what": DESCRIPTIONS.get(path.name, "")})
    return {"files": rows, "licence": licence}


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)
