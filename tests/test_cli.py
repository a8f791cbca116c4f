"""The CLI: output formats, show/search/stats, errors with exit codes, root discovery, docs."""

import csv
import io
import json
import os
import re

import pytest

from graph.cli import cli
from tests.conftest import REPO, make_root

INLINE = "SELECT ?m ?code WHERE { ?m a zg:Membership ; zg:zone zone:testzone ; zg:member/zg:divisionCode ?code } ORDER BY ?code"


@pytest.mark.parametrize("fmt,expected", [
    ("csv", "m,code\nmem:testzone--210900,210900\nmem:testzone--211300,211300\n"),
    ("tsv", "m\tcode\nmem:testzone--210900\t210900\nmem:testzone--211300\t211300\n"),
    ("markdown", "| m | code |\n|---|---|\n| mem:testzone--210900 | 210900 |\n| mem:testzone--211300 | 211300 |\n"),
    ("table", "m                     code\n--------------------  ------\nmem:testzone--210900  210900\nmem:testzone--211300  211300\n"),
])
def test_query_output_formats(run, mini_root, fmt, expected):
    result = run("query", INLINE, "-F", fmt, root=mini_root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected


def test_query_json_is_w3c_sparql_results_with_typed_terms(run, mini_root):
    q = ("SELECT ?m ?code ?label ?none WHERE { ?m a zg:Membership ; zg:zone zone:testzone ; "
         "zg:member ?r . ?r zg:divisionCode ?code ; rdfs:label ?label FILTER(LANG(?label) = 'zh') "
         "OPTIONAL { ?m zg:noSuchProperty ?none } } ORDER BY ?code")
    result = run("query", q, "-F", "json", root=mini_root)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["head"] == {"vars": ["m", "code", "label", "none"]}
    first = doc["results"]["bindings"][0]
    assert first["m"] == {"type": "uri", "value": "https://w3id.org/zonegraph/id/membership/testzone--210900"}
    assert first["code"] == {"type": "literal", "value": "210900"}
    assert first["label"]["xml:lang"] == "zh" and first["label"]["type"] == "literal"
    assert "none" not in first  # unbound variables are left out of a binding
    assert len(doc["results"]["bindings"]) == 2
    count = json.loads(run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?m a zg:Membership }", "-F", "json",
                           root=mini_root).stdout)
    assert count["results"]["bindings"] == [{"n": {"type": "literal", "value": "2",
                                                   "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
    ask = run("query", "ASK { zone:testzone a zg:DemonstrationZone }", "-F", "json", root=mini_root)
    assert json.loads(ask.stdout) == {"head": {}, "boolean": True}


def test_row_commands_json_uses_the_same_shape_with_plain_literals(run, mini_root):
    doc = json.loads(run("search", "朝阳", "-F", "json", root=mini_root).stdout)
    assert doc["head"]["vars"] == ["entity", "class", "label_zh", "label_en", "matched"]
    (row,) = [b for b in doc["results"]["bindings"] if b["entity"]["value"] == "region:211300"]
    assert row["entity"] == {"type": "literal", "value": "region:211300"}
    queries = json.loads(run("queries", "-F", "json").stdout)
    assert {"name", "summary", "params"} == set(queries["head"]["vars"])


def test_table_aligns_chinese(run, mini_root):
    out = run("query", "SELECT ?l WHERE { region:211300 rdfs:label ?l FILTER(LANG(?l)='zh') }",
              "-F", "table", root=mini_root).stdout
    assert out.splitlines()[1] == "------"  # 朝阳市 is three wide characters = six columns


def test_query_from_file_and_ask_and_construct(run, mini_root, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text(INLINE, encoding="utf-8")
    assert run("query", "-f", f, "-F", "csv", root=mini_root).stdout.count("\n") == 3
    assert run("query", "ASK { zone:testzone a zg:DemonstrationZone }", root=mini_root).stdout == "true\n"
    out = run("query", "CONSTRUCT { zone:testzone zg:province ?p } WHERE { zone:testzone zg:province ?p }",
              root=mini_root).stdout
    assert out == ("<https://w3id.org/zonegraph/id/zone/testzone> <https://w3id.org/zonegraph/def/province> "
                   "<https://w3id.org/zonegraph/id/region/210000> .\n")


def test_query_lang_binds_labels(run, mini_root):
    q = "SELECT ?l WHERE { zone:testzone rdfs:label ?l FILTER(LANG(?l) = ?lang) }"
    assert run("query", q, "-F", "csv", "--lang", "en", root=mini_root).stdout == "l\nTest Demonstration Zone\n"
    assert run("query", q, "-F", "csv", root=mini_root).stdout == "l\n测试承接产业转移示范区\n"


def test_bad_sparql_gives_position_and_exit_2(run, mini_root):
    result = run("query", "SELECT ?x WHERE { ?x a }", root=mini_root)
    assert result.exit_code == 2
    assert "SPARQL error" in result.stderr
    assert re.search(r"line 1.*column \d+|1:\d+", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_query_needs_exactly_one_source(run, mini_root):
    result = run("query", root=mini_root)
    assert result.exit_code == 2
    assert "exactly one" in result.stderr


def test_unknown_named_query_lists_known_names(run):
    result = run("query", "-n", "no-such-query")
    assert result.exit_code == 2
    assert "unknown named query 'no-such-query'" in result.stderr
    assert "zone-members" in result.stderr and "zones-by-year" in result.stderr


def test_missing_and_unknown_parameters(run):
    missing = run("query", "-n", "members-as-of")
    assert missing.exit_code == 2 and "needs --param year=VALUE" in missing.stderr
    wrong = run("query", "-n", "zones", "-p", "zone=x")
    assert wrong.exit_code == 2 and "has no parameter zone" in wrong.stderr
    notint = run("query", "-n", "members-as-of", "-p", "year=twenty")
    assert notint.exit_code == 2 and "not a whole number" in notint.stderr


def test_show_by_label_curie_and_iri(run, mini_root):
    by_label = run("show", "测试区", "-F", "csv", root=mini_root)
    assert by_label.exit_code == 0, by_label.stderr
    rows = list(csv.DictReader(io.StringIO(by_label.stdout)))
    approval = [r for r in rows if r["property"] == "zg:approvalDate"]
    assert {(r["value"], r["sources"]) for r in approval} == {("2020-12-09", "测试文献: §1"), ("2020-12", "测试文献: §2")}
    assert all(r["relation"] == "批准日期" and r["group"] == "dates" for r in approval)
    incoming = {r["value"] for r in rows if r["direction"] == "in"}
    assert {"mem:testzone--211300", "link:test", "obs:test-projects"} <= incoming
    assert run("show", "zone:testzone", "-F", "csv", root=mini_root).stdout == by_label.stdout
    iri = "https://w3id.org/zonegraph/id/zone/testzone"
    assert run("show", f"<{iri}>", "-F", "csv", root=mini_root).stdout == by_label.stdout
    english = run("show", "Test Demonstration Zone", "-F", "csv", root=mini_root)
    assert english.stdout == by_label.stdout


def test_show_unknown_suggests_close_matches(run, mini_root):
    result = run("show", "测试承接产业转移示范", root=mini_root)
    assert result.exit_code == 0  # a unique partial match resolves
    unknown = run("show", "zone:testzon", root=mini_root)
    assert unknown.exit_code == 2
    assert "Did you mean" in unknown.stderr and "zone:testzone" in unknown.stderr


def test_show_ambiguous_lists_candidates(run, mini_root):
    result = run("show", "测试", root=mini_root)
    assert result.exit_code == 2
    assert "matches several entities" in result.stderr
    assert "zone:testzone" in result.stderr and "park:testpark" in result.stderr


def test_search_by_chinese_english_and_pinyin(run, mini_root):
    for text in ("朝阳", "chaoyang", "Chaoyang", "chao yang"):
        out = run("search", text, "-F", "csv", root=mini_root).stdout
        assert "region:211300" in out, text
    assert run("search", "nothing-like-this", "-F", "csv", root=mini_root).stdout == \
        "entity,class,label_zh,label_en,matched\n"


def test_stats_counts_and_completeness(run, mini_root):
    result = run("stats", "--json", root=mini_root)
    st = json.loads(result.stdout)
    assert st["classes"]["zg:DemonstrationZone"] == 1
    assert st["classes"]["zg:Membership"] == 2
    assert st["citation_coverage"] == 1.0
    (zone,) = st["zones"]
    assert zone["approval_date"] == {"values": 2, "sources": 1}
    assert zone["members"] == {"values": 2, "sources": 1}
    assert zone["plan"] == {"values": 0, "sources": 0}
    table = run("stats", "-F", "csv", root=mini_root).stdout
    assert "zone:testzone,测试承接产业转移示范区," in table


def test_queries_lists_every_named_query(run):
    out = run("queries", "-F", "csv").stdout
    from graph.queries import named_queries

    for name in named_queries():
        assert f"\n{name}," in out


def test_root_discovery(tmp_path, monkeypatch):
    from click.testing import CliRunner

    root = make_root(tmp_path)
    sub = root / "data" / "deeper"
    sub.mkdir()
    runner = CliRunner()
    monkeypatch.chdir(sub)  # nearest folder upward holding ontology.ttl and data/
    monkeypatch.delenv("ZONEGRAPH_ROOT", raising=False)
    assert "zone:testzone" in runner.invoke(cli, ["search", "测试区", "-F", "csv"]).output
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZONEGRAPH_ROOT", str(root))
    assert "zone:testzone" in runner.invoke(cli, ["search", "测试区", "-F", "csv"]).output
    monkeypatch.setenv("ZONEGRAPH_ROOT", str(tmp_path / "nowhere"))
    result = runner.invoke(cli, ["search", "x"])
    assert result.exit_code == 2 and "ZONEGRAPH_ROOT" in result.output


def test_root_falls_back_to_this_checkout(tmp_path):
    from graph.paths import find_root

    assert find_root(cwd=tmp_path) == REPO


def test_python_m_graph_runs():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "graph", "--version"], capture_output=True, text=True,
                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0 and out.stdout.startswith("zonegraph, version ")


def test_every_command_has_help_with_example_and_is_in_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help and "Example: zonegraph" in command.help, name
        assert f"zonegraph {name}" in readme, f"`zonegraph {name}` is not documented in README.md"
