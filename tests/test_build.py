"""Exports: complete, deterministic, atomic, and the committed exports/ is fresh."""

import filecmp
import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib

import graph
from graph.build import MARKER, render_exports
from graph.errors import ValidationFailed
from tests.conftest import BROKEN, REPO, make_root

EXPECTED = {"zonegraph.ttl", "zonegraph.nt", "zonegraph.trig", "zonegraph.nq", "zonegraph.jsonld",
            "zonegraph.graphml", "zonegraph.gexf", "kgx_nodes.tsv", "kgx_edges.tsv", "panel_zone_industry_year.csv",
            "panel_source_zone_industry.csv", "panel_projects.csv", "panel_city_year.csv", "regions.geojson",
            "parks_projects.geojson",
            "nodes.csv", "edges.csv", "statements.csv", "void.ttl", "stats.json", "stats.md", "ontology.ttl"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("exports") / "exports"
    graph.build(graph.load(REPO), out)
    return out


def test_build_writes_every_export(built):
    assert {p.name for p in built.iterdir()} == EXPECTED | {"site", MARKER}
    assert (built / "site" / "index.html").is_file()


def _tree(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_committed_exports_are_fresh(built):
    committed = REPO / "exports"
    names = _tree(built)
    missing = sorted(set(names) - set(_tree(committed)))
    extra = sorted(set(_tree(committed)) - set(names))
    _, mismatch, errors = filecmp.cmpfiles(committed, built, names, shallow=False)
    stale = mismatch + errors + missing + extra
    assert stale == [], f"exports/ is stale ({stale[:10]} …): run `zonegraph build` and commit exports/"


def test_two_builds_are_byte_identical_across_hash_seeds(tmp_path):
    code = ("import graph,sys; graph.build(graph.load(sys.argv[1]), sys.argv[2])")
    for seed, out in (("1", "a"), ("2", "b")):
        subprocess.run([sys.executable, "-c", code, str(REPO), str(tmp_path / out)], check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", _tree(tmp_path / "a"), shallow=False)
    assert mismatch == [] and errors == []


def test_rdf_exports_agree(built):
    triple = lambda q: (q.subject, q.predicate, q.object)  # noqa: E731
    nt = [triple(q) for q in ox.parse(path=str(built / "zonegraph.nt"), format=ox.RdfFormat.N_TRIPLES)]
    ttl = [triple(q) for q in ox.parse(path=str(built / "zonegraph.ttl"), format=ox.RdfFormat.TURTLE)]
    nq = list(ox.parse(path=str(built / "zonegraph.nq"), format=ox.RdfFormat.N_QUADS))
    trig = list(ox.parse(path=str(built / "zonegraph.trig"), format=ox.RdfFormat.TRIG))
    assert set(nt) == set(ttl)
    assert set(nq) == set(trig)
    assert {triple(q) for q in nq} == set(nt)
    jsonld = rdflib.Graph().parse(built / "zonegraph.jsonld", format="json-ld")
    assert len(jsonld) == len(nt)


def test_jsonld_uses_the_project_context(built):
    doc = json.loads((built / "zonegraph.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"]["zone"] == "https://w3id.org/zonegraph/id/zone/"
    ids = [node["@id"] for node in doc["@graph"]]
    assert ids == sorted(ids) and "zone:liaoxibei" in ids


def test_csv_exports_carry_sources(built):
    edges = (built / "edges.csv").read_text(encoding="utf-8").splitlines()
    assert edges[0] == ("subject,predicate,object,object_kind,subject_label_zh,object_label_zh,citation,"
                        "document,document_title,locator,url")
    assert any(line.startswith("mem:liaoxibei--211300,zg:member,region:211300,iri,") for line in edges)
    nodes = (built / "nodes.csv").read_text(encoding="utf-8")
    assert "\nregion:211300,https://w3id.org/zonegraph/id/region/211300,zg:PrefectureLevelRegion,朝阳市,Chaoyang City," in nodes


def test_void_counts_match(built):
    void = rdflib.Graph().parse(built / "void.ttl", format="turtle")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    triples = int(void.value(rdflib.URIRef("https://w3id.org/zonegraph/id/dataset"), VOID.triples))
    assert triples == len((built / "zonegraph.nt").read_text(encoding="utf-8").splitlines())


def test_failed_validation_leaves_exports_untouched(tmp_path, run):
    root = make_root(tmp_path, BROKEN / "shacl.trig")
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("", encoding="utf-8")  # a previous export
    (out / "zonegraph.nt").write_text("previous\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        graph.build(graph.load(root), out)
    result = run("build", "--out", out, root=root)
    assert result.exit_code == 1 and "build refused" in result.stderr
    assert (out / "zonegraph.nt").read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "root"]  # no temp folder left


def test_malformed_data_exits_2_and_leaves_exports_untouched(tmp_path, run):
    root = make_root(tmp_path, BROKEN / "malformed.trig.txt")
    out = tmp_path / "out"
    out.mkdir()
    (out / "zonegraph.nt").write_text("previous\n", encoding="utf-8")
    result = run("build", "--out", out, root=root)
    assert result.exit_code == 2 and "data/malformed.trig:6:" in result.stderr
    assert (out / "zonegraph.nt").read_text(encoding="utf-8") == "previous\n"


def test_interrupted_write_leaves_exports_untouched(tmp_path, monkeypatch, mini):
    out = tmp_path / "out"
    graph.build(mini, out)
    before = {name: (out / name).read_bytes() for name in _tree(out)}
    calls = {"n": 0}
    real = type(out).write_text

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # e.g. Ctrl-C half-way through
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(out), "write_text", flaky)
    with pytest.raises(KeyboardInterrupt):
        graph.build(mini, out)
    monkeypatch.undo()
    assert {name: (out / name).read_bytes() for name in _tree(out)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "root"]


def test_build_keeps_files_it_does_not_generate(tmp_path, mini):
    out = tmp_path / "out"
    graph.build(mini, out)
    (out / "README.txt").write_text("keep me", encoding="utf-8")
    graph.build(mini, out)
    assert (out / "README.txt").read_text(encoding="utf-8") == "keep me"


def test_mini_exports_render_without_validation_errors(mini):
    files = render_exports(mini)
    assert "zone:testzone" in files["zonegraph.ttl"]
