"""Interactive network views (pyvis / vis-network), done so they work offline and stay safe.

* pyvis assembles nodes, edges and options; its per-node list scan and per-edge duplicate scan
  (O(n²)) are replaced by set lookups in :class:`FastNetwork` (same data out).
* Our own Jinja2 template renders the page: vis-network and tom-select come from the site's shared
  ``assets/`` folder (copied from the pyvis package), never from a CDN; files are written as UTF-8.
* Positions are computed in Python (seeded networkx layout, or coordinates for the geographic view),
  physics is off by default and can be switched on, so the picture is the same on every load.
* Data goes into the page as JSON inside ``<script type="application/json">`` with ``<``, ``>`` and
  ``&`` escaped; tooltips and the details panel are built with ``textContent`` and checked links,
  so nothing from the data is ever interpreted as HTML.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
from pathlib import Path

import networkx as nx

from graph import ns
from graph.network import DECLARED, REALISED, STRUCTURAL, facts_of, to_networkx
from graph.profile import safe_href
from graph.store import KnowledgeGraph

TEMPLATES = Path(__file__).resolve().parent / "templates"
ASSETS = Path(__file__).resolve().parent / "assets"
VIEWS = ("overview", "zone", "industry", "flow", "geo")

# class -> (colour, shape, legend label zh, legend label en)
CLASS_STYLE = {
    "zg:DemonstrationZone": ("#dc2626", "star", "示范区", "demonstration zone"),
    "zg:MacroRegion": ("#7c3aed", "hexagon", "区域", "macro-region"),
    "zg:ProvinceLevelRegion": ("#2563eb", "square", "省级行政区", "province"),
    "zg:PrefectureLevelRegion": ("#0ea5e9", "dot", "地级行政区", "prefecture-level city"),
    "zg:CountyLevelRegion": ("#67e8f9", "dot", "县级行政区", "county-level region"),
    "zg:DevelopmentZone": ("#16a34a", "triangle", "开发区/园区", "development zone / park"),
    "zg:Industry": ("#f59e0b", "diamond", "产业", "industry"),
    "zg:InvestmentProject": ("#059669", "box", "投资项目", "investment project"),
    "zg:Enterprise": ("#a16207", "ellipse", "企业", "enterprise"),
    "zg:Agent": ("#6b7280", "ellipse", "机构", "organisation"),
    "zg:Document": ("#475569", "box", "文献", "document"),
}
OTHER_STYLE = ("#9ca3af", "dot", "其他", "other")
MODE_STYLE = {DECLARED: ("#b45309", True), REALISED: ("#047857", False), STRUCTURAL: ("#94a3b8", False)}
VENDOR = {  # file in the pyvis package -> name in assets/
    "templates/lib/vis-9.1.2/vis-network.min.js": "vis-network.min.js",
    "templates/lib/vis-9.1.2/vis-network.css": "vis-network.css",
    "templates/lib/tom-select/tom-select.complete.min.js": "tom-select.complete.min.js",
    "templates/lib/tom-select/tom-select.css": "tom-select.css",
}


def _pyvis():
    """Import pyvis lazily: it imports IPython (≈0.5 s), which only drawing needs."""
    from pyvis.edge import Edge
    from pyvis.network import Network
    from pyvis.node import Node

    class FastNetwork(Network):
        """pyvis's Network with set-backed membership checks (pyvis scans lists: O(n²))."""

        def __init__(self, **kwargs):
            super().__init__(directed=True, cdn_resources="local", **kwargs)
            self._ids: set = set()

        def add_node(self, n_id, label=None, shape="dot", color="#97c2fc", **options):
            if n_id in self._ids:
                return
            self._ids.add(n_id)
            node = Node(n_id, shape, label=label or n_id, color=color, font_color=self.font_color, **options)
            self.nodes.append(node.options)
            self.node_ids.append(n_id)
            self.node_map[n_id] = node.options

        def add_edge(self, source, to, **options):
            if source not in self._ids or to not in self._ids:
                raise ValueError(f"edge {source} -> {to} names a node not in the network")
            self.edges.append(Edge(source, to, True, **options).options)

    return FastNetwork


def copy_assets(site: Path) -> None:
    """Vendor libraries (from the installed pyvis package) and our own CSS/JS into ``site/assets``."""
    import pyvis

    out = site / "assets"
    out.mkdir(parents=True, exist_ok=True)
    base = Path(pyvis.__file__).resolve().parent
    for src, name in VENDOR.items():
        shutil.copyfile(base / src, out / name)
    for path in sorted(ASSETS.iterdir()):
        if path.is_file():
            shutil.copyfile(path, out / path.name)






def safe_json(data) -> str:
    """JSON that cannot close the <script> element it sits in (or open a comment)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


@functools.lru_cache(maxsize=None)
def _env():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_json"] = safe_json
    env.filters["safe_href"] = safe_href  # every href a template writes goes through it
    return env


def render_template(name: str, **context) -> str:
    """Render a page; ``assets`` (where the shared CSS/JS live) defaults to ``root + "assets/"``."""
    context.setdefault("assets", context.get("root", "") + "assets/")
    return _env().get_template(name).render(**context)


@functools.lru_cache(maxsize=1 << 18)  # pure; a site asks it for every link on every page
def page_path(node: str) -> str:
    """Site-relative path of an entity's page: zone:liaoxibei -> e/zone/liaoxibei.html."""
    prefix, local = ns.split(node)
    return f"e/{prefix or 'other'}/{ns.slug(local)}.html"


# ------------------------------------------------------------------------------ layouts

def layout(g: nx.Graph, seed: int = 1) -> dict[str, tuple[float, float]]:
    """Seeded positions scaled to vis-network pixels. Spring layout up to 2,000 nodes; beyond that a
    deterministic sunflower spiral in sorted order (drawing cost is what matters at that size)."""
    nodes = sorted(g.nodes)
    if not nodes:
        return {}
    if len(nodes) <= SPRING_MAX_NODES:
        h = nx.Graph()
        h.add_nodes_from(nodes)
        h.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in g.edges()))
        pos = nx.spring_layout(h, seed=seed, k=1.5 / math.sqrt(len(nodes)), iterations=60)
        scale = 120 * math.sqrt(len(nodes))
        return {n: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for n, (x, y) in pos.items()}
    return spiral(nodes)


# A spring layout computes every pair's repulsion each iteration (quadratic in the nodes).
SPRING_MAX_NODES = 2000


def radial(g: nx.Graph, centre: str) -> dict[str, tuple[float, float]]:
    """An entity page's neighbourhood: the entity in the middle, its neighbours around it grouped
    by class, on two alternating rings when there are many (so neighbouring labels do not touch).
    Computed in linear time: a spring layout per page was a third of a large site's build."""
    others = sorted((n for n in g.nodes if n != centre), key=lambda n: (g.nodes[n].get("cls", ""), n))
    pos = {centre: (0.0, 0.0)}
    k = len(others)
    radius = 110.0 * math.sqrt(k + 1)  # the scale the spring layout gave a star of this size
    for i, n in enumerate(others):
        r = radius * (1.25 if k > 16 and i % 2 else 1.0)
        a = 2 * math.pi * i / max(k, 1) - math.pi / 2
        pos[n] = (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
    return pos


def spiral(nodes: list[str]) -> dict[str, tuple[float, float]]:
    """A deterministic sunflower spiral in the given order: linear, for graphs too big to spring."""
    golden = math.pi * (3 - math.sqrt(5))
    return {n: (round(18 * math.sqrt(i) * math.cos(i * golden), 1), round(18 * math.sqrt(i) * math.sin(i * golden), 1))
            for i, n in enumerate(nodes)}


# The map's projection: equirectangular, true to scale along 35°N (the middle of China), so the
# country is not stretched east-west; site.js draws the basemap with the same numbers.
GEO_PROJECTION = {"lon0": 105.0, "lat0": 35.0, "kx": 60.0, "ky": round(60.0 / math.cos(math.radians(35.0)), 3)}


def project(lon: float, lat: float) -> tuple[float, float]:
    p = GEO_PROJECTION
    return round((lon - p["lon0"]) * p["kx"], 1), round(-(lat - p["lat0"]) * p["ky"], 1)


def geo_layout(kg: KnowledgeGraph, g: nx.Graph) -> dict[str, tuple[float, float]]:
    """Regions at their coordinates; other nodes at the mean of their placed neighbours."""
    coords = {ns.curie(e.value): (float(lo.value), float(la.value)) for e, la, lo in kg.select(
        "SELECT ?e (SAMPLE(?a) AS ?la) (SAMPLE(?b) AS ?lo) WHERE { ?e geo:lat ?a ; geo:long ?b } GROUP BY ?e").rows}
    pos = {n: project(*coords[n]) for n in g if n in coords}
    for _ in range(3):
        for n in sorted(g):
            if n in pos:
                continue
            placed = sorted(pos[m] for m in g.neighbors(n) if m in pos)  # fixed order: float sums
            if placed:
                pos[n] = (round(sum(p[0] for p in placed) / len(placed) + 25, 1),
                          round(sum(p[1] for p in placed) / len(placed) + 25, 1))
    # a zone with no member cities in the data (赣南) still has a province: it sits there
    for e, p in kg.select("SELECT ?e ?p WHERE { ?e zg:province ?p }").rows:
        n, prov = ns.curie(e.value), ns.curie(p.value)
        if n in g and n not in pos and prov in coords:
            x, y = project(*coords[prov])
            pos[n] = (round(x + 25, 1), round(y + 25, 1))
    rest = sorted(n for n in g if n not in pos)
    for i, n in enumerate(rest):
        pos[n] = (-1800.0 + (i % 40) * 40, 1500.0 + (i // 40) * 40)
    return pos


# ------------------------------------------------------------------------------ view data

def _sources(hop) -> list[dict]:
    # site.js checks links again in the browser; unsafe URLs never reach the page at all
    return [{"title": e.title, "locator": e.locator, "url": safe_href(e.url) or "", "page": page_path(e.document)}
            for e in hop.evidence]


ZONE_SUFFIX = "承接产业转移示范区"


def _short_names(kg: KnowledgeGraph) -> dict[str, str]:
    """Zones by their shortest Chinese short name (辽西北 rather than the 12-character official name):
    on a drawing, full names of neighbouring zones run into each other. Read once per loaded graph
    (every view asks)."""
    return kg.memo("zone-short-names", lambda: _read_short_names(kg))


def _read_short_names(kg: KnowledgeGraph) -> dict[str, str]:
    out: dict[str, str] = {}
    for z, name in kg.select("SELECT ?z ?n WHERE { ?z a zg:DemonstrationZone ; skos:altLabel ?n "
                             "FILTER(LANG(?n) = 'zh') }").rows:
        key = ns.curie(z.value)
        if key not in out or (len(name.value), name.value) < (len(out[key]), out[key]):
            out[key] = name.value
    # zones with no short name in the data (吉西南, 蒙东) are drawn without the common suffix
    for (z,) in kg.select("SELECT ?z WHERE { ?z a zg:DemonstrationZone }").rows:
        key, full = ns.curie(z.value), kg.label(z.value, "zh")
        if key not in out and full.endswith(ZONE_SUFFIX) and len(full) > len(ZONE_SUFFIX):
            out[key] = full[: -len(ZONE_SUFFIX)]
    return out


def view_data(kg: KnowledgeGraph, g: nx.MultiGraph, positions: dict, root: str) -> dict:
    """Nodes and edges as the page's JSON: ids, labels, classes, positions, tooltip lines, sources."""
    nodes, edges = [], []
    facts = facts_of(kg)
    short = _short_names(kg)
    # a node's source titles, once per build: the same node sits in the views of all its neighbours
    titles = kg.memo("view-source-titles", dict)
    for n in sorted(g.nodes):
        d = g.nodes[n]
        iri = ns.iri(n)
        x, y = positions.get(n, (0.0, 0.0))
        if n not in titles:
            titles[n] = sorted({e.title for props in facts.by_subject.get(n, {}).values()
                                for evs in props.values() for e in evs})
        docs = titles[n]
        nodes.append({"id": n, "zh": d.get("label_zh") or kg.label(iri, "zh"),
                      "en": d.get("label_en") or kg.label(iri, "en"), "cls": d.get("cls", ""), "x": x, "y": y,
                      "page": root + page_path(n), "src": docs[:3], "nsrc": len(docs), "short": short.get(n, "")})
    hops = [g.edges[u, v, k]["hop"] for u, v, k in g.edges(keys=True)]
    # sort by the hop itself: an undirected edge may be listed either way round
    for hop in sorted(hops, key=lambda h: (h.source, h.target, h.relation, h.mode, h.industry or "")):
        edges.append({"from": hop.source, "to": hop.target, "rel": hop.relation, "mode": hop.mode,
                      "industry": hop.industry or "",
                      "industry_label": kg.label(ns.iri(hop.industry), "zh") if hop.industry else "",
                      "valid": [hop.valid_from or "", hop.valid_to or ""],
                      "sources": [dict(s, page=root + s["page"]) for s in _sources(hop)]})
    return {"nodes": nodes, "edges": edges}


def legend(lang: str = "zh") -> dict:
    i = 2 if lang == "zh" else 3
    return {"classes": [{"cls": c, "color": s[0], "shape": s[1], "label": s[i]} for c, s in CLASS_STYLE.items()],
            "modes": [{"mode": m, "color": c, "dashed": d} for m, (c, d) in MODE_STYLE.items()]}


DRAW_LABEL_MAX = 24  # characters drawn on the canvas; the full name is in the tooltip and details panel


def draw_label(text: str) -> str:
    """A label cut for drawing, so one absurd name cannot swamp the picture or the fit."""
    return text if len(text) <= DRAW_LABEL_MAX else text[: DRAW_LABEL_MAX - 1] + "…"


def pyvis_payload(data: dict, lang: str = "zh", edge_labels: bool = False) -> dict:
    """Run the view through pyvis: it builds the node/edge dicts and the vis-network options."""
    FastNetwork = _pyvis()
    net = FastNetwork(height="100%", width="100%")
    for node in data["nodes"]:
        color, shape, *_ = CLASS_STYLE.get(node["cls"], OTHER_STYLE)
        label = (node.get("short") or node["zh"]) if lang == "zh" else node["en"]
        net.add_node(node["id"], label=draw_label(label), shape=shape, color=color,
                     x=node["x"], y=node["y"], physics=False, size=14 if shape == "dot" else 12,
                     **{"group": node["cls"] or "other"})
    for i, edge in enumerate(data["edges"]):
        color, dashed = MODE_STYLE.get(edge["mode"], MODE_STYLE[STRUCTURAL])
        label = {"label": edge["industry_label"]} if edge_labels and edge.get("industry_label") else {}
        net.add_edge(edge["from"], edge["to"], id=i, color=color, dashes=dashed, arrows="to", width=1.2, **label)
    net.set_options(json.dumps({
        "physics": {"enabled": False, "stabilization": {"enabled": False}},
        "interaction": {"hover": True, "hideEdgesOnDrag": len(data["edges"]) > 5000, "tooltipDelay": 150},
        "edges": {"smooth": False},
        # labels under 10 px are not drawn: other labels appear as you zoom in (site.js sizes the major ones)
        "nodes": {"font": {"size": 12}, "scaling": {"label": {"drawThreshold": 11, "maxVisible": 40}}},
        "layout": {"improvedLayout": False},
    }))
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    options = json.loads(options)
    # pyvis's option parser strips spaces, so the font face is set after it.
    options["nodes"]["font"]["face"] = "Noto Sans CJK SC, Noto Sans, sans-serif"
    for node, src in zip(nodes, data["nodes"]):
        node.update({k: src[k] for k in ("zh", "en", "cls", "page", "src", "nsrc")})
        node.pop("title", None)
    for edge, src in zip(edges, data["edges"]):
        edge.update({k: src[k] for k in ("rel", "mode", "industry", "industry_label", "valid", "sources")})
    return {"nodes": nodes, "edges": edges, "options": options, "legend": legend(lang)}


def render_view(kg: KnowledgeGraph, g: nx.MultiGraph, title: str, root: str, lang: str = "zh",
                positions: dict | None = None, description: str = "", edge_labels: bool = False,
                assets: str | None = None, basemap: bool = False) -> str:
    """A view page; ``root`` is where entity pages are, ``assets`` where CSS/JS are (default root/assets/).
    ``basemap``: draw the network on the map of China (positions must come from :func:`geo_layout`)."""
    positions = positions if positions is not None else layout(g)
    payload = pyvis_payload(view_data(kg, g, positions, root), lang, edge_labels)
    if basemap:
        payload["map"] = map_layer(kg, g)
        cls = {n["id"]: n["cls"] for n in payload["nodes"]}
        for edge in payload["edges"]:
            if edge["rel"] in ARC_RELATIONS and cls.get(edge["from"]) in SOURCE_CLASSES:
                edge.update(smooth={"enabled": True, "type": "curvedCW", "roundness": 0.3}, width=2.2)
    extra = {"assets": assets} if assets else {}
    return render_template("view.html", title=title, root=root, lang=lang, payload=payload, basemap=basemap,
                           description=description, counts=(len(payload["nodes"]), len(payload["edges"])), **extra)


# ------------------------------------------------------------------------------ the views

def _subgraph(g: nx.MultiGraph, nodes) -> nx.MultiGraph:
    return g.subgraph(sorted(set(nodes))).copy()


def overview(kg: KnowledgeGraph, as_of: int | None = None) -> nx.MultiGraph:
    """Zones, their member regions and provinces, source macro-regions, target industries, parks."""
    g = to_networkx(kg, as_of=as_of)
    keep = set()
    for z, d in g.nodes(data=True):
        if d["cls"] == "zg:DemonstrationZone":
            keep.add(z)
            for _, m, data in g.edges(z, data=True):
                hop = data["hop"]
                if hop.relation.startswith("member region") or hop.mode == DECLARED:
                    keep.add(m)
    for n in list(keep):
        if g.nodes[n]["cls"] in ("zg:PrefectureLevelRegion", "zg:CountyLevelRegion"):
            keep |= {m for m in g.neighbors(n) if g.nodes[m]["cls"] in ("zg:DevelopmentZone", "zg:ProvinceLevelRegion")}
    return _subgraph(g, keep)


def neighbourhood(kg: KnowledgeGraph, focus: str, depth: int = 2, as_of: int | None = None,
                  max_nodes: int = 400) -> nx.MultiGraph:
    """Nodes within ``depth`` hops of ``focus`` (breadth first, nearest kept when over max_nodes)."""
    g = to_networkx(kg, as_of=as_of)
    if focus not in g:
        h = nx.MultiGraph()
        iri = ns.iri(focus)
        h.add_node(focus, cls="", label_zh=kg.label(iri, "zh"), label_en=kg.label(iri, "en"))
        return h
    dist = nx.single_source_shortest_path_length(g, focus, cutoff=depth)
    nearest = sorted(dist, key=lambda n: (dist[n], n))[:max_nodes]
    return _subgraph(g, nearest)


def industry_view(kg: KnowledgeGraph, industry: str, as_of: int | None = None) -> nx.MultiGraph:
    """An industry, its narrower industries, who receives them and where they come from."""
    g = to_networkx(kg, as_of=as_of)
    import pyoxigraph as ox

    rows = kg.select("SELECT ?n WHERE { ?n skos:broader* ?i }",
                     {"i": ox.NamedNode(ns.iri(industry))}).rows
    inds = {ns.curie(n.value) for (n,) in rows} | {industry}
    keep = set(n for n in inds if n in g)
    for i in list(keep):
        keep |= set(g.neighbors(i))
    return _subgraph(g, keep)


def flow(kg: KnowledgeGraph, as_of: int | None = None) -> nx.MultiGraph:
    """Transfer flows: source regions -> industries -> zones/cities -> parks -> projects, declared
    and realised hops only (plus memberships that connect zones to the cities where projects landed)."""
    g = to_networkx(kg, as_of=as_of)
    h = nx.MultiGraph()
    for u, v, k, d in g.edges(keys=True, data=True):
        hop = d["hop"]
        if hop.mode in (DECLARED, REALISED) or hop.relation in ("member region", "has development zone"):
            for n in (hop.source, hop.target):
                h.add_node(n, **g.nodes[n])
            h.add_edge(u, v, key=k, **d)
    # drop structural edges that lead nowhere (a member city with no park, project or link)
    useful = {n for u, v, d in h.edges(data=True) if d["hop"].mode != STRUCTURAL for n in (u, v)}
    return _subgraph(h, [n for n in h if n in useful or any(m in useful for m in h.neighbors(n))])


def geo(kg: KnowledgeGraph, as_of: int | None = None) -> tuple[nx.MultiGraph, dict]:
    """The overview on the map, less industries: they have no place, and piled on their zones they
    hid the cities (the flow view is where industries are read)."""
    g = overview(kg, as_of=as_of)
    g = _subgraph(g, [n for n, d in g.nodes(data=True) if d["cls"] != "zg:Industry"])
    return g, geo_layout(kg, g)


# one colour per zone on the map (sorted zone ids take them in turn); distinct on a pale basemap
ZONE_PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
                "#469990", "#800000", "#808000", "#000075", "#bfef45", "#fabed4", "#dcbeff", "#aaffc3")
# declared links from a source region drawn as arcs on the map
ARC_RELATIONS = ("positioned to receive from", "declared transfer to")
SOURCE_CLASSES = ("zg:MacroRegion", "zg:ProvinceLevelRegion", "zg:PrefectureLevelRegion")


def map_layer(kg: KnowledgeGraph, g: nx.MultiGraph) -> dict:
    """What the map draws under the network: the projection, each zone's colour, member regions to
    shade in their zone's colour, and the basemap features (provinces) that hold a member."""
    from graph import geo as geomod

    basemap = geomod.load_basemap()
    coords = {ns.curie(e.value): (float(lo.value), float(la.value)) for e, la, lo in kg.select(
        "SELECT ?e (SAMPLE(?a) AS ?la) (SAMPLE(?b) AS ?lo) WHERE { ?e geo:lat ?a ; geo:long ?b } GROUP BY ?e").rows}
    zones = sorted(n for n, d in g.nodes(data=True) if d["cls"] == "zg:DemonstrationZone")
    short = _short_names(kg)
    colour = {z: ZONE_PALETTE[i % len(ZONE_PALETTE)] for i, z in enumerate(zones)}
    members, hosts = set(), set()
    for z in zones:
        for _, m, d in g.edges(z, data=True):
            if d["hop"].relation.startswith("member region") and m in coords:
                members.add((m, z))
                fid = geomod.feature_at(basemap, *coords[m])
                if fid:
                    hosts.add(fid)
    regions = geomod.basemap_regions(kg, basemap)
    return {**GEO_PROJECTION,
            "zones": [{"id": z, "label": short.get(z) or kg.label(ns.iri(z), "zh"), "color": colour[z]}
                      for z in zones],
            "members": [{"node": m, "zone": z, "color": colour[z]} for m, z in sorted(members)],
            "hosts": sorted(hosts),
            "regions": {fid: {"id": r, "zh": kg.label(ns.iri(r), "zh")} for fid, r in sorted(regions.items())}}


def write_view(kg: KnowledgeGraph, output: str | Path, view: str = "overview", focus: str | None = None,
               depth: int = 2, industry: str | None = None, as_of: int | None = None, lang: str = "zh") -> Path:
    """``zonegraph viz``: one view written to ``output`` with its assets in ``output``'s folder
    (nothing is written anywhere else). Node pages link to exports/site when it exists."""
    import os

    from graph import entities

    output = Path(output).resolve()
    positions = None
    if view == "geo":
        g, positions = geo(kg, as_of)
        title = "地图 Geographic view"
    elif view == "flow":
        g, title = flow(kg, as_of), "转移流 Transfer flows"
    elif view == "industry" or (industry and view == "overview"):
        if not industry:
            raise ValueError("--view industry needs --industry X")
        ind = ns.curie(entities.resolve(kg, industry))
        g, title = industry_view(kg, ind, as_of), f"{kg.label(ns.iri(ind), lang)} · industry"
    elif view == "zone" or focus:
        if not focus:
            raise ValueError("--view zone needs --focus ENTITY")
        node = ns.curie(entities.resolve(kg, focus))
        g, title = neighbourhood(kg, node, depth, as_of), f"{kg.label(ns.iri(node), lang)} · depth {depth}"
    else:
        g, title = overview(kg, as_of), "总览 Overview"
    site = kg.root / "exports" / "site"
    # node pages link into exports/site when it exists; otherwise to in-page anchors (no broken files)
    root = (os.path.relpath(site, output.parent) + "/") if site.is_dir() else "#"
    html = render_view(kg, g, title, root, lang, positions, edge_labels=view == "flow", assets="assets/",
                       basemap=view == "geo")
    try:
        copy_assets(output.parent)
        write(output, html)
    except OSError as err:
        from graph.build import OutputNotWritable

        where = f" ({err.filename})" if err.filename else ""
        raise OutputNotWritable(f"cannot write {output}: {err.strerror or err}{where}. "
                                "Choose a writable file with -o.") from None
    return output


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
