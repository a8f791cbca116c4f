"""The library API: every CLI command is one call to a function here."""

from __future__ import annotations

import os
from pathlib import Path

from graph.queries import bind_params, get_query
from graph.store import KnowledgeGraph, Table, to_term

# Imported where used: a command pays only for what it runs (validation pulls in rdflib and pySHACL,
# the build the site writers, the worker only bounded queries).
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a cold query's imports)
if TYPE_CHECKING:
    from graph.build import BuildResult
    from graph.validate import Report
    from graph.worker import QueryStream

LANGS = ("zh", "en")


def load(root: str | os.PathLike[str] | None = None, progress=None) -> KnowledgeGraph:
    """Load the ontology and every data file (root: checkout folder; found automatically if None;
    ``progress``: optional callable given one line per stage)."""
    return KnowledgeGraph.load(root, progress=progress)


def open(root: str | os.PathLike[str] | None = None, progress=None, log=None) -> KnowledgeGraph:
    """The graph as the commands use it: the persistent store on disk (graph.persist), opened in
    milliseconds when fresh and written first when the ontology or a data file changed (``log``
    is told so). ``ZONEGRAPH_STORE=memory`` parses the data into memory instead, as :func:`load`."""
    from graph import persist

    if persist.memory_only():
        return load(root, progress=progress)
    return persist.open_graph(root, log=log, progress=progress)[0]


def _lang_param(sparql: str, lang: str) -> dict:
    import pyoxigraph as ox

    return {"lang": ox.Literal(lang)} if "?lang" in sparql else {}


# Ad-hoc SPARQL is bounded by default: a mistyped join can run for hours. Named queries are written
# and benchmarked for the engine, so they run unbounded unless a timeout is given.
DEFAULT_TIMEOUT = 60.0
# What a bounded query may allocate beyond the loaded graph (Linux): far above what any query over
# this graph needs, far below what makes a laptop swap. Mirrors graph.worker.DEFAULT_MEMORY_MB.
DEFAULT_MEMORY_MB = 2048


def query(kg: KnowledgeGraph, sparql: str, params: dict[str, str] | None = None, lang: str = "zh",
          source: str = "query", timeout: float | None = None, limit: int | None = None):
    """Run SPARQL over the union of all graphs (``GRAPH ?g`` reaches the citations).

    ``params`` pre-bind variables (values are CURIEs, IRIs or literals); ``?lang`` is bound to
    ``lang``. SELECT returns a :class:`Table`, ASK a bool, CONSTRUCT a list of triples.
    With ``timeout`` (seconds) or ``limit`` (rows) the query runs bounded, as in :func:`stream_query`.
    """
    bound = {k: to_term(v) for k, v in (params or {}).items()}
    params_ = {**_lang_param(sparql, lang), **bound}
    if timeout is None and limit is None:
        return kg.run(sparql, params_, source=source)
    from graph import worker

    return collect(worker.stream(kg, sparql, params_, source=source, timeout=timeout, limit=limit))


def stream_query(kg: KnowledgeGraph, sparql: str, params: dict[str, str] | None = None, lang: str = "zh",
                 source: str = "query", timeout: float | None = DEFAULT_TIMEOUT,
                 limit: int | None = None, memory_mb: int | None = DEFAULT_MEMORY_MB) -> "QueryStream":
    """Start SPARQL in a worker that can be stopped; rows arrive as they are computed.

    ``timeout`` seconds (None or 0: none) bounds the whole run: past it, iterating raises
    :class:`graph.errors.QueryTimeout`; Ctrl-C raises :class:`graph.errors.QueryInterrupted`.
    ``limit`` stops after that many rows. ``memory_mb`` (Linux; None: no cap) is what the query may
    allocate beyond the loaded graph; past it the worker dies and :class:`graph.errors.QueryCrashed`
    says so. Use it as a context manager::

        with graph.stream_query(kg, "SELECT * WHERE { ?s ?p ?o }", timeout=10) as rows:
            for s, p, o in rows: ...
    """
    from graph import worker

    bound = {k: to_term(v) for k, v in (params or {}).items()}
    return worker.stream(kg, sparql, {**_lang_param(sparql, lang), **bound}, source=source,
                         timeout=timeout, limit=limit, memory_mb=memory_mb)


def bind_named(kg: KnowledgeGraph, name: str, params: dict[str, str] | None = None):
    """The named query and its parameters as terms (names resolved in ``kg``, by the class each
    parameter expects): the one place every runner of a named query binds it."""
    named = get_query(name)
    def resolve(text: str, prefer: str | None) -> str:
        from graph import entities

        return entities.resolve(kg, text, prefer)

    return named, bind_params(named, params or {}, resolve)


def named_text(kg: KnowledgeGraph, name: str, params: dict[str, str] | None = None, lang: str = "zh") -> str:
    """A named query as standalone SPARQL text with its parameters and ``lang`` written in (for
    another engine, a benchmark, an example page)."""
    from graph.store import bind_values

    named, bound = bind_named(kg, name, params)
    return bind_values(named.sparql(lang), bound)


def run_named_query(kg: KnowledgeGraph, name: str, params: dict[str, str] | None = None,
                    lang: str = "zh") -> Table:
    """Run a shipped ``graph/queries/NAME.rq`` with its declared parameters."""
    named, bound = bind_named(kg, name, params)
    return named.normalise(kg.select(named.sparql(lang), bound, source=f"query {name}"))


def stream_named_query(kg: KnowledgeGraph, name: str, params: dict[str, str] | None = None, lang: str = "zh",
                       timeout: float | None = None, limit: int | None = None,
                       memory_mb: int | None = DEFAULT_MEMORY_MB, standby=None) -> "QueryStream":
    """:func:`run_named_query` in a worker that can be stopped (see :func:`stream_query`);
    ``standby``: a :class:`graph.standby.Standby` to run it in."""
    from graph import worker

    named, bound = bind_named(kg, name, params)
    stream = worker.stream(kg, named.sparql(lang), bound, source=f"query {name}",
                           timeout=timeout, limit=limit, memory_mb=memory_mb, standby=standby)
    stream.transform = named.normalise_row
    return stream


def collect(stream: "QueryStream"):
    """Read a whole :class:`QueryStream`: a :class:`Table`, a bool (ASK) or a list of triples."""
    with stream:
        if stream.kind == "ask":
            return bool(stream.boolean)
        if stream.kind == "graph":
            return list(stream)
        return Table(list(stream.columns), list(stream))


def show(kg: KnowledgeGraph, entity: str, lang: str = "zh",
         as_of: int | None = None) -> tuple[str, list[str], list[list]]:
    """Every fact about ``entity`` (IRI, CURIE or any name), outgoing and incoming: one row per
    fact with its group, property CURIE and label, value, and sources aggregated.
    ``as_of``: leave out memberships, zones, documents and projects not in force that year."""
    from graph import reading as rd

    r = reading(kg, entity, lang, as_of)
    columns, rows = rd.fact_rows(r)
    return r.iri, columns, rows


def reading(kg: KnowledgeGraph, entity: str, lang: str = "zh", as_of: int | None = None):
    """The reading view of ``entity``: a :class:`graph.reading.Reading` (names, classes, grouped
    facts, a zone's members); ``graph.reading.render(r, width)`` lays it out for a terminal."""
    from graph import entities
    from graph import reading as rd

    return rd.reading(kg, entities.resolve(kg, entity), lang, as_of)


def search(kg: KnowledgeGraph, text: str, limit: int = 50) -> tuple[list[str], list[list]]:
    """Entities whose zh/en label, short name, code or pinyin contains ``text``, best first."""
    from graph import entities

    return entities.search(kg, text, limit)


def validate(kg: KnowledgeGraph, shacl: bool = True, progress=None) -> Report:
    """Run every check; ``report.conforms`` is True only with no problem and 100% citation coverage.
    ``progress``: optional callable given one line per stage."""
    from graph.validate import validate as _validate

    return _validate(kg, shacl=shacl, progress=progress)


def stats(kg: KnowledgeGraph) -> dict:
    """Counts per class and property, citation coverage, and per-zone completeness."""
    from graph.stats import stats as _stats

    return _stats(kg)


def build(kg: KnowledgeGraph, out: str | os.PathLike[str] | Path | None = None, bom: bool = False,
          progress=None) -> BuildResult:
    """Validate, then write every export into ``out`` (default: the root's exports/) atomically
    (``bom``: CSVs with a UTF-8 BOM for Excel; ``progress``: optional callable given one line per stage)."""
    from graph.build import build as _build

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

    import networkx as nx

    return nx.MultiGraph(_to_networkx(kg, as_of=as_of))  # the caller's own copy, free to change


def curate(kg: KnowledgeGraph, path: str | os.PathLike[str], document: str | None = None):
    """Curation help for the UTF-8 text or HTML file at ``path``: ``(columns, rows, draft_trig)``, the
    review table (entities, candidates, proposed facts with their status) and the draft TriG."""
    from graph import curate as cu

    result = cu.curate(kg, path, document)
    return cu.COLUMNS, cu.rows(kg, result), cu.draft_trig(kg, result)
