"""``zonegraph bench``: the engine choice, measured. Loads the real data (optionally replicated to a
larger synthetic graph of the same shape) into pyoxigraph (the engine behind graph.store) and into
rdflib's in-memory Dataset, runs every named query on both, and prints times and their ratio."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import pyoxigraph as ox

from graph import ns
from graph.queries import bind_params, named_queries
from graph.store import KnowledgeGraph, bind_values, materialise_union

SUFFIX = "~r"


@dataclass
class Timing:
    task: str
    oxigraph_ms: float
    rdflib_ms: float
    rows: int

    @property
    def ratio(self) -> float:
        return self.rdflib_ms / self.oxigraph_ms if self.oxigraph_ms else float("inf")  # nan: rdflib failed


def _replicate(quads: list[ox.Quad], copies: int) -> list[ox.Quad]:
    """The data ``copies`` times; copy i>0 renames every project IRI with a suffix."""

    def rename(term, i):
        if (i and isinstance(term, ox.NamedNode) and term.value.startswith(ns.BASE)
                and not term.value.startswith(ns.PREFIXES["zgg"])):  # sources/editorial stay shared
            return ox.NamedNode(f"{term.value}{SUFFIX}{i}")
        return term

    out = []
    for i in range(copies):
        for q in quads:
            g = q.graph_name if isinstance(q.graph_name, ox.DefaultGraph) else rename(q.graph_name, i)
            out.append(ox.Quad(rename(q.subject, i), q.predicate, rename(q.object, i), g))
    return out


def _median_ms(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def run(kg: KnowledgeGraph, copies: int = 1, repeat: int = 3, progress=None) -> tuple[int, list[Timing]]:
    """``progress``: optional callable given one line per measurement as it starts."""
    import rdflib

    from graph import entities

    base = [q for q in kg.store if not isinstance(q.graph_name, ox.DefaultGraph)]
    quads = _replicate(base, copies)
    nquads = "".join(f"{q} .\n" for q in quads).encode("utf-8")
    timings = []

    def load_ox():
        store = ox.Store()
        store.load(nquads, format=ox.RdfFormat.N_QUADS)
        materialise_union(store)  # the same set-union default graph graph.store builds
        return store

    def load_rdflib():
        ds = rdflib.Dataset(default_union=True)
        ds.parse(data=nquads, format="nquads")
        return ds

    say = progress or (lambda message: None)
    say(f"loading {len(quads)} quads into pyoxigraph and rdflib, {repeat} time(s) each")
    ox_ms, store = _median_ms(load_ox, repeat)
    rl_ms, ds = _median_ms(load_rdflib, repeat)
    timings.append(Timing(f"load {len(quads)} quads", ox_ms, rl_ms, len(quads)))
    queries = named_queries()
    for i, (name, q) in enumerate(queries.items(), 1):
        say(f"query {i}/{len(queries)}: {name}")
        params = bind_params(q, q.example_params(), lambda text: entities.resolve(kg, text))
        if q.uses_lang:
            params["lang"] = ox.Literal("zh")
        text = bind_values(q.text, params)
        ox_ms, ox_rows = _median_ms(lambda: list(store.query(text, prefixes=ns.PREFIXES)), repeat)
        try:
            rl_ms, _ = _median_ms(lambda: list(ds.query(text, initNs=ns.PREFIXES)), repeat)
        except Exception:  # rdflib cannot evaluate some valid queries (e.g. aggregates over unbound)
            rl_ms = float("nan")
        timings.append(Timing(f"query {name}", ox_ms, rl_ms, len(ox_rows)))
    return len(quads), timings
