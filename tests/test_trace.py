"""Tracing chains with evidence, time-aware graphs, analytics, and the Gephi/KGX/panel exports."""

import csv
import io
import json

import networkx as nx
import pytest

import graph
from graph import tracing
from graph.network import to_networkx


def nodes_of(result):
    return [p.nodes for p in result.paths]


def assert_every_hop_cited(result):
    for path in result.paths + result.partial:
        for step in path.steps:
            assert step.hop.evidence, f"uncited hop {step.hop}"
            for ev in step.hop.evidence:
                assert ev.citation.startswith("cite:") and ev.document.startswith("doc:") and ev.locator


def test_jingjinji_to_chaoyang_through_new_materials_and_liaoxibei(kg):
    result = graph.trace(kg, "京津冀", "朝阳市", industry="新材料")
    assert result.paths
    first = result.paths[0].nodes
    assert first[0] == "macro:jingjinji" and first[-1] == "region:211300"
    assert first[2] == "zone:liaoxibei" and first[1].startswith("ind:")
    assert first[1] in tracing._narrower(kg, "ind:xincailiao")
    assert_every_hop_cited(result)
    member_hop = result.paths[0].steps[-1].hop
    assert member_hop.relation == "member region" and member_hop.valid_from == "2020-12-09"
    assert {e.document for s in result.paths[0].steps for e in s.hop.evidence} == {"doc:seed-000"}


def test_chain_reaches_a_landed_project(kg):
    result = graph.trace(kg, "京津冀", "proj:liaoxibei-chaoyang-tezhongxincailiao")
    assert result.paths[0].nodes == ["macro:jingjinji", "zone:liaoxibei", "proj:liaoxibei-chaoyang-tezhongxincailiao"]
    assert [s.hop.mode for s in result.paths[0].steps] == ["declared", "realised"]
    assert_every_hop_cited(result)


def test_siping_development_zones_and_what_they_receive(kg):
    result = graph.trace(kg, "精细化工", max_hops=1, limit=50)
    ends = {p.nodes[-1] for p in result.paths}
    assert {"park:siping-xinxing-gongyehua-jingkaiqu", "park:siping-shengtai-huagong-chanyeyuan"} <= ends
    result = graph.trace(kg, "四平市", max_hops=1, limit=50)
    parks = {p.nodes[-1] for p in result.paths if p.nodes[-1].startswith("park:")}
    assert len(parks) >= 5
    assert_every_hop_cited(result)


def test_realised_chain_from_investor_origin(kg):
    result = graph.trace(kg, "重庆市", "四平市", mode="realised")
    (path,) = result.paths
    assert path.nodes == ["region:500000", "proj:siping-xinkaiqu-gaixing-jiachun", "region:220300"]
    assert all(s.hop.mode == "realised" for s in path.steps)
    assert graph.trace(kg, "重庆市", "四平市", mode="declared").paths == []


def test_declared_only_excludes_projects(kg):
    result = graph.trace(kg, "京津冀", mode="declared", limit=100)
    assert result.paths
    assert all(s.hop.mode in ("declared", "structural") for p in result.paths for s in p.steps)


def test_as_of_drops_links_not_yet_in_force(kg):
    assert graph.trace(kg, "京津冀", "朝阳市", industry="新材料", as_of=2021).paths
    early = graph.trace(kg, "京津冀", "朝阳市", industry="新材料", as_of=2015)
    assert early.paths == []  # 辽西北 was approved in 2020


def member_hops(g, zone):
    return {h["hop"].target for _, _, h in g.edges(zone, data=True)
            if h["hop"].relation == "member region" and h["hop"].source == zone}


def test_as_of_memberships(kg):
    assert "region:341400" in member_hops(to_networkx(kg, as_of=2010), "zone:wanjiang")
    assert "region:341400" not in member_hops(to_networkx(kg, as_of=2012), "zone:wanjiang")
    assert member_hops(to_networkx(kg, as_of=2015), "zone:xiangnan-xiangxi") == {
        "region:430400", "region:431000", "region:431100"}
    assert member_hops(to_networkx(kg, as_of=2019), "zone:xiangnan-xiangxi") >= {
        "region:430500", "region:431200", "region:433100"}


def test_no_path_shows_nearest_partial_chains(kg, run):
    result = graph.trace(kg, "四平市", "京津冀")
    assert result.paths == [] and result.partial
    assert_every_hop_cited(result)
    cli = run("trace", "--from", "四平市", "--to", "京津冀", "-F", "csv")
    assert cli.exit_code == 0
    assert "No chain from region:220300 to macro:jingjinji" in cli.stderr
    assert "partial" in cli.stderr and cli.stdout.startswith("path,hop,from,relation,to")


def test_trace_json_lists_paths_of_hops_with_citations(run):
    out = run("trace", "--from", "京津冀", "--to", "朝阳市", "--industry", "新材料", "-F", "json").stdout
    doc = json.loads(out)
    assert doc["paths"] and doc["to"] == "region:211300"
    for path in doc["paths"]:
        assert path["length"] == len(path["hops"])
        for hop in path["hops"]:
            assert hop["citations"] and all(c["document"] and c["locator"] for c in hop["citations"])
            assert hop["mode"] in ("declared", "realised", "structural")


def test_trace_html_is_offline_and_escaped(run, tmp_path):
    out = tmp_path / "t.html"
    result = run("trace", "--from", "京津冀", "--to", "朝阳市", "-F", "html", "-o", out)
    assert result.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http-equiv" not in html
    assert "辽西北承接产业转移示范区" in html and 'charset="utf-8"' in html


def test_trace_unknown_entity_exits_2(run):
    result = run("trace", "--from", "nowhere-at-all")
    assert result.exit_code == 2 and "no entity called" in result.stderr


def test_networkx_graph_keeps_classes_labels_relations_dates_sources(kg):
    g = to_networkx(kg)
    assert g.nodes["zone:liaoxibei"]["cls"] == "zg:DemonstrationZone"
    assert g.nodes["zone:liaoxibei"]["label_zh"] == "辽西北承接产业转移示范区"
    hop = next(h["hop"] for _, _, h in g.edges("zone:liaoxibei", data=True) if h["hop"].target == "region:211300")
    assert hop.relation == "member region" and hop.valid_from == "2020-12-09" and hop.evidence


def test_analyze_tables(kg):
    tables = {title: (cols, rows) for title, cols, rows in graph.analyze(kg)}
    _, industries = tables["Most-targeted industries"]
    assert industries[0][2] >= 3
    cols, flows = tables["Source region × zone flows"]
    row = next(r for r in flows if r[0] == "macro:jingjinji" and r[2] == "zone:liaoxibei")
    assert dict(zip(cols, row))["declared_industries"] >= 6
    realised = next(r for r in flows if r[0] == "region:500000")
    assert dict(zip(cols, realised))["realised_projects"] == 1 and realised[2] == "zone:jixinan"
    sim = tables["Zone similarity (Jaccard, target industries)"][1]
    pair = next(r for r in sim if {r[0], r[2]} == {"zone:guidong", "zone:wanjiang"})
    assert 0 < pair[4] <= 1
    # 装备制造业 (皖江) and 装备制造 (湘南湘西) are one term; 轻工纺织 and 轻纺产业 too.
    shared = next(r for r in sim if {r[0], r[2]} == {"zone:wanjiang", "zone:xiangnan-xiangxi"})[5].split()
    assert "ind:zhuangbeizhizao" in shared and "ind:qingfangchanye" in shared
    assert not any("ind:laozihao" in r[5] for r in sim)  # programme groupings are not industries
    assert tables["Connected components"][1][0][1] > 100
    assert tables["Centrality (regions, zones, industries)"][1]


def test_analyze_cli_writes_csv(run, tmp_path):
    result = run("analyze", "-F", "tsv", "--csv", tmp_path / "a")
    assert result.exit_code == 0 and "## Most-targeted industries" in result.stdout
    assert (tmp_path / "a" / "source-region-zone-flows.csv").read_text(encoding="utf-8").startswith("source,")


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    out = tmp_path_factory.mktemp("x") / "exports"
    graph.build(graph.load(), out)
    return out


@pytest.mark.parametrize("name,reader", [("zonegraph.graphml", nx.read_graphml), ("zonegraph.gexf", nx.read_gexf)])
def test_gephi_files_read_back_with_counts_and_attributes(kg, exports, name, reader):
    from graph.gephi import gephi_graph

    expected = gephi_graph(kg)
    g = reader(exports / name)
    assert g.number_of_nodes() == expected.number_of_nodes()
    assert g.number_of_edges() == expected.number_of_edges()
    node = g.nodes["region:211300"]
    assert node["label_zh"] == "朝阳市" and node["class"] == "zg:PrefectureLevelRegion"
    assert float(node["lat"]) == pytest.approx(41.573762)
    attrs = [d for _, v, d in g.edges("mem:liaoxibei--211300", data=True) if v == "region:211300"]
    assert attrs and attrs[0]["relation"] == "zg:member" and "doc:seed-000" in attrs[0]["sources"]


def test_gexf_structure(exports):
    import xml.etree.ElementTree as ET

    root = ET.parse(exports / "zonegraph.gexf").getroot()
    ns_ = "{http://www.gexf.net/1.2draft}"
    assert root.tag == f"{ns_}gexf" and root.get("version") == "1.2"
    graph_el = root.find(f"{ns_}graph")
    assert graph_el.get("defaultedgetype") == "directed"
    ids = {n.get("id") for n in graph_el.iter(f"{ns_}node")}
    edges = list(graph_el.iter(f"{ns_}edge"))
    assert all(e.get("source") in ids and e.get("target") in ids for e in edges)
    assert len({e.get("id") for e in edges}) == len(edges)
    assert "lastmodifieddate" not in (exports / "zonegraph.gexf").read_text(encoding="utf-8")


@pytest.mark.parametrize("file,query", [
    ("panel_zone_industry_year.csv", "panel-zone-industry-year"),
    ("panel_source_zone_industry.csv", "panel-source-zone-industry"),
    ("panel_projects.csv", "panel-projects"),
])
def test_panel_rows_equal_sparql_counts(kg, exports, file, query):
    rows = list(csv.DictReader(io.StringIO((exports / file).read_text(encoding="utf-8"))))
    assert len(rows) == len(graph.run_named_query(kg, query))
    assert rows


def test_panel_projects_count_equals_projects(kg, exports):
    rows = list(csv.DictReader(io.StringIO((exports / "panel_projects.csv").read_text(encoding="utf-8"))))
    (n,), = kg.select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a zg:InvestmentProject }").rows
    assert len(rows) == int(n.value)
    boguan = next(r for r in rows if r["project"] == "proj:siping-xinkaiqu-gaixing-jiachun")
    assert (boguan["investor_origins"], boguan["amounts"], boguan["units"]) == (
        "region:500000", "10", "亿元")


def test_kgx_tables(exports):
    nodes = (exports / "kgx_nodes.tsv").read_text(encoding="utf-8").splitlines()
    edges = (exports / "kgx_edges.tsv").read_text(encoding="utf-8").splitlines()
    assert nodes[0].split("\t") == ["id", "category", "name", "name_en", "iri", "provided_by"]
    assert edges[0].split("\t")[:4] == ["id", "subject", "predicate", "object"]
    assert "knowledge_source" in edges[0] and "publications" in edges[0]
    assert all(line.count("\t") == edges[0].count("\t") for line in edges)


def test_bom_option_for_excel(tmp_path, mini):
    graph.build(mini, tmp_path / "bom", bom=True)
    assert (tmp_path / "bom" / "nodes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "bom" / "zonegraph.nt").read_bytes().startswith(b"\xef\xbb\xbf")


def test_show_as_of_hides_memberships_not_in_force(run):
    later = run("show", "zone:wanjiang", "--as-of", "2012", "-F", "csv").stdout
    early = run("show", "zone:wanjiang", "--as-of", "2010", "-F", "csv").stdout
    assert "mem:wanjiang--341400" in early and "mem:wanjiang--341400" not in later


def test_query_as_of(run):
    out = run("query", "-n", "members-as-of", "--as-of", "2010", "-p", "zone=zone:wanjiang", "-F", "csv").stdout
    assert "region:341400" in out
    bad = run("query", "-n", "zones", "--as-of", "2010")
    assert bad.exit_code == 2 and "takes no year" in bad.stderr


# trace reads only the neighbourhood of its start (graph.network.LocalHops); these must give the
# very chains, evidence and partial chains that a search of the whole hop graph gives.
PARITY_CASES = [
    ("macro:jingjinji", "region:211300", None, None, None),
    ("macro:jingjinji", None, None, None, None),
    ("macro:changsanjiao", None, None, 2012, None),
    ("macro:zhusanjiao", None, None, None, "declared"),
    ("region:110000", "zone:liaoxibei", None, None, None),
    ("region:500000", None, None, None, "realised"),
    ("region:220300", "macro:jingjinji", None, None, None),  # no chain: partial chains
    ("region:220300", None, None, 2023, None),
    ("zone:wanjiang", None, None, None, None),
    ("zone:guangan", None, None, 2014, None),
    ("zone:jingzhou", "region:421000", None, None, None),
    ("macro:jingjinji", "region:211300", "新材料", None, None),
    ("region:440300", None, None, None, None),
    ("region:330000", None, None, None, "declared"),
]


@pytest.mark.parametrize("source,target,industry,as_of,mode", PARITY_CASES)
def test_trace_of_the_neighbourhood_equals_trace_of_the_whole_graph(kg, source, target, industry, as_of, mode):
    local = tracing.trace(kg, source, target, industry=industry, as_of=as_of, mode=mode)
    modes = {mode} if mode else None
    industries = tracing._narrower(kg, graph.entities.resolve(kg, industry)) if industry else None
    whole = tracing.search(kg, to_networkx(kg, as_of=as_of, modes=modes), local.source, local.target,
                           industries, 5, 10)
    assert local.paths or local.partial
    assert local.paths == whole.paths
    assert local.partial == whole.partial
