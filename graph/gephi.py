"""Gephi-ready GEXF 1.2draft and GraphML.

Nodes carry their Chinese name as the label, with the English name, pinyin, class, division code and
IRI as attributes, and a colour (by class, as in the site) and a position (the site's seeded layout)
as ``viz:``. Every entity-to-entity statement is a directed edge, as in :func:`rdf_multidigraph`; each
zone membership adds a direct member → zone edge (relation ``membership``) carrying the membership's
start and end, so Gephi's timeline plays the zones' history. The GEXF is written by hand (not by
networkx) because networkx writes ``<graph name="">`` and ``viz:``-namespaced colours, neither of which the
1.2draft XSD allows; this file validates against it (tests/test_gephi.py).

Dates in the timeline are ``xsd:date``: a start known only to the month or year counts from its first
day (``2018`` → ``2018-01-01``); the date as the sources give it stays in ``start_as_given``. An undated
membership (荆州) has no spell: it is static, with ``dated`` = ``no``.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import networkx as nx

from graph import ns
from graph.queries import SEPARATOR
from graph.store import KnowledgeGraph

GEXF_NS = "http://www.gexf.net/1.2draft"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NODE_ATTRS = [("label_zh", "string"), ("label_en", "string"), ("pinyin", "string"), ("class", "string"),
              ("code", "string"), ("iri", "string"), ("lat", "double"), ("long", "double")]
EDGE_ATTRS = [("relation", "string"), ("mode", "string"), ("date", "string"), ("sources", "string"),
              ("citations", "string"), ("start_as_given", "string"), ("end_as_given", "string"),
              ("dated", "string")]
# Not an ontology property: a shortcut edge standing for the zg:Membership node between member and zone.
MEMBER_OF = "membership"


def _full_date(d: str) -> str:
    return d + "-01-01" if len(d) == 4 else d + "-01" if len(d) == 7 else d


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def layout(g: nx.Graph, seed: int = 1, iterations: int = 15) -> dict[str, tuple[float, float]]:
    """The site's seeded spring layout (graph.viz.layout) with fewer iterations: on the whole graph (about
    1,700 nodes) 60 iterations took 13 s per build here, 15 take 3.5 s, and Gephi users re-run a layout
    anyway; what matters is a stable, readable start. Past SPRING_MAX_NODES, the site's spiral."""
    import math

    from graph.viz import SPRING_MAX_NODES, spiral

    nodes = sorted(g.nodes)
    if len(nodes) > SPRING_MAX_NODES:
        return spiral(nodes)
    h = nx.Graph()
    h.add_nodes_from(nodes)
    h.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in g.edges()))
    pos = nx.spring_layout(h, seed=seed, k=1.5 / math.sqrt(max(len(nodes), 1)), iterations=iterations)
    scale = 120 * math.sqrt(max(len(nodes), 1))
    return {n: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for n, (x, y) in pos.items()}


def gephi_graph(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """The graph both files are written from (a :func:`rdf_multidigraph` plus names, layout and memberships)."""
    from graph.api import run_named_query
    from graph.network import rdf_multidigraph
    from graph.pinyin import reading
    from graph.viz import CLASS_STYLE, OTHER_STYLE

    g = rdf_multidigraph(kg)
    codes = {ns.curie(e.value): c.value for e, c in kg.select(
        "SELECT ?e (MIN(?c0) AS ?c) WHERE { ?e zg:divisionCode ?c0 } GROUP BY ?e").rows}
    for m in run_named_query(kg, "panel-memberships", lang="zh").values():
        starts = sorted((s for s in (m["starts"] or "").split(SEPARATOR) if s), key=lambda d: (d[:4], d))
        ends = sorted(e for e in (m["ends"] or "").split(SEPARATOR) if e)
        if m["member"] in g and m["zone"] in g:
            g.add_edge(m["member"], m["zone"], key=MEMBER_OF, relation=MEMBER_OF, mode="", date=starts[0] if starts else "",
                       sources=" ".join(sorted({s.split(" ")[0] for s in (m["sources"] or "").split(SEPARATOR) if s})),
                       citations="", start_as_given=starts[0] if starts else "", end_as_given=ends[0] if ends else "",
                       dated="yes" if starts else "no")
    pos = layout(g)
    for n, d in g.nodes(data=True):
        d["label"] = d.get("label_zh") or n
        d["pinyin"] = reading(d["label_zh"]) if d.get("label_zh") else ""
        d["code"] = codes.get(n, "")
        d["iri"] = ns.iri(n)
        d["r"], d["g"], d["b"] = _rgb(CLASS_STYLE.get(d.get("class", ""), OTHER_STYLE)[0])
        d["x"], d["y"] = pos[n]
    return g


def gexf(g: nx.MultiDiGraph) -> str:
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("xsi", XSI)
    q = lambda tag: f"{{{GEXF_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("gexf"), {f"{{{XSI}}}schemaLocation": f"{GEXF_NS} http://www.gexf.net/1.2draft/gexf.xsd",
                                  "version": "1.2"})
    meta = ET.SubElement(root, q("meta"))
    ET.SubElement(meta, q("creator")).text = "zonegraph"
    ET.SubElement(meta, q("description")).text = (
        "National industrial transfer demonstration zones: entities and cited links; memberships as dynamic "
        "member-to-zone edges (relation membership) with start/end.")
    graph = ET.SubElement(root, q("graph"), {"defaultedgetype": "directed", "mode": "dynamic", "timeformat": "date"})
    for cls, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        el = ET.SubElement(graph, q("attributes"), {"class": cls, "mode": "static"})
        for i, (name, typ) in enumerate(attrs):
            ET.SubElement(el, q("attribute"), {"id": f"{cls[0]}{i}", "title": name, "type": typ})

    def attvalues(parent, attrs, data, prefix):
        av = ET.SubElement(parent, q("attvalues"))
        for i, (name, _) in enumerate(attrs):
            v = data.get(name)
            if v not in (None, ""):
                ET.SubElement(av, q("attvalue"), {"for": f"{prefix}{i}", "value": str(v)})

    # The nodes and edges are serialised one at a time into the places two placeholders hold in the
    # indented skeleton: a tree of every element at once took gigabytes at a hundred times the data.
    # Each piece is indented at its depth (3) and written as ET writes it inside the whole document.
    pieces = {}
    for tag, items in (("nodes", _node_elements(g, q, attvalues)), ("edges", _edge_elements(g, q, attvalues))):
        parent = ET.SubElement(graph, q(tag))
        first = next(items, None)
        if first is not None:
            ET.SubElement(parent, q(tag[:-1]), {"id": _PLACEHOLDER})
            pieces[tag] = (first, items)
    ET.indent(root, space=" ")
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    for tag, (first, items) in pieces.items():
        mark = f'<{tag[:-1]} id="{_PLACEHOLDER}" />'
        head, tail = text.split(mark)
        out = [head]
        for k, el in enumerate(itertools.chain([first], items)):
            ET.indent(el, space=" ", level=3)
            piece = ET.tostring(el, encoding="unicode")
            out.append(("" if k == 0 else "\n   ") + piece.replace(f' xmlns="{GEXF_NS}"', "", 1))
        out.append(tail)
        text = "".join(out)
    return text


_PLACEHOLDER = "zonegraph-placeholder"


def _node_elements(g: nx.MultiDiGraph, q, attvalues):
    for n, d in sorted(g.nodes(data=True)):
        el = ET.Element(q("node"), {"id": n, "label": d["label"]})
        attvalues(el, NODE_ATTRS, d, "n")
        # The 1.2draft XSD declares color and position in the GEXF namespace (with viz: types), so they
        # are written there to validate; Gephi dispatches on local names and reads them either way.
        ET.SubElement(el, q("color"), {"r": str(d["r"]), "g": str(d["g"]), "b": str(d["b"])})
        ET.SubElement(el, q("position"), {"x": str(d["x"]), "y": str(d["y"]), "z": "0.0"})
        yield el


def _edge_elements(g: nx.MultiDiGraph, q, attvalues):
    for s, o, key, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        attrs = {"id": f"{s}|{key}|{o}", "source": s, "target": o, "label": key}
        if d.get("start_as_given"):
            attrs["start"] = _full_date(d["start_as_given"])
        if d.get("end_as_given"):
            attrs["end"] = _full_date(d["end_as_given"])
        el = ET.Element(q("edge"), attrs)
        attvalues(el, EDGE_ATTRS, d, "e")
        yield el


def graphml(g: nx.MultiDiGraph) -> str:
    """GraphML with Gephi's node attribute names for colour and position (r, g, b, x, y) and the label.

    The text networkx's GraphML writer gives (keys, indentation, escaping: its own type table and
    indent), but written a node and an edge at a time: networkx holds the whole document as a tree,
    which took gigabytes at a hundred times the data."""
    from networkx.readwrite.graphml import GraphMLWriter

    writer = GraphMLWriter(prettyprint=True)

    def nodes():
        for n, d in sorted(g.nodes(data=True)):
            yield ET.Element("node", id=str(n)), "node", {k: v for k, v in d.items() if v not in (None, "")}

    def edges():
        # in the order a multigraph built from the edges sorted by (source, key, target) lists them:
        # by source, then by target in order of first sight, then by key
        ordered = sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
        for _, group in itertools.groupby(ordered, key=lambda e: e[0]):
            by_target: dict = {}
            for e in group:
                by_target.setdefault(e[1], []).append(e)
            for s, o, key, d in itertools.chain.from_iterable(by_target.values()):
                yield (ET.Element("edge", source=str(s), target=str(o), id=str(key)), "edge",
                       {k: v for k, v in d.items() if v not in (None, "")})

    # Keys are numbered as networkx numbers them (nodes, then edges, each attribute in order of
    # first sight) and listed as it lists them (each new one first).
    for _, scope, data in itertools.chain(nodes(), edges()):
        for k, v in data.items():
            writer.get_key(str(k), writer.get_xml_type(type(v)), scope, None)
    graph = ET.SubElement(writer.xml, "graph", edgedefault="directed")
    pieces = {}
    for tag, items in (("node", nodes()), ("edge", edges())):
        first = next(items, None)
        if first is not None:
            ET.SubElement(graph, tag, id=_PLACEHOLDER)
            pieces[tag] = itertools.chain([first], items)
    writer.indent(writer.xml)
    text = ET.tostring(writer.xml).decode("utf-8")
    for tag, items in pieces.items():
        out = []
        for el, scope, data in items:
            for k, v in data.items():
                data_el = ET.SubElement(el, "data", key=writer.get_key(str(k), writer.get_xml_type(type(v)), scope, None))
                data_el.text = str(v)
            writer.indent(el, level=2)
            el.tail = None
            out.append(ET.tostring(el).decode("utf-8"))
        text = text.replace(f'<{tag} id="{_PLACEHOLDER}" />', "\n    ".join(out), 1)
    return text.rstrip("\n") + "\n"
