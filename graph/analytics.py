"""``zonegraph analyze``: network analytics over the hop graph (networkx).

Each function returns ``(title, columns, rows)`` so the CLI prints tables and ``--csv DIR`` writes
one CSV per table; rows are sorted so output is deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import networkx as nx

from graph import ns
from graph.network import DECLARED, REALISED, facts_of, to_networkx
from graph.store import KnowledgeGraph

Table = tuple[str, list[str], list[list]]


def _label(kg: KnowledgeGraph, node: str, lang: str) -> str:
    return kg.label(ns.iri(node), lang)


def _zones_targeting(kg: KnowledgeGraph, as_of: int | None) -> dict[str, set[str]]:
    """zone -> industries it targets (zg:targetIndustry or as receiver of a declared link)."""
    g = to_networkx(kg, as_of=as_of)
    out: dict[str, set[str]] = defaultdict(set)
    for u, v, data in g.edges(data=True):
        hop = data["hop"]
        if hop.mode == DECLARED and hop.industry and g.nodes[hop.target]["cls"] == "zg:DemonstrationZone":
            out[hop.target].add(hop.industry)
    return out


def canonical_industries(kg: KnowledgeGraph) -> dict[str, str]:
    """Industry term -> the representative of its variants (terms joined by skos:exactMatch in
    zgg:vocabulary, e.g. 装备制造业 and 装备制造), so counts do not split over spellings."""
    g = nx.Graph()
    for a, b in kg.select("SELECT ?a ?b WHERE { GRAPH zgg:vocabulary { ?a skos:exactMatch ?b } "
                          "?a a zg:Industry . ?b a zg:Industry }").rows:
        g.add_edge(ns.curie(a.value), ns.curie(b.value))
    return {n: min(c) for c in nx.connected_components(g) for n in c}


def most_targeted_industries(kg: KnowledgeGraph, lang: str = "zh", as_of: int | None = None) -> Table:
    """Industries by how many zones (and other receivers) target them; spelling variants merged."""
    g = to_networkx(kg, as_of=as_of)
    canon = canonical_industries(kg)
    receivers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for _, _, data in g.edges(data=True):
        hop = data["hop"]
        if hop.mode == DECLARED and hop.industry and hop.target != hop.industry:
            receivers[canon.get(hop.industry, hop.industry)][g.nodes[hop.target]["cls"]].add(hop.target)
    rows = []
    for ind, by_cls in receivers.items():
        zones = len(by_cls.get("zg:DemonstrationZone", ()))
        total = sum(len(v) for v in by_cls.values())
        rows.append([ind, _label(kg, ind, lang), zones, total])
    rows.sort(key=lambda r: (-r[2], -r[3], r[0]))
    return ("Most-targeted industries", ["industry", "label", "zones", "all_receivers"], rows)


def flow_matrix(kg: KnowledgeGraph, lang: str = "zh", as_of: int | None = None) -> Table:
    """Source region × zone: distinct industries declared, and projects realised (investor origin)."""
    g = to_networkx(kg, as_of=as_of)
    declared: dict[tuple[str, str], set[str]] = defaultdict(set)
    positioned: set[tuple[str, str]] = set()
    realised: dict[tuple[str, str], set[str]] = defaultdict(set)
    zone_of_region = defaultdict(set)
    for _, _, data in g.edges(data=True):
        hop = data["hop"]
        if hop.relation == "member region":
            zone_of_region[hop.target].add(hop.source)
    for _, _, data in g.edges(data=True):
        hop = data["hop"]
        if hop.mode != DECLARED:
            continue
        if "declared source of industry" in hop.relation:
            for _, recv, d2 in g.edges(hop.target, data=True):
                h2 = d2["hop"]
                if h2.source == hop.target and h2.industry == hop.industry and "declared industry for receiver" in h2.relation:
                    for zone in ([h2.target] if g.nodes[h2.target]["cls"] == "zg:DemonstrationZone"
                                 else sorted(zone_of_region.get(h2.target, ()))):
                        declared[(hop.source, zone)].add(hop.industry)
        elif "positioned to receive from" in hop.relation or "declared transfer to" in hop.relation:
            if g.nodes[hop.target]["cls"] == "zg:DemonstrationZone":
                positioned.add((hop.source, hop.target))
    facts = facts_of(kg)

    def zones_of(place: str, seen=None) -> set[str]:
        """Zones whose member region contains ``place`` (a park climbs through its location)."""
        seen = seen or set()
        if place in seen:
            return set()
        seen.add(place)
        if g.has_node(place) and g.nodes[place]["cls"] == "zg:DemonstrationZone":
            return {place}
        found = set(zone_of_region.get(place, ()))
        for up in facts.values(place, "zg:parentRegion") + facts.values(place, "zg:locatedIn"):
            found |= zones_of(up, seen)
        return found

    for _, _, data in g.edges(data=True):
        hop = data["hop"]
        if hop.mode == REALISED and "investor comes from" in hop.relation:
            project = hop.target
            places = set()
            for prop in ("zg:zone", "zg:park", "zg:locatedIn"):
                places |= set(facts.values(project, prop))
            for zone in {z for p in places for z in zones_of(p)}:
                realised[(hop.source, zone)].add(project)
    keys = sorted(set(declared) | positioned | set(realised))
    rows = [[s, _label(kg, s, lang), z, _label(kg, z, lang), len(declared.get((s, z), ())),
             "yes" if (s, z) in positioned or declared.get((s, z)) else "no", len(realised.get((s, z), ()))]
            for s, z in keys]
    return ("Source region × zone flows",
            ["source", "source_label", "zone", "zone_label", "declared_industries", "declared_link", "realised_projects"],
            rows)


def zone_similarity(kg: KnowledgeGraph, lang: str = "zh", as_of: int | None = None,
                    threshold: float = 0.1) -> tuple[Table, Table]:
    """Jaccard similarity of zones' target-industry sets, with spelling variants merged and every
    industry rolled up through the project's hierarchy (skos:broader in zgg:vocabulary, all levels),
    so 海绵钛 and 新材料 meet, and 装备制造业 and 装备制造 count as one; groups of zones linked at ≥ threshold."""
    canon = canonical_industries(kg)
    ancestors: dict[str, set[str]] = defaultdict(set)
    for n, b in kg.select("SELECT ?n ?b WHERE { GRAPH zgg:vocabulary { ?n skos:broader+ ?b } }").rows:
        ancestors[canon.get(ns.curie(n.value), ns.curie(n.value))].add(canon.get(ns.curie(b.value), ns.curie(b.value)))
    sets = {}
    for z, inds in _zones_targeting(kg, as_of).items():
        terms = {canon.get(i, i) for i in inds}
        sets[z] = terms.union(*(ancestors.get(t, set()) for t in terms))
    rows, sim = [], nx.Graph()
    sim.add_nodes_from(sets)
    for a, b in combinations(sorted(sets), 2):
        union = sets[a] | sets[b]
        j = len(sets[a] & sets[b]) / len(union) if union else 0.0
        if j > 0:
            rows.append([a, _label(kg, a, lang), b, _label(kg, b, lang), round(j, 3),
                         " ".join(sorted(sets[a] & sets[b]))])
        if j >= threshold:
            sim.add_edge(a, b, weight=j)
    rows.sort(key=lambda r: (-r[4], r[0], r[2]))
    groups = sorted((sorted(c) for c in nx.connected_components(sim)), key=lambda c: (-len(c), c))
    grows = [[i, len(c), " ".join(c), "、".join(_label(kg, z, lang) for z in c)] for i, c in enumerate(groups, 1)]
    return (("Zone similarity (Jaccard, target industries)",
             ["zone_a", "label_a", "zone_b", "label_b", "jaccard", "shared"], rows),
            (f"Groups of similar zones (Jaccard ≥ {threshold})", ["group", "size", "zones", "labels"], grows))


# Exact betweenness costs O(nodes × edges) per connected component. Components up to this size are
# exact (every component of the curated graph, and of graphs made of many such parts); a larger one is
# estimated from this many sampled sources (seeded, so the output stays deterministic).
EXACT_BETWEENNESS_NODES = 2000


def _betweenness(g: nx.Graph) -> dict:
    """Normalised betweenness of every node, computed per connected component (a shortest path never
    leaves its component, so this equals networkx's whole-graph result) and normalised over the
    whole graph, as ``nx.betweenness_centrality(g)`` does."""
    n = g.number_of_nodes()
    out: dict = {}
    for comp in nx.connected_components(g):
        sub = g.subgraph(comp).copy()  # a view would be walked through its filters, 3x slower
        k = None if len(comp) <= EXACT_BETWEENNESS_NODES else EXACT_BETWEENNESS_NODES
        out.update(nx.betweenness_centrality(sub, k=k, normalized=False, seed=1))
    # unnormalised undirected values are half the pair counts; networkx normalises the pair counts
    # by (n-1)(n-2)
    scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    return {node: value * scale for node, value in out.items()}


def centrality(kg: KnowledgeGraph, lang: str = "zh", as_of: int | None = None, top: int = 25) -> Table:
    """Degree and betweenness centrality of regions, macro-regions, zones and industries."""
    g = nx.Graph(to_networkx(kg, as_of=as_of))
    keep = {"zg:MacroRegion", "zg:ProvinceLevelRegion", "zg:PrefectureLevelRegion", "zg:CountyLevelRegion",
            "zg:Industry", "zg:DemonstrationZone"}
    betweenness = _betweenness(g)
    degree = nx.degree_centrality(g) if g.number_of_nodes() > 1 else {}
    rows = [[n, g.nodes[n]["cls"], _label(kg, n, lang), g.degree(n), round(degree.get(n, 0), 4),
             round(betweenness.get(n, 0), 4)] for n in g if g.nodes[n]["cls"] in keep]
    rows.sort(key=lambda r: (-r[5], -r[3], r[0]))
    return ("Centrality (regions, zones, industries)",
            ["node", "class", "label", "degree", "degree_centrality", "betweenness"], rows[:top])


def components(kg: KnowledgeGraph, lang: str = "zh", as_of: int | None = None) -> tuple[Table, Table]:
    g = nx.Graph(to_networkx(kg, as_of=as_of))
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c))
    crow = [[i, len(c), " ".join(c[:8]) + (" …" if len(c) > 8 else "")] for i, c in enumerate(comps, 1)]
    brows = []
    for u, v in nx.bridges(g):
        a, b = sorted((u, v))
        brows.append([a, _label(kg, a, lang), b, _label(kg, b, lang)])
    brows.sort()
    return (("Connected components", ["component", "nodes", "members"], crow),
            ("Bridges (edges whose removal disconnects the graph)", ["a", "label_a", "b", "label_b"], brows))


def analyze(kg: KnowledgeGraph, lang: str = "zh", as_of: int | None = None) -> list[Table]:
    sim, groups = zone_similarity(kg, lang, as_of)
    comps, bridges = components(kg, lang, as_of)
    return [most_targeted_industries(kg, lang, as_of), flow_matrix(kg, lang, as_of), sim, groups,
            centrality(kg, lang, as_of), comps, bridges]
