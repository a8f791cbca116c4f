"""The library API: every CLI command is one call to a function here."""

from __future__ import annotations

import os
from pathlib import Path

from graph import entities
from graph.build import BuildResult
from graph.build import build as _build
from graph.queries import bind_params, get_query
from graph.stats import stats as _stats
from graph.store import KnowledgeGraph, Table, to_term
from graph.validate import Report
from graph.validate import validate as _validate

LANGS = ("zh", "en")


def load(root: str | os.PathLike[str] | None = None, progress=None) -> KnowledgeGraph:
    """Load the ontology and every data file (root: checkout folder; found automatically if None;
    ``progress``: optional callable given one line per stage)."""
    return KnowledgeGraph.load(root, progress=progress)


def _lang_param(sparql: str, lang: str) -> dict:
    import pyoxigraph as ox

    return {"lang": ox.Literal(lang)} if "?lang" in sparql else {}


def query(kg: KnowledgeGraph, sparql: str, params: dict[str, str] | None = None, lang: str = "zh",
          source: str = "query"):
    """Run SPARQL over the union of all graphs (``GRAPH ?g`` reaches the citations).

    ``params`` pre-bind variables (values are CURIEs, IRIs or literals); ``?lang`` is bound to
    ``lang``. SELECT returns a :class:`Table`, ASK a bool, CONSTRUCT a list of triples.
    """
    bound = {k: to_term(v) for k, v in (params or {}).items()}
    return kg.run(sparql, {**_lang_param(sparql, lang), **bound}, source=source)


def run_named_query(kg: KnowledgeGraph, name: str, params: dict[str, str] | None = None,
                    lang: str = "zh") -> Table:
    """Run a shipped ``graph/queries/NAME.rq`` with its declared parameters."""
    named = get_query(name)
    bound = bind_params(named, params or {}, lambda text: entities.resolve(kg, text))
    return kg.select(named.text, {**_lang_param(named.text, lang), **bound}, source=f"query {name}")


def show(kg: KnowledgeGraph, entity: str, lang: str = "zh",
         as_of: int | None = None) -> tuple[str, list[str], list[list]]:
    """Every fact about ``entity`` (IRI, CURIE or label), outgoing and incoming, with its source.
    ``as_of``: leave out memberships, zones, documents and projects not in force that year."""
    iri = entities.resolve(kg, entity)
    columns, rows = entities.facts(kg, iri, lang, as_of)
    return iri, columns, rows


def search(kg: KnowledgeGraph, text: str, limit: int = 50) -> tuple[list[str], list[list]]:
    """Entities whose zh/en label, short name or pinyin contains ``text``."""
    return entities.search(kg, text, limit)


def validate(kg: KnowledgeGraph, shacl: bool = True, progress=None) -> Report:
    """Run every check; ``report.conforms`` is True only with no problem and 100% citation coverage.
    ``progress``: optional callable given one line per stage."""
    return _validate(kg, shacl=shacl, progress=progress)


def stats(kg: KnowledgeGraph) -> dict:
    """Counts per class and property, citation coverage, and per-zone completeness."""
    return _stats(kg)


def build(kg: KnowledgeGraph, out: str | os.PathLike[str] | Path | None = None, bom: bool = False,
          progress=None) -> BuildResult:
    """Validate, then write every export into ``out`` (default: the root's exports/) atomically
    (``bom``: CSVs with a UTF-8 BOM for Excel; ``progress``: optional callable given one line per stage)."""
    return _build(kg, out, bom=bom, progress=progress)


def trace(kg: KnowledgeGraph, source: str, target: str | None = None, industry: str | None = None,
          as_of: int | None = None, mode: str | None = None, max_hops: int = 5, limit: int = 10):
    """Chains linking ``source`` to ``target`` (names, CURIEs or IRIs), each hop with its evidence.
    ``mode``: None, "declared" or "realised". Returns a :class:`graph.tracing.TraceResult`."""
    from graph.tracing import trace as _trace

    return _trace(kg, source, target, industry, as_of, mode, max_hops, limit)


def analyze(kg: KnowledgeGraph, lang: str = "zh", as_of: int | None = None):
    """Network analytics: a list of ``(title, columns, rows)`` tables."""
    from graph.analytics import analyze as _analyze

    return _analyze(kg, lang, as_of)


def to_networkx(kg: KnowledgeGraph, as_of: int | None = None):
    """The typed hop multigraph (networkx) with classes, labels, relations, dates and sources."""
    from graph.network import to_networkx as _to_networkx

    return _to_networkx(kg, as_of=as_of)
