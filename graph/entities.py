"""Finding entities by IRI, CURIE or label, and listing every fact about one with its source."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pyoxigraph as ox

from graph import ns
from graph.errors import UnknownEntity
from graph.network import facts_of
from graph.store import KnowledgeGraph, Table, plain

_NAMES = """
SELECT ?e ?name ?how WHERE {
  VALUES ?how { rdfs:label skos:altLabel zg:pinyin }
  ?e ?how ?name .
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), "https://w3id.org/zonegraph/id/"))
}
"""


@dataclass(frozen=True)
class Name:
    iri: str
    text: str
    how: str  # label | altLabel | pinyin


def names(kg: KnowledgeGraph) -> list[Name]:
    cached = getattr(kg, "_names", None)
    if cached is None:
        rows = kg.select(_NAMES).rows
        cached = sorted({Name(e.value, n.value, ns.curie(h.value).split(":")[1]) for e, n, h in rows},
                        key=lambda n: (n.iri, n.how, n.text))
        kg._names = cached  # type: ignore[attr-defined]
    return cached


def _exists(kg: KnowledgeGraph, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(True for _ in kg.store.quads_for_pattern(node, None, None)) or any(
        True for _ in kg.store.quads_for_pattern(None, None, node)
    )


def describe(kg: KnowledgeGraph, iri: str) -> str:
    """``curie  zh-label / en-label`` for suggestion lists."""
    return f"{ns.curie(iri)}  {kg.label(iri, 'zh')} / {kg.label(iri, 'en')}"


def resolve(kg: KnowledgeGraph, text: str) -> str:
    """Return the IRI named by ``text`` (IRI, CURIE, or any label); raise UnknownEntity otherwise."""
    text = text.strip()
    iri = text[1:-1] if text.startswith("<") and text.endswith(">") else (
        text if text.startswith(("http://", "https://")) else ns.expand(text))
    all_names = names(kg)
    if iri:
        if _exists(kg, iri):
            return iri
        close = difflib.get_close_matches(ns.curie(iri), sorted({ns.curie(n.iri) for n in all_names}), n=5)
        raise UnknownEntity(text, [describe(kg, ns.expand(c) or c) for c in close])
    folded = text.casefold()
    exact = sorted({n.iri for n in all_names if n.text.casefold() == folded})
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        # Prefer the one whose preferred label matches over alternatives.
        preferred = sorted({n.iri for n in all_names if n.text.casefold() == folded and n.how == "label"})
        if len(preferred) == 1:
            return preferred[0]
        # 北京市 names both the municipality (110000) and its prefecture-level entry (110100): a
        # name shared by a region and its own subdivisions means the highest of them.
        regions = [i for i in preferred if i.startswith(ns.PREFIXES["region"])]
        if len(regions) == len(preferred) > 1:
            top = max(regions, key=lambda i: (len(i) - len(i.rstrip("0")), -int(i[-6:])))
            if all(r[-6:].startswith(top[-6:].rstrip("0")) for r in regions):
                return top
        raise UnknownEntity(text, [describe(kg, i) for i in exact], ambiguous=True)
    # Closest first: the shortest name containing the text.
    best: dict[str, int] = {}
    for n in all_names:
        if folded in n.text.casefold():
            best[n.iri] = min(best.get(n.iri, 10**6), len(n.text))
    partial = sorted(best, key=lambda i: (best[i], ns.curie(i)))
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise UnknownEntity(text, [describe(kg, i) for i in partial[:10]], ambiguous=True)
    texts = sorted({n.text for n in all_names})
    close = difflib.get_close_matches(text, texts, n=5, cutoff=0.5)
    iris = sorted({n.iri for n in all_names if n.text in close})
    raise UnknownEntity(text, [describe(kg, i) for i in iris])


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


def search(kg: KnowledgeGraph, text: str, limit: int = 50) -> tuple[list[str], list[list[str]]]:
    """Entities whose zh/en label, alternative name or pinyin contains ``text`` (case-insensitive)."""
    from graph.pinyin import pinyin_forms

    folded = text.strip().casefold()
    hits: dict[str, tuple[int, str]] = {}
    candidates = [(n.iri, n.text, n.how) for n in names(kg)]
    for iri, zh in sorted({(n.iri, n.text) for n in names(kg) if n.how == "label"}):
        for form in pinyin_forms(zh):
            candidates.append((iri, form, "pinyin"))
    for iri, name, how in candidates:
        key = name.casefold()
        if folded and folded in key:
            rank = 0 if key == folded else 1 if key.startswith(folded) else 2
            best = hits.get(iri)
            if best is None or (rank, name) < best:
                hits[iri] = (rank, f"{how}: {name}")
    types = _types(kg)
    ordered = sorted(hits.items(), key=lambda kv: (kv[1][0], ns.curie(kv[0])))[:limit]
    rows = [[ns.curie(iri), types.get(iri, ""), kg.label(iri, "zh"), kg.label(iri, "en"), matched]
            for iri, (_, matched) in ordered]
    return ["entity", "class", "label_zh", "label_en", "matched"], rows


def _types(kg: KnowledgeGraph) -> dict[str, str]:
    table = kg.select("SELECT ?e (MIN(?c) AS ?class) WHERE { ?e a ?c } GROUP BY ?e")
    return {e.value: ns.curie(c.value) for e, c in table.rows}
