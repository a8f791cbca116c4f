"""Finding entities by IRI, CURIE, label, short name, code or pinyin; listing every fact about one.

Search and parameter resolution share one index per loaded graph (:func:`index`): every name of
every entity (labels, short names, codes, pinyin forms) with the entity's class. Matches rank by
how exact they are, then by what kind of thing was found: zones, regions, macro-regions, parks,
industries, agents and documents before projects, and those before statements (links,
memberships, observations, citations), which carry long labels that repeat the names of the
entities they are about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox

from graph import ns
from graph.errors import UnknownEntity
from graph.store import KnowledgeGraph, Table, plain

_NAMES = """
SELECT ?e ?name ?how WHERE {
  VALUES ?how { rdfs:label skos:altLabel zg:pinyin zg:divisionCode dcterms:identifier skos:notation }
  ?e ?how ?name .
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), "https://w3id.org/zonegraph/id/") && isLiteral(?name))
}
"""
_HOW = {"rdfs:label": "label", "skos:altLabel": "altLabel", "zg:pinyin": "pinyin", "zg:divisionCode": "code",
        "dcterms:identifier": "code", "skos:notation": "code"}


@dataclass(frozen=True)
class Name:
    iri: str
    text: str
    how: str  # label | altLabel | pinyin | code


def names(kg: KnowledgeGraph) -> list[Name]:
    """Every name stated in the data (labels, alternative labels, pinyin, codes), sorted."""
    def read() -> list[Name]:
        rows = kg.select(_NAMES).rows
        how = {ns.expand(c): h for c, h in _HOW.items()}
        return sorted({Name(e.value, n.value, how[h.value]) for e, n, h in rows},
                      key=lambda n: (n.iri, n.how, n.text))

    return kg.memo("names", read)


# Kinds of entity in the order they rank (search results, suggestions, ambiguity lists). The band
# says which of three tiers a class is in: named things people look for, projects and schemes,
# and statements.
CLASS_ORDER = [
    ("zg:DemonstrationZone", 0), ("zg:ProvinceLevelRegion", 0), ("zg:PrefectureLevelRegion", 0),
    ("zg:CountyLevelRegion", 0), ("zg:AdministrativeRegion", 0), ("zg:MacroRegion", 0),
    ("zg:DevelopmentZone", 0), ("zg:Industry", 0), ("skos:Concept", 0), ("zg:Enterprise", 0), ("zg:Agent", 0),
    ("zg:Document", 0), ("zg:InvestmentProject", 1), ("skos:ConceptScheme", 1), ("zg:ZoneChange", 2),
    ("zg:TransferLink", 2), ("zg:Cooperation", 2), ("zg:Membership", 2), ("zg:Observation", 2),
    ("zg:Citation", 2),
]
_RANK = {c: (band, i) for i, (c, band) in enumerate(CLASS_ORDER)}
_UNRANKED = (1, len(CLASS_ORDER))
STATEMENT_BAND = 2
_HOW_ORDER = {"label": 0, "altLabel": 1, "short": 2, "code": 3, "pinyin": 4}

# Administrative suffixes dropped to get the short name people use (四平市 -> 四平, 安徽省 -> 安徽,
# 广西壮族自治区 -> 广西). Longest first.
_REGION_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "新区",
                    "省", "市", "县", "区", "盟", "旗")
_REGION_CLASSES = {"zg:ProvinceLevelRegion", "zg:PrefectureLevelRegion", "zg:CountyLevelRegion",
                   "zg:AdministrativeRegion"}


def short_name(name: str) -> str | None:
    """A region's name without its administrative suffix (and ethnic qualifier), or None."""
    from graph.regions import _ETHNIC_TAIL

    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            while suffix.startswith("自治") and _ETHNIC_TAIL.search(stem):  # 延边朝鲜族自治州 -> 延边
                stem = _ETHNIC_TAIL.sub("", stem)
            return stem if len(stem) >= 2 and stem != name else None
    return None


class Entry(NamedTuple):  # a tuple: tens of thousands are built per graph, dataclasses are slower
    """One way of naming an entity: ``key`` is what is matched, ``shown`` what the user reads.
    Pinyin keys have no spaces; a query is matched against them with its spaces removed."""

    iri: str
    key: str
    shown: str
    how: str  # label | altLabel | short | code | pinyin


@dataclass
class Index:
    """Names (labels, short names, codes) and, built only when first needed, their pinyin: a query
    in Chinese characters never needs pinyin, and reading it costs more than the rest of the index."""

    names: list[Entry]
    exact_names: dict[str, list[Entry]]
    classes: dict[str, list[str]]  # IRI -> class CURIEs, best-ranked first
    supers: dict[str, set[str]]  # class CURIE -> itself and every superclass (ontology)
    texts: list[tuple[str, str, str]]  # (IRI, Chinese name, how) to read in pinyin
    _pinyin: tuple[list[Entry], dict[str, list[Entry]], dict[str, str]] | None = None

    def _layer(self) -> tuple[list[Entry], dict[str, list[Entry]], dict[str, str]]:
        if self._pinyin is None:
            from graph.pinyin import readings

            han = readings(text for _, text, _ in self.texts)
            entries: list[Entry] = []
            shown_of: dict[str, str] = {}
            for iri, text, how in self.texts:
                if text in han:
                    shown, forms = han[text]
                    if how == "label":
                        shown_of.setdefault(iri, shown)
                    entries += [Entry(iri, f, shown, "pinyin") for f in forms if " " not in f]
            exact: dict[str, list[Entry]] = {}
            for entry in entries:
                exact.setdefault(entry.key, []).append(entry)
            self._pinyin = (entries, exact, shown_of)
        return self._pinyin

    @property
    def pinyin(self) -> dict[str, str]:
        """IRI -> common pinyin reading of its Chinese label."""
        return self._layer()[2]

    @property
    def entries(self) -> list[Entry]:
        """Every name, pinyin forms included."""
        return self.names + self._layer()[0]

    def searchable(self, latin: bool) -> list[Entry]:
        return self.entries if latin else self.names

    def exact(self, key: str, latin: bool) -> list[Entry]:
        found = self.exact_names.get(key, [])
        return found + self._layer()[1].get(key.replace(" ", ""), []) if latin else found

    def rank(self, iri: str) -> tuple[int, int]:
        return min((_RANK.get(c, _UNRANKED) for c in self.classes.get(iri, ())), default=_UNRANKED)

    def is_a(self, iri: str, cls: str) -> bool:
        return any(cls in self.supers.get(c, {c}) for c in self.classes.get(iri, ()))

    def main_class(self, iri: str) -> str:
        found = self.classes.get(iri)
        return found[0] if found else ""

    def classes_of(self, iri: str) -> list[str]:
        return self.classes.get(iri, [])

    def pinyin_of(self, iri: str) -> str:
        return self.pinyin.get(iri, "")


class OneByOne:
    """What ``show`` needs to know about a handful of entities (classes, rank, pinyin), asked of
    the store one IRI at a time: the same answers as :class:`Index`, at a cost that does not grow
    with the graph (the index reads every name and class)."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg
        self.supers = _supers(kg)
        self._classes: dict[str, list[str]] = {}

    def classes_of(self, iri: str) -> list[str]:
        if iri not in self._classes:
            found = {ns.curie(c.value) for _, _, c in self.kg.match(iri, ns.RDF_TYPE) if isinstance(c, ox.NamedNode)}
            self._classes[iri] = sorted(found, key=lambda c: (_RANK.get(c, _UNRANKED), c))
        return self._classes[iri]

    def rank(self, iri: str) -> tuple[int, int]:
        return min((_RANK.get(c, _UNRANKED) for c in self.classes_of(iri)), default=_UNRANKED)

    def is_a(self, iri: str, cls: str) -> bool:
        return any(cls in self.supers.get(c, {c}) for c in self.classes_of(iri))

    def pinyin_of(self, iri: str) -> str:
        from graph.pinyin import has_han, readings

        texts = sorted(label.value for _, _, label in self.kg.match(iri, ns.RDFS_LABEL)
                       if isinstance(label, ox.Literal) and has_han(label.value))
        han = readings(texts)
        return next((han[t][0] for t in texts if t in han), "")


def _supers(kg: KnowledgeGraph) -> dict[str, set[str]]:
    """Class CURIE -> itself and every superclass (from the ontology graph)."""
    supers: dict[str, set[str]] = {}
    for sub, sup in kg.select("SELECT ?a ?b WHERE { GRAPH zgg:ontology { ?a rdfs:subClassOf+ ?b } }").rows:
        supers.setdefault(ns.curie(sub.value), {ns.curie(sub.value)}).add(ns.curie(sup.value))
    return supers


def lookup(kg: KnowledgeGraph) -> "Index | OneByOne":
    """The full index if it was built already (a search ran), else one-by-one answers."""
    return kg.memoised("entity-index") or OneByOne(kg)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _latin(text: str) -> bool:
    return any(c.isascii() and c.isalpha() for c in text)


def index(kg: KnowledgeGraph) -> Index:
    """The name index of ``kg``, built once per loaded graph."""
    return kg.memo("entity-index", lambda: _build_index(kg))


def _build_index(kg: KnowledgeGraph) -> Index:
    from graph.pinyin import has_han

    classes: dict[str, list[str]] = {}
    curies: dict[str, str] = {}  # a few dozen classes for thousands of rows
    for e, c in kg.select("SELECT DISTINCT ?e ?c WHERE { ?e a ?c FILTER(isIRI(?e) && isIRI(?c)) }").rows:
        cls = curies.get(c.value) or curies.setdefault(c.value, ns.curie(c.value))
        classes.setdefault(e.value, []).append(cls)
    for iri, found in classes.items():
        found.sort(key=lambda c: (_RANK.get(c, _UNRANKED), c))
    supers = _supers(kg)

    base = [(n.iri, n.text, n.how) for n in names(kg)]
    for iri, text, how in list(base):
        if how == "label" and set(classes.get(iri, ())) & _REGION_CLASSES:
            short = short_name(text)
            if short:
                base.append((iri, short, "short"))
    base = sorted(set(base))
    entries = [Entry(iri, text.casefold().replace(" ", "") if how == "pinyin" else _fold(text), text, how)
               for iri, text, how in base]
    exact: dict[str, list[Entry]] = {}
    for entry in entries:
        exact.setdefault(entry.key, []).append(entry)
    texts = [(i, t, h) for i, t, h in base if h in ("label", "altLabel", "short") and has_han(t)]
    return Index(entries, exact, classes, supers, texts)


@dataclass(frozen=True)
class Match:
    iri: str
    quality: int  # 0 exact, 1 prefix, 2 contains
    entry: Entry


def matches(kg: KnowledgeGraph, text: str) -> list[Match]:
    """Every entity with a name matching ``text`` (case-insensitive), best first.

    Exact matches of a label, short name, code or pinyin come first; then, by kind of entity
    (see CLASS_ORDER), names that start with the text, then names that contain it.
    """
    idx = index(kg)
    folded = _fold(text)
    if not folded:
        return []
    best: dict[str, tuple[int, int, int, Entry]] = {}
    bare = folded.replace(" ", "")
    latin = _latin(folded)
    for e in idx.exact(folded, latin):
        key = (0, _HOW_ORDER[e.how], len(e.shown), e)
        if e.iri not in best or key[:3] < best[e.iri][:3]:
            best[e.iri] = key
    for e in idx.searchable(latin):
        if e.iri in best and best[e.iri][0] == 0:
            continue
        pos = e.key.find(bare if e.how == "pinyin" else folded)
        if pos < 0:
            continue
        key = (1 if pos == 0 else 2, _HOW_ORDER[e.how], len(e.shown), e)
        if e.iri not in best or key[:3] < best[e.iri][:3]:
            best[e.iri] = key
    found = [Match(iri, q, e) for iri, (q, _, _, e) in best.items()]
    found.sort(key=lambda m: (m.quality > 0, idx.rank(m.iri)[0], m.quality, idx.rank(m.iri)[1],
                              _HOW_ORDER[m.entry.how], len(m.entry.shown), ns.curie(m.iri)))
    return found


def search(kg: KnowledgeGraph, text: str, limit: int = 50) -> tuple[list[str], list[list[str]]]:
    """Entities whose zh/en label, short name, code or pinyin contains ``text`` (case-insensitive),
    best first (see :func:`matches`). The ``matched`` column shows the name that matched, pinyin
    in its common reading."""
    idx = index(kg)
    rows = [[ns.curie(m.iri), idx.main_class(m.iri), kg.label(m.iri, "zh"), kg.label(m.iri, "en"),
             f"{m.entry.how}: {m.entry.shown}"] for m in matches(kg, text)[:limit]]
    return ["entity", "class", "label_zh", "label_en", "matched"], rows


def _exists(kg: KnowledgeGraph, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(True for _ in kg.store.quads_for_pattern(node, None, None)) or any(
        True for _ in kg.store.quads_for_pattern(None, None, node)
    )


def describe(kg: KnowledgeGraph, iri: str) -> str:
    """``curie  zh-label / en-label`` for suggestion lists."""
    return f"{ns.curie(iri)}  {kg.label(iri, 'zh')} / {kg.label(iri, 'en')}"


def resolve(kg: KnowledgeGraph, text: str, prefer: str | None = None) -> str:
    """Return the IRI named by ``text`` (IRI, CURIE, label, short name, code or pinyin).

    ``prefer`` is a class CURIE (e.g. ``zg:ProvinceLevelRegion``): candidates of that class or a
    subclass win, and the name is ambiguous only among them. Raises UnknownEntity listing the
    candidates (ambiguous) or the most similar names, best first (unknown).
    """
    text = text.strip()
    iri = text[1:-1] if text.startswith("<") and text.endswith(">") else (
        text if text.startswith(("http://", "https://")) else ns.expand(text))
    if iri:
        if _exists(kg, iri):
            return iri  # an IRI or CURIE that is there: no need to read every name
        idx = index(kg)
        known = sorted({ns.curie(e.iri) for e in idx.names})
        import difflib  # only for suggestions: a cold command that resolves a name skips it

        close = difflib.get_close_matches(ns.curie(iri), known, n=5)
        raise UnknownEntity(text, [describe(kg, ns.iri(c)) for c in close])
    idx = index(kg)
    found = matches(kg, text)
    exact = [m.iri for m in found if m.quality == 0]
    partial = [m.iri for m in found if m.quality > 0]
    tries = [(True, exact), (False, partial)]
    if prefer:  # the expected class first, exact before partial; then anything
        tries = [(x, [i for i in g if idx.is_a(i, prefer)]) for x, g in tries] + tries
    for is_exact, group in tries:
        if not group:
            continue
        if len(group) == 1:
            return group[0]
        chosen = _pick_exact(idx, text, group) if is_exact else _one_named(idx, group)
        if chosen:
            return chosen
        raise UnknownEntity(text, [describe(kg, i) for i in group[:10]], ambiguous=True)
    raise UnknownEntity(text, [describe(kg, i) for i in suggestions(kg, text)])


def _one_named(idx: Index, group: list[str]) -> str | None:
    # A fragment of a name is repeated in the labels of the statements about that entity
    # (links, observations); if only one candidate is not a statement, it is the one meant.
    named = [i for i in group if idx.rank(i)[0] < STATEMENT_BAND]
    return named[0] if len(named) == 1 else None


def _pick_exact(idx: Index, text: str, group: list[str]) -> str | None:
    folded = _fold(text)
    # The one whose preferred label matches wins over alternative names.
    preferred = [i for i in group if any(e.how == "label" and e.iri == i for e in idx.exact_names.get(folded, []))]
    if len(preferred) == 1:
        return preferred[0]
    # 北京市 names both the municipality (110000) and its prefecture-level entry (110100): a
    # name shared by a region and its own subdivisions means the highest of them.
    regions = [i for i in (preferred or group) if i.startswith(ns.PREFIXES["region"])]
    if len(regions) == len(preferred or group) > 1:
        top = max(regions, key=lambda i: (len(i) - len(i.rstrip("0")), -int(i[-6:])))
        if all(r[-6:].startswith(top[-6:].rstrip("0")) for r in regions):
            return top
    return None


def suggestions(kg: KnowledgeGraph, text: str, n: int = 5) -> list[str]:
    """The entities whose names are most similar to ``text``, best first (for unknown names)."""
    idx = index(kg)
    folded = _fold(text)
    chars = set(folded)
    scored: dict[str, float] = {}
    import difflib

    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(folded)  # the query side is analysed once (as difflib.get_close_matches does)
    for e in idx.searchable(_latin(folded)):
        if not chars & set(e.key):
            continue
        matcher.set_seq1(e.key)
        if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
            continue
        score = matcher.ratio()
        if score >= 0.5 and score > scored.get(e.iri, 0.0):
            scored[e.iri] = score
    return sorted(scored, key=lambda i: (-round(scored[i], 3), idx.rank(i), ns.curie(i)))[:n]


_FACTS = """
SELECT ?direction ?property ?value ?citation ?document ?locator WHERE {
  {
    GRAPH ?citation { ?entity ?property ?value }
    BIND("out" AS ?direction)
  } UNION {
    GRAPH ?citation { ?value ?property ?entity }
    BIND("in" AS ?direction)
  }
  FILTER(?citation != zgg:ontology)
  OPTIONAL { GRAPH zgg:sources { ?citation zg:document ?document . OPTIONAL { ?citation zg:locator ?locator } } }
}
"""


def facts(kg: KnowledgeGraph, iri: str, lang: str = "zh",
          as_of: int | None = None) -> tuple[list[str], list[list[str | None]]]:
    """Every statement with ``iri`` as subject (out) or object (in), one row per source.
    With ``as_of``, statements linking to entities not in force that year are left out."""
    from graph.network import facts_of  # networkx is slow to import; only --as-of needs it

    table: Table = kg.select(_FACTS, {"entity": ox.NamedNode(iri)})
    hidden = facts_of(kg).not_in_force(as_of) if as_of is not None else set()
    columns = ["direction", "property", "value", "value_label", "source", "locator", "citation"]
    rows = []
    for direction, prop, value, citation, document, locator in table.rows:
        if isinstance(value, ox.NamedNode) and ns.curie(value.value) in hidden:
            continue
        graph = citation.value
        if graph == ns.SOURCES_GRAPH:
            source = "(source metadata)"
        elif graph == ns.EDITORIAL_GRAPH:
            source = "(editorial translation)"
        elif graph == ns.VOCABULARY_GRAPH:
            source = "(vocabulary curation)"
        elif graph == ns.UNCITED_GRAPH:
            source = "(uncited: outside any named graph)"
        elif document is not None:
            source = kg.label(document.value, lang)
        else:
            source = "(uncited)"
        value_label = kg.label(value.value, lang) if isinstance(value, ox.NamedNode) else None
        rows.append([
            direction.value,
            ns.curie(prop.value),
            plain(value),
            value_label,
            source,
            plain(locator),
            ns.curie(graph),
        ])
    rows.sort(key=lambda r: (r[0] != "out", r[1], r[2] or "", r[6] or ""))
    return columns, rows
