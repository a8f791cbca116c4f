"""``zonegraph bench``: the engine choice, measured. Loads the real data (optionally replicated to a
larger synthetic graph of the same shape) into pyoxigraph (the engine behind graph.store) and into
rdflib's in-memory Dataset, runs every named query on both, and prints times and their ratio."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import pyoxigraph as ox

from graph import ns
from graph.queries import named_queries
from graph.store import KnowledgeGraph, materialise_union



@dataclass
class Timing:
    task: str
    oxigraph_ms: float
    rdflib_ms: float
    rows: int
    growth: float | None = None  # pyoxigraph time at ``copies`` over its time at one copy

    @property
    def ratio(self) -> float:
        return self.rdflib_ms / self.oxigraph_ms if self.oxigraph_ms else float("inf")  # nan: rdflib failed


def _replicate(quads: list[ox.Quad], copies: int) -> list[ox.Quad]:
    """The data ``copies`` times, copied as ``bench --scale`` copies it (graph.scalebench): copy i>0
    renames every project IRI and gives its regions synthetic codes."""
    from graph.scalebench import copy_quads, region_index

    index = region_index(quads)
    return [q for i in range(copies) for q in copy_quads(quads, i, index)]


def _median_ms(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _oxigraph_store(quads: list[ox.Quad]) -> ox.Store:
    """Quads loaded the way ``run`` loads the replicated graph (N-Quads text, then the union), so
    that a query's time at one copy and at N copies come from stores built alike."""
    store = ox.Store()
    store.load("".join(f"{q} .\n" for q in quads).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    materialise_union(store)  # the same set-union default graph graph.store builds
    return store


def _query_texts(kg: KnowledgeGraph) -> dict[str, str]:
    from graph.api import named_text

    return {name: named_text(kg, name, q.example_params()) for name, q in named_queries().items()}


def run(kg: KnowledgeGraph, copies: int = 1, repeat: int = 3, rdflib: bool = True,
        progress=None) -> tuple[int, list[Timing]]:
    """Load and query times in pyoxigraph and rdflib at ``copies`` times the data; with
    ``copies`` > 1 each query also gets its growth: its time over its time at one copy, which
    stays near ``copies`` when it grows linearly with the data. ``progress``: optional callable
    given one line per measurement as it starts."""
    import rdflib as rdflib_module

    base = [q for q in kg.store if not isinstance(q.graph_name, ox.DefaultGraph)]
    quads = _replicate(base, copies)
    nquads = "".join(f"{q} .\n" for q in quads).encode("utf-8")
    texts = _query_texts(kg)
    timings = []

    def load_ox():
        store = ox.Store()
        store.load(nquads, format=ox.RdfFormat.N_QUADS)
        materialise_union(store)  # the same set-union default graph graph.store builds
        return store

    def load_rdflib():
        ds = rdflib_module.Dataset(default_union=True)
        ds.parse(data=nquads, format="nquads")
        return ds

    say = progress or (lambda message: None)
    small = _oxigraph_store(_replicate(base, 1)) if copies > 1 else None
    nan = float("nan")
    say(f"loading {len(quads)} quads into pyoxigraph{' and rdflib' if rdflib else ''}, {repeat} time(s) each")
    ox_ms, store = _median_ms(load_ox, repeat)
    rl_ms, ds = _median_ms(load_rdflib, repeat) if rdflib else (nan, None)
    timings.append(Timing(f"load {len(quads)} quads", ox_ms, rl_ms, len(quads)))
    for i, (name, text) in enumerate(texts.items(), 1):
        say(f"query {i}/{len(texts)}: {name}")
        growth = None
        if small is not None:
            # one copy and N copies in alternation, so drift in the machine's speed hits both alike
            pairs = [(_median_ms(lambda: list(small.query(text, prefixes=ns.PREFIXES)), 1)[0],
                      _median_ms(lambda: list(store.query(text, prefixes=ns.PREFIXES)), 1)[0]) for _ in range(repeat)]
            growth = statistics.median(b for _, b in pairs) / max(statistics.median(a for a, _ in pairs), 1e-6)
        ox_ms, ox_rows = _median_ms(lambda: list(store.query(text, prefixes=ns.PREFIXES)), repeat)
        rl_ms = nan
        if ds is not None:
            try:
                rl_ms, _ = _median_ms(lambda: list(ds.query(text, initNs=ns.PREFIXES)), repeat)
            except Exception:  # rdflib cannot evaluate some valid queries (e.g. aggregates over unbound)
                pass
        timings.append(Timing(f"query {name}", ox_ms, rl_ms, len(ox_rows), growth))
    return len(quads), timings
