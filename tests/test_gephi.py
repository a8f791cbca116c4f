"""GEXF and GraphML for Gephi: valid against the GEXF 1.2draft XSD, readable labels, dynamic memberships."""

from pathlib import Path

import networkx as nx
import pytest

from graph.gephi import gephi_graph, gexf, graphml

# Unchanged copy of the GEXF working group's 1.2draft schema (CC BY 4.0; see its README and LICENSE).
XSD = Path(__file__).resolve().parent / "fixtures" / "gexf-1.2draft" / "gexf.xsd"
GEXF_NS = "{http://www.gexf.net/1.2draft}"


@pytest.fixture(scope="module")
def files(kg, tmp_path_factory):
    out = tmp_path_factory.mktemp("gephi")
    g = gephi_graph(kg)
    (out / "z.gexf").write_text(gexf(g), encoding="utf-8")
    (out / "z.graphml").write_text(graphml(g), encoding="utf-8")
    return out


def test_gexf_validates_against_the_1_2draft_schema(files):
    import xmlschema  # a test dependency: never skip the schema check

    xmlschema.XMLSchema(str(XSD)).validate(str(files / "z.gexf"))


def test_networkx_reads_chinese_labels_and_attributes(files):
    g = nx.read_gexf(files / "z.gexf")
    node = g.nodes["region:211300"]
    assert node["label"] == "朝阳市" and node["label_en"] == "Chaoyang City"
    assert node["pinyin"] == "chaoyangshi" and node["code"] == "211300"
    assert node["class"] == "zg:PrefectureLevelRegion"


def test_memberships_are_dynamic_edges(files):
    g = nx.read_gexf(files / "z.gexf")
    (chaohu,) = [d for _, v, d in g.edges("region:341400", data=True) if v == "zone:wanjiang"]
    assert (chaohu["start"], chaohu["end"]) == ("2010-01-12", "2011-08-22")
    # 湘西州 joined when 湘南 became 湘南湘西 (2018, known to the year only).
    (xiangxi,) = [d for _, v, d in g.edges("region:433100", data=True) if v == "zone:xiangnan-xiangxi"]
    assert xiangxi["start"] == "2018-01-01" and xiangxi["start_as_given"] == "2018"
    # 荆州: no source dates the membership, so no spell (static), flagged.
    (jingzhou,) = [d for _, v, d in g.edges("region:421000", data=True) if v == "zone:jingzhou"]
    assert "start" not in jingzhou and jingzhou["dated"] == "no"


def test_colours_and_positions_on_every_node(files):
    import xml.etree.ElementTree as ET

    root = ET.parse(files / "z.gexf").getroot()
    graph_el = root.find(f"{GEXF_NS}graph")
    assert graph_el.get("mode") == "dynamic" and graph_el.get("timeformat") == "date"
    nodes = list(graph_el.iter(f"{GEXF_NS}node"))
    assert nodes and all(n.find(f"{GEXF_NS}color") is not None and n.find(f"{GEXF_NS}position") is not None
                         for n in nodes)
    zone = next(n for n in nodes if n.get("id") == "zone:wanjiang").find(f"{GEXF_NS}color")
    assert (zone.get("r"), zone.get("g"), zone.get("b")) == ("220", "38", "38")  # the site's zone red


def test_graphml_has_label_colour_position_and_dates(files):
    g = nx.read_graphml(files / "z.graphml")
    node = g.nodes["zone:wanjiang"]
    assert node["label"] == "皖江城市带承接产业转移示范区" and {"r", "g", "b", "x", "y"} <= set(node)
    (chaohu,) = [d for _, v, d in g.edges("region:341400", data=True) if v == "zone:wanjiang"]
    assert chaohu["end_as_given"] == "2011-08-22"


def test_gexf_is_deterministic(kg):
    assert gexf(gephi_graph(kg)) == gexf(gephi_graph(kg))


def test_the_schema_check_bites_on_networkx_output(tmp_path):
    import xmlschema

    # networkx writes <graph name="">, which the 1.2draft schema does not allow: this is why gexf() is hand-written.
    g = nx.DiGraph()
    g.add_edge("a", "b")
    path = tmp_path / "nx.gexf"
    nx.write_gexf(g, path, version="1.2draft")
    assert not xmlschema.XMLSchema(str(XSD)).is_valid(str(path))
