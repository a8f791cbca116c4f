"""``zonegraph build``: validate, then write every export atomically and deterministically.

All files are written into a temporary sibling folder first; only when every file is written does
the folder replace the previous exports, so a failed or interrupted build leaves them intact.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph import ns
from graph.errors import ValidationFailed
from graph.stats import completeness_table
from graph.stats import stats as compute_stats
from graph.store import KnowledgeGraph, plain
from graph.validate import validate

DATASET_IRI = ns.BASE + "dataset"
SITE = "site"  # the browsable static site, exports/site/
MEDIA_TYPES = {
    "zonegraph.ttl": "text/turtle", "zonegraph.nt": "application/n-triples",
    "zonegraph.trig": "application/trig", "zonegraph.nq": "application/n-quads",
    "zonegraph.jsonld": "application/ld+json", "nodes.csv": "text/csv", "edges.csv": "text/csv",
    "statements.csv": "text/csv", "stats.json": "application/json", "stats.md": "text/markdown",
    "ontology.ttl": "text/turtle", "zonegraph.graphml": "application/graphml+xml",
    "zonegraph.gexf": "application/gexf+xml", "kgx_nodes.tsv": "text/tab-separated-values",
    "kgx_edges.tsv": "text/tab-separated-values", "panel_zone_industry_year.csv": "text/csv",
    "panel_source_zone_industry.csv": "text/csv", "panel_projects.csv": "text/csv",
}
PANELS = {"panel_zone_industry_year.csv": "panel-zone-industry-year",
          "panel_source_zone_industry.csv": "panel-source-zone-industry",
          "panel_projects.csv": "panel-projects"}


@dataclass
class BuildResult:
    out: Path
    files: list[str]
    triples: int
    quads: int


def _sorted_lines(items) -> str:
    return "".join(sorted({f"{item} .\n" for item in items}))


def _data_quads(kg: KnowledgeGraph) -> list[ox.Quad]:
    return list(kg.quads())


def _union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    return list({ox.Triple(q.subject, q.predicate, q.object) for q in quads})


def _serialize(items, fmt: ox.RdfFormat) -> str:
    """Turtle/TriG via pyoxigraph: it keeps lexical forms as written and groups consecutive
    statements, so sorted input gives a stable, readable file."""
    body = ox.serialize(items, format=fmt, prefixes=ns.PREFIXES).decode("utf-8")
    # pyoxigraph writes the prefix lines in hash order; write them sorted instead.
    lines = [line for line in body.splitlines(keepends=True) if not line.startswith("@prefix ")]
    head = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(ns.PREFIXES.items()))
    return head + "\n" + "".join(lines)


def _quad_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


def _jsonld(kg: KnowledgeGraph, triples: list[ox.Triple]) -> str:
    """Flattened JSON-LD with the project context: one node object per subject, sorted."""
    context = dict(ns.PREFIXES)
    nodes: dict[str, dict[str, list]] = {}
    for t in triples:
        node = nodes.setdefault(ns.curie(t.subject.value), {})
        key = "@type" if t.predicate.value == ns.RDF_TYPE else ns.curie(t.predicate.value)
        o = t.object
        if key == "@type":
            value: object = ns.curie(o.value)
        elif isinstance(o, ox.NamedNode):
            value = {"@id": ns.curie(o.value)}
        elif o.language:
            value = {"@value": o.value, "@language": o.language}
        elif o.datatype.value == ns.PREFIXES["xsd"] + "string":
            value = o.value
        else:
            value = {"@value": o.value, "@type": ns.curie(o.datatype.value)}
        node.setdefault(key, []).append(value)
    graph = []
    for sid in sorted(nodes):
        obj: dict[str, object] = {"@id": sid}
        for key in sorted(nodes[sid]):
            vals = sorted(nodes[sid][key], key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
            obj[key] = vals[0] if len(vals) == 1 else vals
        graph.append(obj)
    return json.dumps({"@context": context, "@graph": graph}, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def _csv(columns: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows)
    return buf.getvalue()


_CITED = """
SELECT ?s ?p ?o ?c ?d ?loc WHERE {
  GRAPH ?c { ?s ?p ?o }
  GRAPH zgg:sources { ?c a zg:Citation ; zg:document ?d . OPTIONAL { ?c zg:locator ?loc } }
}
"""
_DOCS = """
SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?u) AS ?url) WHERE {
  GRAPH zgg:sources { ?c zg:document ?d }
  OPTIONAL { ?d rdfs:label ?t FILTER(LANG(?t) = "zh") }
  OPTIONAL { ?d foaf:page ?u }
} GROUP BY ?d
"""


def _tables(kg: KnowledgeGraph) -> dict[str, str]:
    docs = {d.value: (plain(t) or "", plain(u) or "") for d, t, u in kg.select(_DOCS).rows}
    statements, edges = [], []
    for s, p, o, c, d, loc in kg.select(_CITED).rows:
        title, url = docs.get(d.value, ("", ""))
        is_iri = isinstance(o, ox.NamedNode)
        row = [plain(s), ns.curie(p.value), plain(o), "iri" if is_iri else "literal",
               kg.label(s.value, "zh"), kg.label(o.value, "zh") if is_iri else "",
               ns.curie(c.value), ns.curie(d.value), title, plain(loc) or "", url]
        statements.append(row)
        if is_iri and p.value != ns.RDF_TYPE:
            edges.append(row)
    head = ["subject", "predicate", "object", "object_kind", "subject_label_zh", "object_label_zh",
            "citation", "document", "document_title", "locator", "url"]
    types = {}
    for e, c in kg.select("SELECT ?e ?c WHERE { GRAPH ?g { ?e a ?c } FILTER(?g != zgg:ontology) }").rows:
        types.setdefault(e.value, set()).add(ns.curie(c.value))
    coords = {e.value: (la.value, lo.value) for e, la, lo in kg.select(
        "SELECT ?e (SAMPLE(?a) AS ?la) (SAMPLE(?b) AS ?lo) WHERE { ?e geo:lat ?a ; geo:long ?b } GROUP BY ?e").rows}
    ncite = {e.value: int(n.value) for e, n in kg.select(
        "SELECT ?e (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?c { ?e ?p ?o } "
        "GRAPH zgg:sources { ?c a zg:Citation } } GROUP BY ?e").rows}
    nodes = []
    for iri in sorted(types, key=ns.curie):
        if not iri.startswith(ns.BASE) or iri.startswith(ns.PREFIXES["cite"]):
            continue
        lat, lon = coords.get(iri, ("", ""))
        nodes.append([ns.curie(iri), iri, "|".join(sorted(types[iri])), kg.label(iri, "zh"),
                      kg.label(iri, "en"), lat, lon, ncite.get(iri, 0)])
    return {
        "nodes.csv": _csv(["id", "iri", "class", "label_zh", "label_en", "lat", "long", "citations"], nodes),
        "edges.csv": _csv(head, sorted(edges, key=lambda r: [str(x) for x in r])),
        "statements.csv": _csv(head, sorted(statements, key=lambda r: [str(x) for x in r])),
    }


def _void(st: dict, files: list[str], triples: int) -> str:
    from graph import __version__

    lines = ["".join(f"@prefix {p}: <{i}> .\n" for p, i in ns.PREFIXES.items()), "",
             f"<{DATASET_IRI}> a void:Dataset , dcat:Dataset ;",
             '    dcterms:title "国家级承接产业转移示范区知识图谱 (zonegraph)"@zh , "zonegraph: national industrial transfer demonstration zones"@en ;',
             f'    owl:versionInfo "{__version__}" ;',
             f"    void:triples {triples} ;",
             f"    void:entities {sum(st['classes'].values())} ;",
             f'    void:vocabulary <{ns.VOCAB}> ;',
             '    void:uriSpace "https://w3id.org/zonegraph/id/" ;']
    for cls, n in sorted(st["classes"].items()):
        lines.append(f"    void:classPartition [ void:class {cls} ; void:entities {n} ] ;")
    for prop, n in sorted(st["properties"].items()):
        lines.append(f"    void:propertyPartition [ void:property {prop} ; void:triples {n} ] ;")
    for name in files:
        lines.append(f'    dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <{name}> ; '
                     f'dcat:mediaType "{MEDIA_TYPES.get(name, "application/octet-stream")}" ] ;')
    lines[-1] = lines[-1][:-2] + " ."
    return "\n".join(lines) + "\n"


def _stats_md(st: dict) -> str:
    from graph.output import render

    parts = ["# zonegraph statistics\n",
             f"Citation coverage: {st['cited_statements']}/{st['fact_statements']} fact statements "
             f"({st['citation_coverage']:.2%}); {st['citations']} citations in "
             f"{st['source_documents']} source documents.\n",
             "## Entities per class\n", render(["class", "entities"], sorted(st["classes"].items()), "markdown"),
             "\n## Statements per property\n",
             render(["property", "statements"], sorted(st["properties"].items()), "markdown"),
             "\n## Zone completeness (values/source documents per field)\n",
             render(*completeness_table(st["zones"]), "markdown")]
    return "\n".join(parts)


def _gephi(kg: KnowledgeGraph) -> dict[str, str]:
    """GraphML and GEXF of every entity-to-entity statement, with classes, labels, coordinates,
    relation, mode, date and sources as attributes."""
    import re

    import networkx as nx

    from graph.network import rdf_multidigraph

    g = rdf_multidigraph(kg)
    graphml = "\n".join(nx.generate_graphml(g, encoding="utf-8", prettyprint=True)) + "\n"
    gexf = "\n".join(nx.generate_gexf(g, encoding="utf-8", prettyprint=True, version="1.2draft")) + "\n"
    # The writer stamps today's date and its own version into <meta>: drop both so rebuilds are
    # byte-identical whatever the day.
    gexf = re.sub(r' lastmodifieddate="[^"]*"', "", gexf)
    gexf = re.sub(r"<creator>[^<]*</creator>", "<creator>zonegraph</creator>", gexf)
    return {"zonegraph.graphml": graphml, "zonegraph.gexf": gexf}


def _kgx(kg: KnowledgeGraph) -> dict[str, str]:
    """KGX-style node and edge tables (TSV) with provenance columns."""
    from graph.network import rdf_multidigraph

    g = rdf_multidigraph(kg)
    nodes = [[n, d["class"], d["label_zh"], d["label_en"], ns.expand(n) or n, "zonegraph"]
             for n, d in sorted(g.nodes(data=True))]
    docs = {d.value: (plain(u) or "") for d, t, u in kg.select(_DOCS).rows}
    edges = []
    for s, o, key, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        urls = sorted({docs.get(ns.expand(x) or x, "") for x in d["sources"].split()} - {""})
        edges.append([f"{s}|{key}|{o}", s, key, o, d["mode"], d["date"], d["sources"], d["citations"],
                      " ".join(urls)])

    def tsv(columns, rows):
        return "\t".join(columns) + "\n" + "".join(
            "\t".join(str(v).replace("\t", " ").replace("\n", " ") for v in r) + "\n" for r in rows)

    return {"kgx_nodes.tsv": tsv(["id", "category", "name", "name_en", "iri", "provided_by"], nodes),
            "kgx_edges.tsv": tsv(["id", "subject", "predicate", "object", "mode", "date", "knowledge_source",
                                  "citations", "publications"], edges)}


def _panels(kg: KnowledgeGraph) -> dict[str, str]:
    """Panel tables for Stata/R/Excel: the shipped panel-*.rq queries rendered as CSV."""
    from graph.api import run_named_query

    out = {}
    for name, query in PANELS.items():
        table = run_named_query(kg, query, lang="zh")
        out[name] = _csv(table.columns, [list(r.values()) for r in table.values()])
    return out


def render_exports(kg: KnowledgeGraph) -> dict[str, str]:
    quads = _data_quads(kg)
    triples = _union_triples(quads)
    nt = _sorted_lines(triples)
    nq = _sorted_lines(quads)
    st = compute_stats(kg)
    files = {
        "zonegraph.nt": nt,
        "zonegraph.nq": nq,
        "zonegraph.ttl": _serialize(sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))),
                                    ox.RdfFormat.TURTLE),
        "zonegraph.trig": _serialize(sorted(set(quads), key=_quad_key), ox.RdfFormat.TRIG),
        "zonegraph.jsonld": _jsonld(kg, sorted(triples, key=str)),
        "stats.json": json.dumps(st, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        "stats.md": _stats_md(st),
        "ontology.ttl": (kg.root / "ontology.ttl").read_text(encoding="utf-8"),
        **_tables(kg),
        **_gephi(kg),
        **_kgx(kg),
        **_panels(kg),
    }
    files["void.ttl"] = _void(st, sorted(files), len(triples))
    return files


def build(kg: KnowledgeGraph, out: str | os.PathLike[str] = "exports", check: bool = True,
          bom: bool = False, site: bool = True) -> BuildResult:
    out = Path(out)
    if not out.is_absolute():
        out = Path.cwd() / out
    if check:
        report = validate(kg)
        if not report.conforms:
            raise ValidationFailed(
                f"build refused: {len(report.problems)} validation problem(s), citation coverage "
                f"{report.coverage:.2%}. Run `zonegraph validate` to list them; {out} was left untouched."
            )
    files = render_exports(kg)
    if bom:  # Excel only detects UTF-8 in CSV files that start with a byte-order mark
        files = {k: ("\ufeff" + v if k.endswith(".csv") else v) for k, v in files.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        if out.is_dir():  # keep anything we do not generate (e.g. a README) alongside
            for child in out.iterdir():
                if child.name not in files and child.name != SITE:
                    dest = tmp / child.name
                    (shutil.copytree if child.is_dir() else shutil.copy2)(child, dest)
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8", newline="\n")
        if site:
            from graph.site import build_site

            build_site(kg, tmp / SITE)
            from graph.sparqlpage import write as write_query_page

            write_query_page(kg, tmp / SITE)  # query.html: SPARQL in the browser, offline
        old = out.with_name(f".{out.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    names = sorted(files) + ([f"{SITE}/index.html"] if site else [])
    return BuildResult(out, names, files["zonegraph.nt"].count("\n"), files["zonegraph.nq"].count("\n"))
