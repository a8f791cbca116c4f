"""The RDF graph as a typed networkx multigraph of transfer hops, each hop carrying its evidence.

N-ary RDF nodes are folded into direct hops so that a chain reads the way a researcher says it:
source region → industry → zone → member city → park → project. Every hop records

* ``mode``: ``declared`` (a plan or report states an intent), ``realised`` (a project), or
  ``structural`` (membership, containment, location: what connects the two);
* ``valid_from`` / ``valid_to``: the dates between which it held (membership dates, the declaring
  document's issue date, the project's date), so ``as_of`` can drop what did not hold; a
  membership no source dates has ``start_known`` False and is dropped under any ``as_of``;
* ``evidence``: every citation (document, title, locator, URL) behind the statements it folds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from graph import ns
from graph.store import KnowledgeGraph, plain

DECLARED, REALISED, STRUCTURAL = "declared", "realised", "structural"


@dataclass(frozen=True, order=True)
class Evidence:
    citation: str
    document: str
    title: str
    locator: str
    url: str
    kind: str


@dataclass
class Hop:
    source: str
    target: str
    relation: str
    mode: str
    valid_from: str | None = None
    valid_to: str | None = None
    industry: str | None = None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    # False for a membership no source dates: it cannot be said to hold in any given year.
    start_known: bool = True

    def holds_in(self, year: int | None) -> bool:
        if year is None:
            return True
        if not self.start_known:
            return False
        day = f"{year}-12-31"
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day)


_STATEMENTS = """
SELECT ?s ?p ?o ?c WHERE {
  #VALUES
  GRAPH ?c { ?s ?p ?o }
}
"""
# Read apart from the statements and joined in Python: one row per citation, not per statement
# (the join in the engine cost more than both reads at a hundred times the data).
_CITATIONS = """
SELECT ?c ?d ?title ?loc ?url ?kind WHERE {
  #VALUES
  GRAPH zgg:sources { ?c a zg:Citation ; zg:document ?d . OPTIONAL { ?c zg:locator ?loc } }
  OPTIONAL { ?d rdfs:label ?title FILTER(LANG(?title) = "zh") }
  OPTIONAL { ?d foaf:page ?url }
  OPTIONAL { ?d zg:documentKind ?kind }
}
"""
_DATE_PROPS = [ns.iri(p) for p in ("dcterms:issued", "zg:approvalDate", "zg:date", "zg:startDate")]
_DATES = f"""
SELECT ?e (MIN(STR(?d)) AS ?first) WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _DATE_PROPS)} }}
  ?e ?p ?d .
}} GROUP BY ?e
"""
_CHUNK = 2000  # IRIs bound per query when reading chosen subjects


def _bind(sparql: str, var: str, curies) -> str:
    """``sparql`` (a SELECT whose WHERE group opens with the ``#VALUES`` mark) with ``var`` bound to
    the given entities. The group is evaluated per binding (Oxigraph's LATERAL): a plain join
    would evaluate its OPTIONALs over the whole graph first, 0.25 s a query at a hundred times
    the data against 2 ms."""
    block = f"VALUES {var} {{ {' '.join(str(ox.NamedNode(ns.iri(c))) for c in curies)} }} LATERAL {{"
    head, _, tail = sparql.replace("#VALUES", block, 1).rpartition("}")
    return f"{head}}}}}{tail}"


def _kind(classes: set[str]) -> str:
    return next((c for c in _CLASS_ORDER if c in classes), sorted(classes)[0])


# Classes whose own kind is more specific than MIN(?class) would pick.
_CLASS_ORDER = ["zg:DemonstrationZone", "zg:MacroRegion", "zg:ProvinceLevelRegion", "zg:PrefectureLevelRegion",
                "zg:CountyLevelRegion", "zg:DevelopmentZone", "zg:Industry", "zg:InvestmentProject",
                "zg:Enterprise", "zg:Agent", "zg:Document", "zg:TransferLink", "zg:Membership",
                "zg:Cooperation", "zg:Observation", "zg:ZoneChange"]


class Facts:
    """Triples of the union graph indexed by subject, each with the evidence of every citation.

    ``Facts(kg)`` reads every subject; ``Facts(kg, subjects=())`` starts empty and :meth:`add` reads
    the chosen subjects only (with the classes and first dates of everything they mention), which is
    what a search around a few nodes needs on a large graph."""

    def __init__(self, kg: KnowledgeGraph, subjects=None):
        self.kg = kg
        self.by_subject: dict[str, dict[str, dict[str, set[Evidence]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(set)))
        self.classes: dict[str, str] = {}
        self.first_date: dict[str, str] = {}
        self._loaded: set[str] = set()
        self._citations: dict[str, list[Evidence]] | None = None
        self._dated: set[str] = set()  # entities whose class and first date were looked up
        self.complete = subjects is None  # every subject read at once
        if subjects is None:
            self._read(_STATEMENTS, "SELECT ?e ?c WHERE { ?e a ?c }", _DATES)
        else:
            self.add(subjects)

    def add(self, subjects) -> None:
        """Read the statements of ``subjects`` not read yet, with the classes and first dates of
        the subjects, the entities they mention and the documents that state them."""
        new = sorted(set(subjects) - self._loaded)
        for chunk in range(0, len(new), _CHUNK):
            part = new[chunk:chunk + _CHUNK]
            self._loaded.update(part)
            mentioned = self._read(_bind(_STATEMENTS, "?s", part), None, None) | set(part)
            for e in sorted(mentioned - self._dated):
                self._dated.add(e)
                iri = ns.iri(e)
                if not iri.startswith(("http://", "https://")):
                    continue
                kinds = {ns.curie(o.value) for _, _, o in self.kg.match(iri, ns.RDF_TYPE)}
                if kinds:
                    self.classes[e] = _kind(kinds)
                dates = [o.value for p in _DATE_PROPS for _, _, o in self.kg.match(iri, p)]
                if dates:
                    self.first_date[e] = min(dates)

    def citations(self, needed: set[str] | None = None) -> dict[str, list[Evidence]]:
        """Citation IRI -> its evidence (one per title, URL and kind its document has): every
        citation, or at least the ``needed`` ones (graph IRIs that are not citations map to none)."""
        if self._citations is None:
            self._citations = defaultdict(list)
        missing = None if needed is None else sorted(needed - self._citations.keys())
        if missing is None or missing:
            query = _CITATIONS if missing is None else _bind(_CITATIONS, "?c", missing)
            for c, d, title, loc, url, kind in self.kg.select(query).rows:
                self._citations[c.value].append(Evidence(
                    ns.curie(c.value), ns.curie(d.value), plain(title) or "", plain(loc) or "",
                    plain(url) or "", plain(kind) or ""))
            for c in missing or ():
                self._citations.setdefault(c, [])
        return self._citations

    def _read(self, evidence: str | None, classes: str | None, dates: str | None) -> set[str]:
        """Index what the queries return; the entities the statements mention (objects, documents)."""
        kg = self.kg
        mentioned: set[str] = set()
        if evidence:
            rows = kg.select(evidence).rows
            cites = self.citations(None if self.complete else {c.value for *_, c in rows})
            for s, p, o, c in rows:
                evs = cites.get(c.value)
                if not evs:
                    continue  # the sources, editorial and vocabulary graphs: not facts
                value = plain(o)
                self.by_subject[ns.curie(s.value)][ns.curie(p.value)][value].update(evs)
                if isinstance(o, ox.NamedNode):
                    mentioned.add(value)
                mentioned.update(ev.document for ev in evs)
        if classes:
            found: dict[str, set[str]] = defaultdict(set)
            for e, c in kg.select(classes).rows:
                found[ns.curie(e.value)].add(ns.curie(c.value))
            self.classes.update({e: _kind(cs) for e, cs in found.items()})
        if dates:
            self.first_date.update({ns.curie(e.value): d.value for e, d in kg.select(dates).rows})
        return mentioned

    def values(self, subject: str, prop: str) -> list[str]:
        return sorted(self.by_subject.get(subject, {}).get(prop, {}))

    def evidence(self, subject: str, *props: str) -> set[Evidence]:
        out: set[Evidence] = set()
        for prop in props:
            for evs in self.by_subject.get(subject, {}).get(prop, {}).values():
                out |= evs
        return out

    def evidence_of(self, subject: str, prop: str, value: str) -> set[Evidence]:
        return set(self.by_subject.get(subject, {}).get(prop, {}).get(value, set()))

    def subjects_of_class(self, cls: str) -> list[str]:
        return sorted(e for e, c in self.classes.items() if c == cls)

    def not_in_force(self, year: int) -> set[str]:
        """Entities (memberships, zones, changes, documents, projects) that did not hold on 31 December
        of ``year``: their earliest date is later, or they had ended by then. A membership no source
        dates is left out too: nothing says it held that year (the same rule as ``members-as-of``)."""
        day = f"{year}-12-31"
        out = {e for e, d in self.first_date.items() if d > day}
        out |= {e for e, props in self.by_subject.items() if any(d <= day for d in props.get("zg:endDate", {}))}
        out |= {m for m in self.subjects_of_class("zg:Membership") if not self.values(m, "zg:startDate")}
        return out


def _hops(f: Facts) -> list[Hop]:
    hops: list[Hop] = []

    def add(source, target, relation, mode, evidence, valid_from=None, valid_to=None, industry=None,
            start_known=True):
        if source and target and source != target:
            hops.append(Hop(source, target, relation, mode, valid_from, valid_to, industry,
                            tuple(sorted(evidence)), start_known))

    # Declared transfer links: source region -> industry -> receiver.
    for link in f.subjects_of_class("zg:TransferLink"):
        ev = f.evidence(link, "zg:sourceRegion", "zg:receiver", "zg:industry")
        docs = f.values(link, "zg:declaredIn")
        since = min((f.first_date[d] for d in docs if d in f.first_date), default=None)
        for source in f.values(link, "zg:sourceRegion"):
            for receiver in f.values(link, "zg:receiver"):
                industries = f.values(link, "zg:industry")
                for ind in industries:
                    add(source, ind, "declared source of industry", DECLARED, ev, since, industry=ind)
                    add(ind, receiver, "declared industry for receiver", DECLARED, ev, since, industry=ind)
                if not industries:
                    add(source, receiver, "declared transfer to", DECLARED, ev, since)
    for subject, props in f.by_subject.items():
        for ind, evs in props.get("zg:targetIndustry", {}).items():
            since = min((f.first_date.get(e.document) for e in evs if f.first_date.get(e.document)), default=None)
            add(ind, subject, "target industry of", DECLARED, evs, since, industry=ind)
        for src, evs in props.get("zg:sourceRegion", {}).items():
            if f.classes.get(subject) == "zg:TransferLink":
                continue
            since = min((f.first_date.get(e.document) for e in evs if f.first_date.get(e.document)), default=None)
            add(src, subject, "positioned to receive from", DECLARED, evs, since)
        for park, evs in props.get("zg:carrierPlatform", {}).items():
            add(subject, park, "carrier platform", STRUCTURAL, evs)
        for region, evs in props.get("zg:parentRegion", {}).items():
            add(region, subject, "contains", STRUCTURAL, evs)
        for region, evs in props.get("zg:memberRegion", {}).items():
            add(subject, region, "includes", STRUCTURAL, evs)
        for broader, evs in props.get("skos:broader", {}).items():
            add(broader, subject, "broader industry of", STRUCTURAL, evs)
        cls = f.classes.get(subject)
        if cls == "zg:DevelopmentZone":
            for region, evs in props.get("zg:locatedIn", {}).items():
                add(region, subject, "has development zone", STRUCTURAL, evs)
        if cls == "zg:Cooperation":
            partners = f.values(subject, "zg:partner")
            ev = f.evidence(subject, "zg:partner")
            for a, b in zip(partners, partners[1:]):
                add(a, b, "paired cooperation with", DECLARED, ev)
    # Memberships: zone -> member region, dated.
    for m in f.subjects_of_class("zg:Membership"):
        start = min(f.values(m, "zg:startDate"), default=None)
        end = max(f.values(m, "zg:endDate"), default=None)
        for zone in f.values(m, "zg:zone"):
            for member in f.values(m, "zg:member"):
                add(zone, member, "member region", STRUCTURAL,
                    f.evidence(m, "zg:member", "zg:startDate", "zg:dateNote"), start, end,
                    start_known=start is not None)
    # Realised: projects where they landed, in what industry, from where.
    for p in f.subjects_of_class("zg:InvestmentProject"):
        since = f.first_date.get(p)
        inds = f.values(p, "zg:industry")
        industry = inds[0] if inds else None
        for prop, relation in (("zg:park", "hosts project"), ("zg:locatedIn", "project located here"),
                               ("zg:zone", "project in zone")):
            for place, evs in f.by_subject[p].get(prop, {}).items():
                add(place, p, relation, REALISED, evs, since, industry=industry)
        for ind, evs in f.by_subject[p].get("zg:industry", {}).items():
            add(ind, p, "industry of project", REALISED, evs, since, industry=ind)
        for origin, evs in f.by_subject[p].get("zg:investorOrigin", {}).items():
            add(origin, p, "investor comes from", REALISED, evs, since, industry=industry)
        for investor, evs in f.by_subject[p].get("zg:investor", {}).items():
            add(investor, p, "invests in", REALISED, evs, since, industry=industry)
    return hops


def facts_of(kg: KnowledgeGraph) -> Facts:
    """The evidence index of ``kg``, built once per loaded graph."""
    return kg.memo("facts", lambda: Facts(kg))


def hops_of(kg: KnowledgeGraph) -> list[Hop]:
    """Every merged hop of ``kg``, built once per loaded graph (views filter it, never change it)."""
    return kg.memo("hops", lambda: _merge(_hops(facts_of(kg))))


def _merge(hops: list[Hop]) -> list[Hop]:
    """One hop per (source, target, mode, validity, industry): parallel statements of the same link
    (a transfer link and a target-industry statement, say) become one hop with all their evidence."""
    merged: dict[tuple, Hop] = {}
    for h in hops:
        key = (h.source, h.target, h.mode, h.valid_from, h.valid_to, h.industry, h.start_known)
        if key in merged:
            m = merged[key]
            relations = sorted(set(m.relation.split("; ")) | {h.relation})
            merged[key] = Hop(m.source, m.target, "; ".join(relations), m.mode, m.valid_from, m.valid_to,
                              m.industry, tuple(sorted(set(m.evidence) | set(h.evidence))), m.start_known)
        else:
            merged[key] = h
    return [merged[k] for k in sorted(merged, key=lambda k: tuple(str(x) for x in k))]


def to_networkx(kg: KnowledgeGraph, as_of: int | None = None, modes: set[str] | None = None) -> nx.MultiGraph:
    """The hop graph: nodes carry class and labels; each edge carries one :class:`Hop` as ``hop``.

    ``as_of`` keeps only hops (and zones, documents, projects) that held on 31 December of that
    year; ``modes`` keeps only hops of those modes (structural hops are always kept).

    Built once per loaded graph and arguments, and frozen (a view that changed it would raise):
    the site draws a view per zone and per industry from it, and rebuilding it for each made the
    build quadratic in the data. Copy it (``nx.MultiGraph(g)``) to change it.
    """
    key = ("hop-graph", as_of, frozenset(modes) if modes is not None else None)
    return kg.memo(key, lambda: nx.freeze(_build_networkx(kg, as_of, modes)))


def _build_networkx(kg: KnowledgeGraph, as_of: int | None, modes: set[str] | None) -> nx.MultiGraph:
    return hop_graph(kg, facts_of(kg), hops_of(kg), as_of, modes)


def hop_graph(kg: KnowledgeGraph, facts: Facts, hops: list[Hop], as_of: int | None = None,
              modes: set[str] | None = None) -> nx.MultiGraph:
    """The multigraph of ``hops`` (in their merged order) under the ``as_of`` and ``modes`` filters."""
    g = nx.MultiGraph()
    hidden = facts.not_in_force(as_of) if as_of is not None else set()
    for hop in hops:
        if modes is not None and hop.mode != STRUCTURAL and hop.mode not in modes:
            continue
        if not hop.holds_in(as_of):
            continue
        if any(n in hidden for n in (hop.source, hop.target)
               if facts.classes.get(n) in ("zg:DemonstrationZone", "zg:InvestmentProject")):
            continue
        for node in (hop.source, hop.target):
            if node not in g:
                iri = ns.iri(node)
                g.add_node(node, cls=facts.classes.get(node, ""), label_zh=kg.label(iri, "zh"),
                           label_en=kg.label(iri, "en"))
        g.add_edge(hop.source, hop.target, key=f"{hop.relation}|{hop.source}|{hop.target}", hop=hop)
    return g


class LocalHops:
    """The hops around chosen nodes, read from the store on demand instead of building the hop
    graph of everything: what ``trace`` needs on a large graph.

    Every hop is made from one subject's statements (a link, a membership, a project, a region's
    parent …) and that subject is either an end of the hop or points at it. So once a node is
    *expanded* — its own statements and those of every subject pointing at it are read — each hop
    touching it is exactly the hop of the whole graph, evidence and merging included."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg
        self.facts = Facts(kg, subjects=())
        self.expanded: set[str] = set()
        self._hops: list[Hop] | None = None

    def expand(self, nodes) -> None:
        new = sorted(set(nodes) - self.expanded)
        if not new:
            return
        # every subject with a statement whose object is the node (not only the properties _hops
        # reads today: a list of them would have to follow every new kind of hop)
        pointing = {ns.curie(s.value) for o in new for s, _, _ in self.kg.match(None, None, ns.iri(o))}
        self.facts.add(set(new) | pointing)
        self.expanded.update(new)
        self._hops = None

    def hops(self) -> list[Hop]:
        """The merged hops touching an expanded node, in the whole graph's order."""
        if self._hops is None:
            self._hops = [h for h in _merge(_hops(self.facts))
                          if h.source in self.expanded or h.target in self.expanded]
        return self._hops

    def graph(self, as_of: int | None = None, modes: set[str] | None = None) -> nx.MultiGraph:
        """:func:`hop_graph` of the hops read so far; the far ends' own statements are read first,
        since whether a zone or project was in force comes from them."""
        self.facts.add({n for h in self.hops() for n in (h.source, h.target)})
        return hop_graph(self.kg, self.facts, self.hops(), as_of, modes)


def rdf_multidigraph(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Every entity-to-entity statement as a directed edge (for Gephi): node class, zh/en labels and
    coordinates; edge relation, mode, dates and sources as attributes. Nodes and edges are inserted in
    sorted order so the serialisations are deterministic."""
    facts = facts_of(kg)
    coords = {ns.curie(e.value): (float(a.value), float(b.value)) for e, a, b in kg.select(
        "SELECT ?e (SAMPLE(?x) AS ?la) (SAMPLE(?y) AS ?lo) WHERE { ?e geo:lat ?x ; geo:long ?y } GROUP BY ?e").rows}
    g = nx.MultiDiGraph()
    # our entities (whatever their IRIs hold) and the vocabulary terms the data describes (dcterms:title …)
    nodes = sorted(n for n, c in facts.classes.items() if (ns.expand(n) or ns.is_entity(n)) and c != "zg:Citation"
                   and not n.startswith("zg:"))
    for n in nodes:
        iri = ns.iri(n)
        attrs = {"class": facts.classes[n], "label_zh": kg.label(iri, "zh"), "label_en": kg.label(iri, "en")}
        if n in coords:
            attrs["lat"], attrs["long"] = coords[n]
        g.add_node(n, **attrs)
    hop_modes = {(h.source, h.target): h.mode for h in hops_of(kg)}
    for s in nodes:
        for p, objects in sorted(facts.by_subject.get(s, {}).items()):
            if p == "rdf:type":
                continue
            for o, evs in sorted(objects.items()):
                if o not in g:
                    continue
                docs = sorted({e.document for e in evs})
                g.add_edge(s, o, key=p, relation=p, mode=hop_modes.get((s, o)) or hop_modes.get((o, s)) or "",
                           date=facts.first_date.get(s, ""), sources=" ".join(docs),
                           citations=" ".join(sorted({e.citation for e in evs})))
    return g
