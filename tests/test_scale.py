"""Scale: the replicated roots of `bench --scale`, and answers that stay per-entity as the data grows."""

from __future__ import annotations

import importlib

import pyoxigraph

import graph
from graph import scalebench

from tests.conftest import REPO

stats_module = importlib.import_module("graph.stats")


def test_replicated_root_is_n_disjoint_valid_copies(tmp_path):
    root = scalebench.make_root(REPO, 2, tmp_path / "x2")
    one, two = graph.load(REPO), graph.load(root)
    shared = graph.ns.PREFIXES["zgg"]  # sources/editorial graphs: shared by the copies
    cited = lambda kg: sum(1 for q in kg.quads() if not q.graph_name.value.startswith(shared))  # noqa: E731
    assert cited(two) == 2 * cited(one)
    report = graph.validate(two, shacl=False)
    assert report.problems == []  # copies' regions are keyed by (synthetic) codes, as the checks ask
    # copy 1's 朝阳市 is its own region, with a code GB/T 2260 does not use
    codes = [r[0].value for r in two.select(
        'SELECT ?c WHERE { ?r rdfs:label "朝阳市"@zh ; zg:divisionCode ?c } ORDER BY ?c').rows]
    assert codes[0] == "211300" and len(codes) == 2 and codes[1].startswith("9")


def test_zone_completeness_of_each_copy_equals_the_original(tmp_path):
    """One query per field for all zones (GROUP BY) gives each zone what it gives it alone."""
    kg = graph.load(scalebench.make_root(REPO, 2, tmp_path / "x2"))
    rows = {r["zone"]: r for r in stats_module.zone_completeness(kg)}
    assert len(rows) == 26
    for zone, row in rows.items():
        if "~r1" in zone:
            iri = (graph.ns.expand(zone) or zone).replace(f"{scalebench.SUFFIX}1", "")
            original = rows[graph.ns.curie(iri)]
            assert {k: v for k, v in row.items() if k != "zone"} == \
                {k: v for k, v in original.items() if k != "zone"}, zone
    assert rows["zone:mengdong"]["member_source_regions"]["values"] >= 1


def test_bench_scale_times_whole_processes(mini_root, tmp_path):
    runs = scalebench.run(mini_root, [1, 2], tmp_path / "work", commands=[("stats", ["stats"])])
    assert [(r.command, r.scale, r.status) for r in runs] == [("stats", 1, 0), ("stats", 2, 0)]
    assert all(r.seconds > 0 and r.peak_mb > 10 for r in runs)
    columns, rows = scalebench.table(runs)
    assert columns == ["command", "1x_s", "1x_peak_MB", "2x_s", "2x_peak_MB", "2x_growth"]
    assert rows[0][0] == "stats" and rows[0][-1].endswith("x")


def test_build_takes_iris_that_no_prefix_compacts(mini_root, tmp_path, run):
    """Copies' IRIs end in '~r1', which no CURIE can hold: every writer must carry the full IRI
    (the views once crashed on an industry named that way)."""
    root = scalebench.make_root(mini_root, 2, tmp_path / "x2")
    result = run("build", "--out", tmp_path / "out", root=root)
    assert result.exit_code == 0, result.output
    site = tmp_path / "out" / "site"
    data = (site / "views" / "overview.html").read_text(encoding="utf-8")
    assert f"{scalebench.SUFFIX}1" in data
    # the copy's entities get pages and views of their own, under their prefix's folder (the page of
    # zone:testzone's copy was missing, and its view was written to views/zone-/w3id.org/…)
    slug = graph.ns.slug(f"testzone{scalebench.SUFFIX}1")
    assert slug == "testzone~7e~r1"
    assert (site / "e" / "zone" / "testzone.html").is_file() and (site / "e" / "zone" / f"{slug}.html").is_file()
    assert (site / "views" / f"zone-{slug}.html").is_file()
    assert sorted(p.name for p in (site / "views").iterdir() if p.is_dir()) == []
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f"e/zone/{slug}.html" in index and f"views/zone-{slug}.html" in index
    assert f"e/zone/{slug}.html" in (site / "query.html").read_text(encoding="utf-8")  # results link to it
    zones = [line for line in (tmp_path / "out" / "zonegraph.gexf").read_text(encoding="utf-8").splitlines()
             if "<node " in line and ("/id/zone/" in line or 'id="zone:' in line)]
    assert len(zones) == 2, zones


def test_bench_scale_sets_the_cold_query_against_a_bare_pyoxigraph_script(mini_root, tmp_path):
    """The cold-start baseline: a script that opens the same store with pyoxigraph alone and runs
    the same query; both are medians of several processes."""
    commands = [c for c in scalebench.COMMANDS if c[0] in (scalebench.COLD_LABEL, scalebench.BARE_LABEL)]
    runs = scalebench.run(mini_root, [1], tmp_path / "work", commands=commands)
    assert [(r.command, r.status) for r in runs] == [(scalebench.COLD_LABEL, 0), (scalebench.BARE_LABEL, 0)]
    query = (tmp_path / "work" / "x1" / "zones-query.rq").read_text(encoding="utf-8")
    assert query.startswith("PREFIX ") and "?lang" not in query


def test_bench_scale_table_says_the_cold_start_over_the_bare_script():
    runs = [scalebench.Run(scalebench.COLD_LABEL, 1, 0.045, 30, 0), scalebench.Run(scalebench.BARE_LABEL, 1, 0.036, 36, 0),
            scalebench.Run(scalebench.COLD_LABEL, 10, 0.09, 40, 0), scalebench.Run(scalebench.BARE_LABEL, 10, 0.06, 40, 0)]
    columns, rows = scalebench.table(runs)
    assert columns == ["command", "1x_s", "1x_peak_MB", "10x_s", "10x_peak_MB", "10x_growth"]
    assert rows[0][:2] == [scalebench.COLD_LABEL, "0.045"]  # under 0.1 s: three decimals, else 0.04 vs 0.05
    assert rows[2] == [scalebench.RATIO_LABEL, "1.25x", "-", "1.50x", "-", "-"]


def test_bench_scale_sets_loading_against_a_bulk_load_of_the_same_quads(mini_root, tmp_path):
    labels = ("query -n zones (writes the store)", scalebench.LOAD_LABEL, scalebench.BULK_LABEL)
    runs = scalebench.run(mini_root, [1], tmp_path / "work", commands=[c for c in scalebench.COMMANDS if c[0] in labels])
    assert [(r.command, r.status) for r in runs] == [(label, 0) for label in labels]
    loaded = graph.load(mini_root).store
    bulk = pyoxigraph.Store()
    bulk.bulk_load(path=str(tmp_path / "work" / "x1" / "all-quads.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    assert len(bulk) == len(loaded) and set(bulk) == set(loaded)  # the same quads, the union included
    assert scalebench.table(runs)[1][-1][0] == scalebench.LOAD_RATIO_LABEL
