"""Finding entities (search ranking, pinyin, parameter resolution, suggestions) and `show` for reading,
on the real data."""

from __future__ import annotations

import csv
import io
import json

import pytest

from graph import entities, pinyin
from graph.errors import UnknownEntity
from graph.output import display_width as _width
from graph.queries import QUERY_DIR, parse_query_file


def first(kg, text):
    _, rows = entities.search(kg, text)
    return rows[0]


@pytest.mark.parametrize("text", ["四平", "siping", "Siping", "si ping", "220300", "四平市", "sipingshi"])
def test_siping_city_ranks_first(kg, text):
    assert first(kg, text)[0] == "region:220300"


@pytest.mark.parametrize("text", ["hefei", "合肥", "he fei"])
def test_hefei_city_ranks_first(kg, text):
    assert first(kg, text)[0] == "region:340100"


def test_named_things_rank_before_statements(kg):
    _, rows = entities.search(kg, "四平", limit=200)
    statement = {"zg:TransferLink", "zg:Cooperation", "zg:Membership", "zg:Observation", "zg:Citation",
                 "zg:ZoneChange"}
    kinds = [r[1] in statement for r in rows]
    assert any(kinds) and not all(kinds)
    # once the statements start, nothing else follows
    assert kinds == sorted(kinds), [r[:2] for r in rows]


def test_displayed_pinyin_is_the_common_reading(kg):
    assert pinyin.reading("合肥市") == "hefeishi"
    assert pinyin.reading("示范区") == "shifanqu"
    assert pinyin.reading("朝阳市") == "chaoyangshi"  # the place, not zhaoyang ("morning sun")
    assert first(kg, "hefei")[4] in ("pinyin: hefei", "pinyin: hefeishi")
    _, rows = entities.search(kg, "shifanqu", limit=500)
    shown = [r[4] for r in rows if r[4].startswith("pinyin:")]
    assert shown and all("qifanou" not in s and "fanou" not in s for s in shown)


def test_heteronym_readings_still_match(kg):
    top = first(kg, "zhaoyang")
    assert top[0] == "region:211300" and top[4] == "pinyin: chaoyang"


def test_pinyin_cache_spares_the_computation(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONEGRAPH_CACHE", str(tmp_path))
    monkeypatch.setattr(pinyin, "_memory", {})
    monkeypatch.setattr(pinyin, "_state", {"loaded": False, "dirty": False})
    assert pinyin.readings(["测试区"])["测试区"][0] == "ceshiqu"
    pinyin.flush()
    stored = json.loads((tmp_path / "pinyin.json").read_text(encoding="utf-8"))
    assert stored["readings"]["测试区"][0] == "ceshiqu"
    # a new process: readings come from the file, pypinyin is not called
    monkeypatch.setattr(pinyin, "_memory", {})
    monkeypatch.setattr(pinyin, "_state", {"loaded": False, "dirty": False})
    monkeypatch.setattr(pinyin, "compute", lambda text: pytest.fail(f"computed {text}"))
    assert pinyin.readings(["测试区"])["测试区"][1][:2] == ("ceshiqu", "ce shi qu")


def test_pinyin_cache_stays_the_size_of_one_graph(tmp_path, monkeypatch):
    """A long text (a hostile 5 MB label) gets no reading, and the cache holds only the names the
    last process used: it once grew to 958 MB and made `show` take minutes."""
    monkeypatch.setenv("ZONEGRAPH_CACHE", str(tmp_path))
    monkeypatch.setattr(pinyin, "_memory", {})
    monkeypatch.setattr(pinyin, "_state", {"loaded": False, "dirty": False})
    long = "长" * (pinyin.MAX_TEXT + 1)
    assert long not in pinyin.readings([long, "测试区"])
    pinyin.flush()
    monkeypatch.setattr(pinyin, "_memory", {})
    monkeypatch.setattr(pinyin, "_state", {"loaded": False, "dirty": False})
    pinyin.readings(["四平市"])
    pinyin.flush()
    stored = json.loads((tmp_path / "pinyin.json").read_text(encoding="utf-8"))["readings"]
    assert set(stored) == {"四平市"}


def test_index_is_built_once_per_loaded_graph(kg):
    assert entities.index(kg) is entities.index(kg)


def test_class_typed_parameter_header():
    q = parse_query_file(QUERY_DIR / "zones-of-province.rq")
    (param,) = q.params
    assert param.type == "zg:ProvinceLevelRegion" and param.is_entity and param.prefer == "zg:ProvinceLevelRegion"


def test_bad_parameter_type_is_refused(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("#+ summary: x\n#+ param: p region required -- y\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(ValueError, match="class CURIE"):
        parse_query_file(bad)


def test_province_parameter_resolves_by_class(run):
    result = run("query", "-n", "zones-of-province", "-p", "province=安徽", "-F", "csv")
    assert result.exit_code == 0, result.stderr
    assert "zone:wanjiang" in result.stdout


def test_preferred_class_decides(kg):
    # 吉林 is the province and the prefecture-level city: the expected class picks
    assert entities.resolve(kg, "吉林", "zg:PrefectureLevelRegion").endswith("/region/220200")
    assert entities.resolve(kg, "吉林", "zg:ProvinceLevelRegion").endswith("/region/220000")
    # a subclass counts: enterprises are agents
    assert entities.index(kg).is_a(entities.resolve(kg, "格力电器"), "zg:Agent")


@pytest.mark.parametrize("name, agent", [("国家发改委", "ndrc"), ("国家发展改革委", "ndrc"),
                                         ("工信部", "miit"), ("国务院", "state-council")])
def test_abbreviations_name_the_agency(kg, name, agent):
    assert entities.resolve(kg, name).endswith(f"/agent/{agent}")


def test_abbreviations_are_cited(kg):
    rows = kg.select("""SELECT ?name ?doc WHERE { GRAPH ?g { ?a skos:altLabel ?name }
                        GRAPH zgg:sources { ?g zg:document ?doc }
                        FILTER(?a IN (agent:ndrc, agent:miit)) }""").rows
    assert {n.value for n, _ in rows} >= {"国家发改委", "国家发展改革委", "工信部"}


def test_unknown_name_suggests_the_most_similar_first(kg, run):
    with pytest.raises(UnknownEntity) as err:
        entities.resolve(kg, "辽西北示范区")
    assert err.value.suggestions[0].startswith("zone:liaoxibei ")
    result = run("show", "辽西北示范区")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert "Did you mean" in lines[0] and lines[1].strip().startswith("zone:liaoxibei ")


def _show(run, *args):
    result = run("show", "辽西北承接产业转移示范区", "-F", "table", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_show_header_names_class_and_iri(run):
    lines = _show(run, "--width", "100")
    assert lines[0] == "辽西北承接产业转移示范区"
    assert lines[1].startswith("Liaoxibei")
    assert "简称: 辽西北 · 辽西北产业转移示范区" in lines
    assert "类别: 承接产业转移示范区 (zg:DemonstrationZone)" in lines
    assert "IRI: https://w3id.org/zonegraph/id/zone/liaoxibei  (zone:liaoxibei)" in lines
    body = "\n".join(lines)
    assert "rdf:type" not in body and "rdfs:label" not in body  # names and class are in the header, once


def test_show_groups_facts_with_relation_labels(run):
    lines = _show(run, "--width", "100")
    expected = ["日期", "说明", "成员", "产业", "地区与园区", "文献与机构", "项目", "涉及它的陈述", "来源文献"]
    assert [line for line in lines if line in expected] == expected
    approval = [line for line in lines if line.strip().startswith("批准日期")]
    assert len(approval) == 1 and "2020-12-09" in approval[0] and "摘要段" in approval[0]
    members = lines[lines.index("成员") + 1: lines.index("产业") - 1]
    assert [m.split()[0:3] for m in members][:2] == [["阜新市", "(210900)", "2020-12-09–"],
                                                      ["朝阳市", "(211300)", "2020-12-09–"]]
    assert "  [1] 关于加快建设辽西北承接产业转移示范区的建议" in lines
    english = "\n".join(_show(run, "--width", "100", "--lang", "en"))
    assert "approval date" in english and "Members" in english


@pytest.mark.parametrize("width", [60, 100, 160])
def test_show_fits_the_width(run, width):
    lines = _show(run, "--width", str(width))
    assert max(_width(line) for line in lines) <= width


def test_show_machine_formats_keep_every_fact_once(run, kg):
    result = run("show", "zone:liaoxibei", "-F", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["group", "direction", "property", "relation", "value", "value_label", "sources",
                             "citations"]
    keys = [(r["direction"], r["property"], r["value"]) for r in rows]
    assert len(keys) == len(set(keys))
    _, raw = entities.facts(kg, entities.resolve(kg, "zone:liaoxibei"))
    assert set(keys) == {(r[0], r[1], r[2]) for r in raw}  # nothing lost
    (kind,) = [r for r in rows if r["property"] == "rdf:type"]
    assert len(kind["citations"].split()) == 12
    assert kind["citations"].split() == sorted(kind["citations"].split())
    assert "摘要段" in kind["sources"] and "郭勇" in kind["sources"]
    again = run("show", "zone:liaoxibei", "-F", "json")
    bindings = json.loads(again.stdout)["results"]["bindings"]  # W3C SPARQL results JSON
    assert [b["property"]["value"] for b in bindings] == [r["property"] for r in rows]


def test_names_read_before_a_file_is_added_are_read_again(mini, tmp_path):
    """Every index derived from the graph (names, search index, hop graph …) is dropped when a file
    is loaded into it, so a draft checked against the data is seen by all of them."""
    import pyoxigraph as ox

    from graph import entities

    before = {n.text for n in entities.names(mini)}
    entities.index(mini)
    extra = tmp_path / "extra.trig"
    extra.write_text('<https://w3id.org/zonegraph/id/cite/extra> { <https://w3id.org/zonegraph/id/zone/extra> '
                     '<http://www.w3.org/2000/01/rdf-schema#label> "新加示范区"@zh . }\n', encoding="utf-8")
    mini._load_file(extra, ox.RdfFormat.TRIG)
    assert "新加示范区" not in before
    assert "新加示范区" in {n.text for n in entities.names(mini)}
    assert entities.matches(mini, "新加示范区")[0].iri == "https://w3id.org/zonegraph/id/zone/extra"
