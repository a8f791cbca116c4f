"""The persistent store: same dataset as the in-memory load, union as a set, rebuilt on change."""

from __future__ import annotations

import pyoxigraph as ox

import graph
from graph import ns, persist


def _quads(store):
    return {str(q) for q in store}


def test_store_holds_exactly_the_loaded_dataset(mini_root):
    info = persist.ensure_store(mini_root)
    assert info.built and info.path.parent == mini_root / ".zonegraph"
    disk = persist.open_read_only(info.path)
    kg = graph.load(mini_root)
    assert _quads(disk) == _quads(kg.store)
    # the default graph is the union as a set: each distinct triple once
    default = [q for q in disk.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    named = {(q.subject, q.predicate, q.object) for q in disk if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert len(default) == len(named)
    graphs = {g.value for g in disk.named_graphs()}
    assert ns.ONTOLOGY_GRAPH in graphs and ns.SOURCES_GRAPH in graphs
    assert any("/cite/" in g or "/graph/" in g for g in graphs - {ns.ONTOLOGY_GRAPH, ns.SOURCES_GRAPH})


def test_fresh_store_is_reused_and_a_changed_file_rebuilds_it(mini_root):
    first = persist.ensure_store(mini_root)
    again = persist.ensure_store(mini_root)
    assert not again.built and again.path == first.path
    data = mini_root / "data" / "mini.trig"
    data.write_text(data.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    messages = []
    rebuilt = persist.ensure_store(mini_root, log=messages.append)
    assert rebuilt.built and rebuilt.path != first.path
    assert messages and first.path.name in messages[0]
    # the stale store is gone and no temporary folder is left behind
    assert sorted(p.name for p in (mini_root / ".zonegraph").iterdir()) == [rebuilt.path.name]


def test_a_broken_file_leaves_no_store(mini_root):
    (mini_root / "data" / "bad.trig").write_text("<a> <b> .\n", encoding="utf-8")
    try:
        persist.ensure_store(mini_root)
    except graph.errors.DataSyntaxError as err:
        assert "data/bad.trig" in str(err)
    else:
        raise AssertionError("a malformed data file must not give a store")
    assert not list((mini_root / ".zonegraph").glob("store-*")) if (mini_root / ".zonegraph").exists() else True
