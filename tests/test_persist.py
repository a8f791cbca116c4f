"""The persistent store: same dataset as the in-memory load, union as a set, rebuilt on change."""

from __future__ import annotations

import json

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
    assert messages and first.path.name in messages[0] and "data/mini.trig changed" in messages[0]
    # the stale store is gone and no temporary folder is left behind
    assert sorted(p.name for p in (mini_root / ".zonegraph").iterdir()) == ["manifest.json", rebuilt.path.name]


def test_a_broken_file_leaves_no_store(mini_root):
    (mini_root / "data" / "bad.trig").write_text("<a> <b> .\n", encoding="utf-8")
    try:
        persist.ensure_store(mini_root)
    except graph.errors.DataSyntaxError as err:
        assert "data/bad.trig" in str(err)
    else:
        raise AssertionError("a malformed data file must not give a store")
    assert not list((mini_root / ".zonegraph").glob("store-*")) if (mini_root / ".zonegraph").exists() else True


def _edit(root, text):
    data = root / "data" / "mini.trig"
    data.write_text(data.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_commands_open_the_store_and_an_edit_is_seen_by_the_next_command(mini_root, run):
    first = run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-F", "csv", root=mini_root)
    assert first.exit_code == 0 and first.stderr == ""  # a first store is written silently
    stores = list((mini_root / ".zonegraph").glob("store-*"))
    assert len(stores) == 1
    _edit(mini_root, '\n<https://w3id.org/zonegraph/id/cite/edit> { <urn:x:edited> <urn:x:p> "new" . }\n')
    after = run("query", "SELECT ?o WHERE { <urn:x:edited> ?p ?o }", "-F", "csv", root=mini_root)
    assert after.exit_code == 0
    assert after.stdout.splitlines() == ["o", "new"]  # the edited file's statement, not the old store's
    assert "rebuilding the store: data/mini.trig changed" in after.stderr
    # the next command opens the rebuilt store without a word
    again = run("query", "SELECT ?o WHERE { <urn:x:edited> ?p ?o }", "-F", "csv", root=mini_root)
    assert again.stdout == after.stdout and again.stderr == ""
    assert [p.name for p in (mini_root / ".zonegraph").glob("store-*")] != [stores[0].name]


def test_store_backed_graph_answers_like_the_loaded_one(mini_root):
    disk, info = persist.open_graph(mini_root)
    disk, info = persist.open_graph(mini_root)  # the second open reads the store from disk
    assert not info.built and disk.store_path == info.path
    mem = graph.load(mini_root)
    q = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l"
    assert disk.select(q).rows == mem.select(q).rows
    # which file states what is read from the data files when a message needs it
    some = "https://w3id.org/zonegraph/id/zone/testzone"
    assert disk.files_of(some) == mem.files_of(some) == ["data/mini.trig"]
    statement = (ox.NamedNode(some), ox.NamedNode(graph.ns.RDF_TYPE),
                 ox.NamedNode(graph.ns.VOCAB + "DemonstrationZone"))
    by_statement, by_subject = disk.locate({statement}, {some})
    assert by_statement == {statement: {"data/mini.trig"}} and by_subject == {some: {"data/mini.trig"}}
    # a bounded query runs in a forked worker that opens its own handle on the store
    rows = graph.api.collect(graph.stream_query(disk, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=30))
    assert int(rows.rows[0][0].value) == len(mem.store) - sum(
        1 for q in mem.store if not isinstance(q.graph_name, ox.DefaultGraph))


def test_unchanged_files_reuse_the_recorded_digest_and_a_changed_one_is_hashed(mini_root, monkeypatch):
    real = persist.digest(mini_root)
    manifest = mini_root / ".zonegraph" / "manifest.json"
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    assert recorded["digest"] == real
    # files as recorded, long enough before the manifest: its digest is trusted (nothing re-read)
    recorded["digest"] = "0" * 16
    recorded["written_ns"] += 10 * 10**9
    manifest.write_text(json.dumps(recorded), encoding="utf-8")
    assert persist.digest(mini_root) == "0" * 16
    # an edit changes the file's time: hashed again
    _edit(mini_root, "\n# edited\n")
    assert persist.digest(mini_root) not in ("0" * 16, real)


def test_a_file_written_just_before_the_manifest_is_hashed_again(mini_root):
    persist.digest(mini_root)
    manifest = mini_root / ".zonegraph" / "manifest.json"
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    recorded["digest"] = "0" * 16  # the files were written within RACY_SECONDS of it: not trusted
    manifest.write_text(json.dumps(recorded), encoding="utf-8")
    assert persist.digest(mini_root) != "0" * 16


def test_a_crash_while_rebuilding_keeps_the_old_store_and_leaves_no_half_one(mini_root, monkeypatch):
    old = persist.ensure_store(mini_root)
    _edit(mini_root, "\n# edited\n")

    class Crash(Exception):
        pass

    def crash(self, quads):
        raise Crash("power cut")

    monkeypatch.setattr(ox.Store, "bulk_extend", crash)
    try:
        persist.ensure_store(mini_root)
    except Crash:
        pass
    else:
        raise AssertionError("the rebuild was meant to crash")
    monkeypatch.undo()
    left = sorted(p.name for p in (mini_root / ".zonegraph").iterdir())
    assert left == ["manifest.json", old.path.name]  # the old store, usable; no temporary folder
    assert len(persist.open_read_only(old.path)) > 0
    rebuilt = persist.ensure_store(mini_root)
    assert rebuilt.built and rebuilt.path != old.path
