"""``zonegraph build``: validate, then write every export atomically and deterministically.

All files are written into a temporary sibling folder first; only when every file is written does
the folder replace the previous exports, so a failed or interrupted build leaves them intact.

Safety rules: the target is the root's ``exports/`` unless ``out`` says otherwise; a build replaces
only an empty folder or a previous export (one holding the MARKER file); files and folders get the
user's umask; temporary folders that killed builds left behind are removed by the next build; a
target that cannot be written is one ZonegraphError (exit 2), never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import shutil
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from graph import ns
from graph.errors import ValidationFailed, ZonegraphError
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
    "panel_city_year.csv": "text/csv", "regions.geojson": "application/geo+json",
    "parks_projects.geojson": "application/geo+json",
}
# Written into every export folder: a build replaces a non-empty folder only when it holds this file,
# so a mistyped --out (a home directory, a checkout, data/) is never wiped.
MARKER = ".zonegraph-export"
MARKER_TEXT = ("This folder was written by `zonegraph build`; the next build replaces all of it.\n"
               "Files you add here are kept, but anything zonegraph generates is rewritten.\n")


class NotAnExportFolder(ZonegraphError):
    """--out names a folder that holds something other than a previous zonegraph export."""


class OutputNotWritable(ZonegraphError):
    """The exports cannot be written there (permissions, read-only file system, disk full)."""


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


def _serialize(items, fmt: ox.RdfFormat) -> str:
    """Turtle/TriG via pyoxigraph: it keeps lexical forms as written and groups consecutive
    statements, so sorted input gives a stable, readable file."""
    body = ox.serialize(items, format=fmt, prefixes=ns.PREFIXES).decode("utf-8")
    # pyoxigraph writes the prefix lines in hash order; write them sorted instead.
    lines = [line for line in body.splitlines(keepends=True) if not line.startswith("@prefix ")]
    head = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(ns.PREFIXES.items()))
    return head + "\n" + "".join(lines)


def _by_terms(*terms) -> str:
    """One sort key for a statement's terms, ordered as the tuple of their N-Triples forms would be
    (NUL sorts before any character a term can hold): a string per statement, not a tuple of four,
    which at a million statements is the difference of most of a gigabyte."""
    return "\0".join(map(str, terms))


def _jsonld(triples: list[ox.Triple]) -> str:
    """Flattened JSON-LD with the project context: one node object per subject, sorted. Written
    node by node (json.dumps of each at the depth it sits), so only one node's values are held as
    Python objects at a time."""
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(ns.curie(t.subject.value), []).append(t)
    head = json.dumps({"@context": dict(ns.PREFIXES), "@graph": []}, ensure_ascii=False, indent=1)
    parts = [head[:-len("[]\n}")], "[\n"]
    for k, sid in enumerate(sorted(by_subject)):
        node: dict[str, list] = {}
        for t in by_subject[sid]:
            key = "@type" if t.predicate.value == ns.RDF_TYPE else ns.curie(t.predicate.value)
            node.setdefault(key, []).append(_jsonld_value(key, t.object))
        obj: dict[str, object] = {"@id": sid}
        for key in sorted(node):
            vals = sorted(node[key], key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
            obj[key] = vals[0] if len(vals) == 1 else vals
        text = json.dumps(obj, ensure_ascii=False, indent=1)
        parts.append(("" if k == 0 else ",\n") + "\n".join("  " + line for line in text.split("\n")))
    parts.append("\n ]\n}\n" if by_subject else "]\n}\n")
    return "".join(parts)


def _jsonld_value(key: str, o) -> object:
    if key == "@type":
        return ns.curie(o.value)
    if isinstance(o, ox.NamedNode):
        return {"@id": ns.curie(o.value)}
    if o.language:
        return {"@value": o.value, "@language": o.language}
    if o.datatype.value == ns.PREFIXES["xsd"] + "string":
        return o.value
    return {"@value": o.value, "@type": ns.curie(o.datatype.value)}


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


def _tables(kg: KnowledgeGraph) -> Iterator[tuple[str, str]]:
    docs = {d.value: (plain(t) or "", plain(u) or "") for d, t, u in kg.select(_DOCS).rows}
    # One string per row, its fields joined by NUL (which sorts before any character they hold, so
    # the order is that of the field lists): a list of eleven strings per statement, and another
    # as its sort key, took most of two gigabytes at a hundred times the data.
    statements = []
    for s, p, o, c, d, loc in kg.select(_CITED).rows:
        title, url = docs.get(d.value, ("", ""))
        is_iri = isinstance(o, ox.NamedNode)
        statements.append("\0".join((
            plain(s), ns.curie(p.value), plain(o), "iri" if is_iri else "literal", kg.label(s.value, "zh"),
            kg.label(o.value, "zh") if is_iri else "", ns.curie(c.value), ns.curie(d.value), title,
            plain(loc) or "", url)))
    statements.sort()
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
    yield "nodes.csv", _csv(["id", "iri", "class", "label_zh", "label_en", "lat", "long", "citations"], nodes)
    del nodes
    yield "edges.csv", _csv(head, (r for r in (row.split("\0") for row in statements)
                                   if r[3] == "iri" and r[1] != "rdf:type"))
    yield "statements.csv", _csv(head, (row.split("\0") for row in statements))


def _void(st: dict, files: list[str], triples: int) -> str:
    from graph import DATA_LICENSE, RELEASE_DATE, __version__

    lines = ["".join(f"@prefix {p}: <{i}> .\n" for p, i in ns.PREFIXES.items()), "",
             f"<{DATASET_IRI}> a void:Dataset , dcat:Dataset ;",
             '    dcterms:title "国家级承接产业转移示范区知识图谱 (zonegraph)"@zh , "zonegraph: national industrial transfer demonstration zones"@en ;',
             f'    owl:versionInfo "{__version__}" ;',
             f'    dcterms:issued "{RELEASE_DATE}"^^xsd:date ;',
             f"    dcterms:license <{DATA_LICENSE}> ;",
             '    dcterms:rights "Data CC BY 4.0; the cited source documents keep their own terms."@en ;',
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


def _gephi(kg: KnowledgeGraph) -> Iterator[tuple[str, str]]:
    """GraphML and GEXF for Gephi: see graph/gephi.py (names, colours, positions, dynamic memberships)."""
    from graph.gephi import gephi_graph, gexf, graphml

    g = gephi_graph(kg)
    yield "zonegraph.graphml", graphml(g)
    yield "zonegraph.gexf", gexf(g)


def _kgx(kg: KnowledgeGraph) -> Iterator[tuple[str, str]]:
    """KGX-style node and edge tables (TSV) with provenance columns."""
    from graph.network import rdf_multidigraph

    g = rdf_multidigraph(kg)
    nodes = [[n, d["class"], d["label_zh"], d["label_en"], ns.iri(n), "zonegraph"]
             for n, d in sorted(g.nodes(data=True))]
    docs = {d.value: (plain(u) or "") for d, t, u in kg.select(_DOCS).rows}
    edges = []
    for s, o, key, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        urls = sorted({docs.get(ns.iri(x), "") for x in d["sources"].split()} - {""})
        edges.append([f"{s}|{key}|{o}", s, key, o, d["mode"], d["date"], d["sources"], d["citations"],
                      " ".join(urls)])

    def tsv(columns, rows):
        return "\t".join(columns) + "\n" + "".join(
            "\t".join(str(v).replace("\t", " ").replace("\n", " ") for v in r) + "\n" for r in rows)

    yield "kgx_nodes.tsv", tsv(["id", "category", "name", "name_en", "iri", "provided_by"], nodes)
    yield "kgx_edges.tsv", tsv(["id", "subject", "predicate", "object", "mode", "date", "knowledge_source",
                                "citations", "publications"], edges)


def _panels(kg: KnowledgeGraph) -> Iterator[tuple[str, str]]:
    """Panel tables for Stata/R/Excel: the shipped panel-*.rq queries rendered as CSV."""
    from graph.api import run_named_query
    from graph.panel import city_year_panel

    for name, query in PANELS.items():
        table = run_named_query(kg, query, lang="zh")
        yield name, _csv(table.columns, [list(r.values()) for r in table.values()])
    yield "panel_city_year.csv", _csv(*city_year_panel(kg))


def _geojson(kg: KnowledgeGraph) -> Iterator[tuple[str, str]]:
    from graph.geo import geojson

    yield from geojson(kg).items()


def render_exports(kg: KnowledgeGraph) -> dict[str, str]:
    """Every export file's text by name (see :func:`exports`)."""
    return dict(exports(kg))


def exports(kg: KnowledgeGraph) -> Iterator[tuple[str, str]]:
    """(file name, text) of every export, one at a time: a caller that writes each before asking
    for the next holds one file's text, and the statements once, not all of them together."""
    names: list[str] = []

    def out(name: str, text: str):
        names.append(name)
        return name, text

    quads = list(kg.quads())
    yield out("zonegraph.nq", _sorted_lines(quads))
    quads.sort(key=lambda q: _by_terms(q.graph_name, q.subject, q.predicate, q.object))
    yield out("zonegraph.trig", _serialize(quads, ox.RdfFormat.TRIG))
    triples = list({ox.Triple(q.subject, q.predicate, q.object) for q in quads})
    del quads
    yield out("zonegraph.nt", _sorted_lines(triples))
    triples.sort(key=lambda t: _by_terms(t.subject, t.predicate, t.object))
    yield out("zonegraph.ttl", _serialize(triples, ox.RdfFormat.TURTLE))
    yield out("zonegraph.jsonld", _jsonld(triples))
    count = len(triples)
    del triples
    st = compute_stats(kg)
    yield out("stats.json", json.dumps(st, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    yield out("stats.md", _stats_md(st))
    yield out("ontology.ttl", (kg.root / "ontology.ttl").read_text(encoding="utf-8"))
    for group in (_tables, _gephi, _kgx, _panels, _geojson):  # each yields its files one at a time
        for name, text in group(kg):
            yield out(name, text)
    yield "void.ttl", _void(st, sorted(names), count)


def is_export_folder(path: Path) -> bool:
    """True for a folder a build may replace: it holds the MARKER, or it is an export written before
    the marker existed (its void.ttl describes this dataset and zonegraph.nt sits beside it)."""
    if (path / MARKER).is_file():
        return True
    void = path / "void.ttl"
    try:
        return (path / "zonegraph.nt").is_file() and f"<{DATASET_IRI}>" in void.read_text(encoding="utf-8")[:20000]
    except (OSError, UnicodeDecodeError):
        return False


def _check_target(out: Path) -> None:
    """Refuse early (before validating and rendering) a target the build could not or must not replace."""
    if out.exists() and not out.is_dir():
        raise NotAnExportFolder(f"--out {out} is a file, not a folder. Name a new folder or a previous export.")
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    # A read-only folder is the user saying "do not change this": honour it rather than rename it away.
    for folder in {existing, out.parent if out.exists() else None} - {None}:
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise _not_writable(out, PermissionError(13, "Permission denied", str(folder)), out.exists())
    if out.is_dir() and any(out.iterdir()) and not is_export_folder(out):
        raise NotAnExportFolder(
            f"{out} is not empty and is not a previous zonegraph export (it has no {MARKER} file), so a "
            "build will not replace it. Give --out a new or empty folder, or the folder of an earlier "
            "build; nothing was written.")


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?:building|old)-(?P<pid>\d+)-[0-9a-f]+$")
_LEGACY_TEMP = re.compile(r"^\.(?P<name>.+)\.(?:[a-z0-9_]{8}|old)$")  # tempfile.mkdtemp names of older versions


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Remove the temporary folders of builds of ``out`` that were killed (their process is gone),
    and those older versions left (named by tempfile, holding export files). Returns what was removed."""
    removed = []
    if not out.parent.is_dir():
        return removed
    for child in sorted(out.parent.iterdir()):
        if not child.is_dir() or child.is_symlink():
            continue
        m = _TEMP.match(child.name)
        if m and m.group("name") == out.name and int(m.group("pid")) != os.getpid() and not _alive(int(m.group("pid"))):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
            continue
        m = _LEGACY_TEMP.match(child.name)
        if m and m.group("name") == out.name and any(
                (child / name).exists() for name in ("void.ttl", "zonegraph.nt", SITE, MARKER)):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


class _TermAsInterrupt:
    """While a build writes, SIGTERM raises SystemExit(143) (the shell's code for it), so the
    temporary folder is removed and the previous exports stay in place. SIGKILL cannot be caught:
    the next build removes what it leaves."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            def handler(signum, frame):
                raise SystemExit(128 + signum)
            self.previous = signal.signal(signal.SIGTERM, handler)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def build(kg: KnowledgeGraph, out: str | os.PathLike[str] | None = None, check: bool = True,
          bom: bool = False, site: bool = True, progress=None) -> BuildResult:
    """Validate, then write every export into ``out`` (default: ``exports/`` in the graph's root).

    ``progress``: optional callable given one line per stage (the CLI prints them on a terminal)."""
    say = progress or (lambda message: None)
    out = Path(out) if out is not None else kg.root / "exports"
    if not out.is_absolute():
        out = Path.cwd() / out
    try:
        _check_target(out)
    except PermissionError as err:
        raise _not_writable(out, err, False) from None
    if check:
        # In a process of its own: the memory the checks take is given back before the exports
        # are made, instead of adding to theirs.
        from graph.worker import Beside

        report = Beside(kg, lambda g: validate(g, progress=progress)).result()
        if not report.conforms:
            raise ValidationFailed(
                f"build refused: {len(report.problems)} validation problem(s), citation coverage "
                f"{report.coverage:.2%}. Run `zonegraph validate` to list them; {out} was left untouched."
            )
    say("rendering the exports (RDF, CSV, JSON-LD, GraphML, GEXF, KGX, panels, VoID, stats)")
    written: list[str] = []
    lines = {}
    existed = out.is_dir()
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    tmp = out.with_name(f".{out.name}.building-{token}")
    old = out.with_name(f".{out.name}.old-{token}")
    with _TermAsInterrupt():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            for stale in remove_stale_temporaries(out):
                say(f"removed {stale.name}, left by a build that was killed")
            tmp.mkdir()  # mode 0o777 less the umask, like any folder the user makes
            (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8", newline="\n")
            for name, text in exports(kg):  # each written before the next is made
                if bom and name.endswith(".csv"):  # Excel only detects UTF-8 in CSV files that start with a BOM
                    text = "\ufeff" + text
                (tmp / name).write_text(text, encoding="utf-8", newline="\n")
                written.append(name)
                if name in ("zonegraph.nt", "zonegraph.nq"):
                    lines[name] = text.count("\n")
                del text
            if existed:  # keep anything we do not generate (e.g. a README) alongside
                for child in out.iterdir():
                    if child.name not in written and child.name not in (SITE, MARKER):
                        dest = tmp / child.name
                        (shutil.copytree if child.is_dir() else shutil.copy2)(child, dest)
            say(f"wrote {len(written)} export files")
            if site:
                from graph.site import build_site

                say("writing the site (entity pages and network views)")
                pages = len(build_site(kg, tmp / SITE))
                from graph.sparqlpage import write as write_query_page

                write_query_page(kg, tmp / SITE)  # query.html: SPARQL in the browser, offline
                say(f"wrote the site: {pages} files and the query page")
            if existed:
                os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException as err:
            if existed and not out.exists() and old.exists():
                os.replace(old, out)  # failed or interrupted between the two renames: put the previous exports back
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(err, OSError):
                raise _not_writable(out, err, existed) from None
            raise
    say(f"replaced {out}" if existed else f"created {out}")
    names = sorted(written) + ([f"{SITE}/index.html"] if site else [])
    return BuildResult(out, names, lines["zonegraph.nt"], lines["zonegraph.nq"])


def _not_writable(out: Path, err: OSError, existed: bool) -> OutputNotWritable:
    where = f" ({err.filename})" if err.filename else ""
    kept = "the previous exports there are untouched" if existed else "nothing was written"
    return OutputNotWritable(
        f"cannot write the exports to {out}: {err.strerror or err}{where}. Choose a writable folder with "
        f"--out, or fix the permissions of {out.parent}; {kept}.")
