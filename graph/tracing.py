"""``zonegraph trace``: the chains linking two entities, every hop with its evidence."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from graph import entities, ns
from graph.errors import ParameterError
from graph.network import DECLARED, REALISED, STRUCTURAL, Hop, LocalHops
from graph.store import KnowledgeGraph

MAX_CANDIDATES = 5000  # simple paths examined before ranking; keeps dense neighbourhoods bounded
END_CLASSES = ("zg:InvestmentProject", "zg:DevelopmentZone", "zg:DemonstrationZone")


@dataclass
class Step:
    hop: Hop
    forward: bool  # traversed in the hop's own direction (source region -> ... -> project)

    @property
    def start(self) -> str:
        return self.hop.source if self.forward else self.hop.target

    @property
    def end(self) -> str:
        return self.hop.target if self.forward else self.hop.source


@dataclass
class Path:
    steps: list[Step]

    @property
    def nodes(self) -> list[str]:
        return [self.steps[0].start] + [s.end for s in self.steps] if self.steps else []

    @property
    def documents(self) -> set[str]:
        return {e.document for s in self.steps for e in s.hop.evidence}

    def rank_key(self):
        backward = sum(not s.forward for s in self.steps)
        weakest = min((len({e.document for e in s.hop.evidence}) for s in self.steps), default=0)
        return (len(self.steps), backward, -weakest, -len(self.documents), [s.end for s in self.steps])


@dataclass
class TraceResult:
    source: str
    target: str | None
    paths: list[Path]
    partial: list[Path]
    graph: nx.MultiGraph


def _industry_ok(path: Path, industries: set[str]) -> bool:
    """The chain carries the industry: every hop that names an industry names this one (or a
    narrower one), and at least one hop does."""
    named = [s.hop.industry for s in path.steps if s.hop.industry]
    return bool(named) and all(i in industries for i in named)


def _narrower(kg: KnowledgeGraph, industry: str) -> set[str]:
    rows = kg.select("SELECT ?n WHERE { ?n skos:broader* ?i }", {"i": _node(industry)}).rows
    return {ns.curie(n.value) for (n,) in rows}


def _node(curie: str):
    import pyoxigraph as ox

    return ox.NamedNode(ns.iri(curie))


CLIMB = {"includes", "contains"}  # containment: may be climbed backwards at the start of a chain
SYMMETRIC = {"paired cooperation with"}
LANDS = {"hosts project", "project located here", "project in zone"}  # project -> where it landed
INVESTS = {"investor comes from", "invests in"}


def _moves(hop: Hop, node: str) -> list[Step]:
    """The moves ``hop`` allows from ``node``: forwards from its source; backwards from its target
    for containment, cooperation and a project's landing place."""
    moves = []
    if hop.source == node:
        moves.append(Step(hop, True))
    if hop.target == node:
        relations = set(hop.relation.split("; "))
        if relations & (CLIMB | SYMMETRIC | LANDS):
            moves.append(Step(hop, bool(relations & SYMMETRIC)))
    return moves


def _adjacency(g: nx.MultiGraph) -> dict[str, list[Step]]:
    """Moves allowed from each node: every hop forwards; containment and cooperation also backwards."""
    adj: dict[str, list[Step]] = {}
    for _, _, data in g.edges(data=True):
        hop: Hop = data["hop"]
        for node in (hop.source, hop.target):
            adj.setdefault(node, []).extend(_moves(hop, node))
    for moves in adj.values():
        moves.sort(key=lambda st: (st.end, st.hop.relation))
    return adj


def _around(kg: KnowledgeGraph, a: str, max_hops: int) -> LocalHops:
    """The hops every chain of at most ``max_hops`` moves from ``a`` can use, read layer by layer
    (a breadth-first superset of the search: it ignores the order rules), so a trace costs what
    its neighbourhood costs, not what the whole graph does."""
    local = LocalHops(kg)
    frontier = {a}
    for _ in range(max_hops):
        local.expand(frontier)
        reached = {st.end for h in local.hops() for n in frontier & {h.source, h.target} for st in _moves(h, n)}
        frontier = reached - local.expanded
        if not frontier:
            break
    return local


def _search(g: nx.MultiGraph, a: str, is_end, max_hops: int, industries: set[str] | None):
    """Depth-first over directed chains from ``a``. A chain runs in the transfer direction (source
    region -> industry -> receiver -> member -> park -> project); the only backward moves allowed
    are climbs from the start to a containing region (北京 -> 京津冀) before anything else, and,
    right after an investor's origin, from the project to where it landed (重庆 -> project -> 四平).
    Yields every chain that reaches an end node, at most MAX_CANDIDATES of them."""
    adj = _adjacency(g)
    found = 0
    stack = [(a, [], {a}, True)]
    while stack and found < MAX_CANDIDATES:
        node, steps, seen, climbing = stack.pop()
        if steps and is_end(node):
            path = Path(list(steps))
            if industries is None or _industry_ok(path, industries):
                found += 1
                yield path
        if len(steps) >= max_hops:
            continue
        for step in reversed(adj.get(node, [])):
            nxt = step.end
            if nxt in seen:
                continue
            backward = not step.forward
            relations = set(step.hop.relation.split("; "))
            if backward and relations & LANDS:
                # from a project back to where it landed: only right after following its investor
                if not (steps and set(steps[-1].hop.relation.split("; ")) & INVESTS):
                    continue
                backward = False
            elif backward and not climbing:
                continue
            if industries is not None and step.hop.industry and step.hop.industry not in industries:
                continue
            stack.append((nxt, steps + [step], seen | {nxt}, climbing and backward))


def trace(kg: KnowledgeGraph, source: str, target: str | None = None, industry: str | None = None,
          as_of: int | None = None, mode: str | None = None, max_hops: int = 5, limit: int = 10) -> TraceResult:
    """Chains from ``source`` to ``target`` (or to every project, park and zone within reach),
    shortest first, then those with fewer backward climbs and better evidence."""
    if max_hops < 1:
        raise ParameterError("--max-hops must be at least 1")
    a = ns.curie(entities.resolve(kg, source))
    b = ns.curie(entities.resolve(kg, target)) if target else None
    ind = ns.curie(entities.resolve(kg, industry)) if industry else None
    modes = {DECLARED} if mode == DECLARED else {REALISED} if mode == REALISED else None
    g = _around(kg, a, max_hops).graph(as_of, modes)
    industries = _narrower(kg, ind) if ind else None
    return search(kg, g, a, b, industries, max_hops, limit)


def search(kg: KnowledgeGraph, g: nx.MultiGraph, a: str, b: str | None, industries: set[str] | None,
           max_hops: int, limit: int) -> TraceResult:
    """The chains of :func:`trace` in the hop graph ``g`` (the neighbourhood of ``a``, or the whole
    hop graph: the answer is the same)."""
    paths: list[Path] = []
    if a in g:
        if b is not None:
            is_end = b.__eq__
        else:
            def is_end(n):
                return g.nodes[n]["cls"] in END_CLASSES
        paths = list(_search(g, a, is_end, max_hops, industries))
    paths.sort(key=Path.rank_key)
    partial: list[Path] = []
    if not paths and b is not None:
        partial = _nearest_partial(kg, g, a, b, max_hops)
    return TraceResult(a, b, paths[:limit], partial, g)


def _nearest_partial(kg: KnowledgeGraph, g: nx.MultiGraph, a: str, b: str, max_hops: int) -> list[Path]:
    """Chains from ``a`` to the reachable nodes that lie closest to ``b`` (in the unfiltered graph)."""
    if a not in g:
        return []
    to_b = _distances(kg, b, set(g))
    if not to_b:
        return []
    best: dict[str, Path] = {}
    for path in _search(g, a, lambda n: n in to_b, max_hops, None):
        end = path.nodes[-1]
        if end not in best or path.rank_key() < best[end].rank_key():
            best[end] = path
    ranked = sorted(best.items(), key=lambda kv: (to_b[kv[0]], kv[1].rank_key()))
    return [p for _, p in ranked[:3]]


def _distances(kg: KnowledgeGraph, b: str, wanted: set[str]) -> dict[str, int]:
    """Hops from ``b`` to each node of ``wanted`` it connects to, in the unfiltered hop graph taken
    as undirected; read breadth-first until every wanted node is reached or ``b``'s part of the
    graph is exhausted. Empty when nothing touches ``b``."""
    local = LocalHops(kg)
    dist = {b: 0}
    frontier, depth = {b}, 0
    while frontier and not wanted <= dist.keys():
        local.expand(frontier)
        depth += 1
        frontier = {v for h in local.hops() for u, v in ((h.source, h.target), (h.target, h.source))
                    if u in frontier and v not in dist}
        dist.update(dict.fromkeys(frontier, depth))
    return dist if len(dist) > 1 else {}


# ---------------------------------------------------------------------------- rendering

def hop_rows(kg: KnowledgeGraph, paths: list[Path], lang: str = "zh") -> tuple[list[str], list[list]]:
    """One row per hop: path, hop number, from, relation, to, mode, validity, sources."""
    columns = ["path", "hop", "from", "relation", "to", "mode", "valid", "sources"]
    rows = []
    for i, path in enumerate(paths, 1):
        for j, step in enumerate(path.steps, 1):
            h = step.hop
            rel = h.relation if step.forward else f"(reverse) {h.relation}"
            valid = f"{h.valid_from or ''}–{h.valid_to or ''}" if (h.valid_from or h.valid_to) else ""
            sources = "; ".join(f"{e.title} {e.locator}".strip() for e in h.evidence)
            rows.append([i, j, _name(kg, step.start, lang), rel, _name(kg, step.end, lang), h.mode, valid, sources])
    return columns, rows


def _name(kg: KnowledgeGraph, node: str, lang: str) -> str:
    return f"{kg.label(ns.iri(node), lang)} ({node})"


def as_json(kg: KnowledgeGraph, result: TraceResult) -> dict:
    def node(n):
        iri = ns.iri(n)
        return {"id": n, "label_zh": kg.label(iri, "zh"), "label_en": kg.label(iri, "en"),
                "class": result.graph.nodes[n]["cls"] if n in result.graph else ""}

    def path(p: Path, rank: int):
        return {"rank": rank, "length": len(p.steps), "nodes": [node(n) for n in p.nodes], "hops": [
            {"from": node(s.start), "to": node(s.end), "relation": s.hop.relation,
             "direction": "forward" if s.forward else "reverse", "mode": s.hop.mode,
             "industry": s.hop.industry, "valid_from": s.hop.valid_from, "valid_to": s.hop.valid_to,
             "citations": [{"citation": e.citation, "document": e.document, "title": e.title,
                            "locator": e.locator, "url": e.url or None} for e in s.hop.evidence]}
            for s in p.steps]}

    return {"from": node(result.source) if result.source in result.graph else {"id": result.source},
            "to": result.target, "paths": [path(p, i) for i, p in enumerate(result.paths, 1)],
            "partial": [path(p, i) for i, p in enumerate(result.partial, 1)]}


MODE_STYLE = {DECLARED: ("#b45309", "6 4"), REALISED: ("#047857", ""), STRUCTURAL: ("#6b7280", "2 3")}


def as_html(kg: KnowledgeGraph, result: TraceResult, lang: str = "zh") -> str:
    """A self-contained page (no scripts, no network): each path drawn as a row of nodes joined by
    arrows styled by mode, every hop's sources in its tooltip and listed below. All text escaped."""
    from html import escape

    from graph.viz import safe_href

    paths = result.paths or result.partial
    title = f"trace {result.source} → {result.target or '…'}"
    width, box, gap, row_h = 1200, 150, 60, 90
    parts = [f"<!DOCTYPE html>\n<html lang=\"{'zh' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">",
             f"<title>{escape(title)}</title><style>body{{font-family:'Noto Sans CJK SC',sans-serif;margin:1em}}"
             "text{font-size:12px}.legend span{margin-right:1.5em}</style></head><body>",
             f"<h1>{escape(title)}</h1>",
             "<p class=\"legend\"><span style=\"color:#b45309\">- - declared</span>"
             "<span style=\"color:#047857\">— realised</span><span style=\"color:#6b7280\">··· structural</span></p>"]
    if not result.paths:
        parts.append("<p><strong>No chain found.</strong> Nearest partial chains:</p>" if result.partial
                     else "<p><strong>No chain found.</strong></p>")
    for i, p in enumerate(paths, 1):
        n = len(p.nodes)
        svg_w = max(width, n * (box + gap))
        parts.append(f"<h2>{i}. {len(p.steps)} hop(s)</h2><svg width=\"{svg_w}\" height=\"{row_h}\" "
                     f"role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">")
        for k, node in enumerate(p.nodes):
            x = k * (box + gap)
            label = escape(kg.label(ns.iri(node), lang))
            parts.append(f"<g><title>{escape(node)}</title><rect x=\"{x}\" y=\"20\" width=\"{box}\" height=\"40\" "
                         f"rx=\"6\" fill=\"#f3f4f6\" stroke=\"#374151\"/><text x=\"{x + 6}\" y=\"44\">"
                         f"{label[:14]}</text></g>")
        for k, step in enumerate(p.steps):
            x1, x2 = k * (box + gap) + box, (k + 1) * (box + gap)
            color, dash = MODE_STYLE[step.hop.mode]
            tip = escape(step.hop.relation + "\n" + "\n".join(
                f"{e.title} {e.locator} {e.url}".strip() for e in step.hop.evidence))
            parts.append(f"<g><title>{tip}</title><line x1=\"{x1}\" y1=\"40\" x2=\"{x2 - 4}\" y2=\"40\" "
                         f"stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/>"
                         f"<text x=\"{x1 + 2}\" y=\"75\" fill=\"{color}\">{'→' if step.forward else '←'}</text></g>")
        parts.append("</svg><ol>")
        for step in p.steps:
            # only http(s) URLs become links: a javascript: foaf:page in the data stays text
            cites = "; ".join(
                (f"<a href=\"{escape(safe_href(e.url))}\">{escape(e.title)}</a>" if safe_href(e.url)
                 else escape(e.title)) + f" {escape(e.locator)}" for e in step.hop.evidence)
            parts.append(f"<li>{escape(kg.label(ns.iri(step.start), lang))} "
                         f"{'→' if step.forward else '←'} {escape(step.hop.relation)} "
                         f"{escape(kg.label(ns.iri(step.end), lang))} "
                         f"<em>({escape(step.hop.mode)})</em> — {cites}</li>")
        parts.append("</ol>")
    parts.append("</body></html>\n")
    return "".join(parts)


__all__ = ["trace", "hop_rows", "as_json", "as_html", "TraceResult", "Path", "STRUCTURAL"]
