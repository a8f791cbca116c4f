"""The shipped named queries, run as the real files on the real data."""

import pytest

import graph
from graph.queries import named_queries

QUERIES = named_queries()


def test_at_least_twelve_named_queries_with_headers():
    assert len(QUERIES) >= 12
    for q in QUERIES.values():
        assert q.summary and q.examples, q.name
        assert q.examples[0].startswith(f"zonegraph query -n {q.name}"), q.name


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_named_query_returns_rows_for_its_example(kg, name, lang):
    q = QUERIES[name]
    table = graph.run_named_query(kg, name, q.example_params(), lang=lang)
    assert len(table) > 0, f"{name} returned nothing for its documented example"


def run(kg, name, **params):
    return graph.run_named_query(kg, name, params).values()


def test_zones_lists_all_thirteen_in_approval_order(kg):
    rows = run(kg, "zones")
    assert len(rows) == 13
    dated = [r["first_approval"] for r in rows if r["first_approval"]]
    assert dated == sorted(dated)
    wanjiang = next(r for r in rows if r["zone"] == "zone:wanjiang")
    # 10 members over time; 巢湖市 left when it was dissolved in 2011, so 9 are current
    assert wanjiang["approved_by"] == "国务院" and wanjiang["member_count"] == "9"
    assert "巢湖市" not in wanjiang["current_members"] and "合肥市" in wanjiang["current_members"]


def test_zones_by_year(kg):
    years = {r["year"]: int(r["zones"]) for r in run(kg, "zones-by-year")}
    assert years["2010"] == 2  # 皖江 (State Council) and 桂东 (2010-10)
    assert years["2023"] == 2  # 吉西南 and 蒙东
    assert years["2020"] == 1


@pytest.mark.parametrize("year,member,expected", [
    ("2010", "region:341400", True),   # 巢湖市 was a member of 皖江 in 2010 …
    ("2012", "region:341400", False),  # … and not after its dissolution in 2011
    ("2015", "region:433100", False),  # 湘西州 joined 湘南 only with the 2018 extension
    ("2019", "region:433100", True),
    ("2015", "region:430400", True),   # 衡阳 since 2011
])
def test_members_as_of(kg, year, member, expected):
    members = {r["member"] for r in run(kg, "members-as-of", year=year)}
    assert (member in members) is expected


def test_xiangnan_members_differ_between_2015_and_2019(kg):
    m2015 = {r["member"] for r in run(kg, "members-as-of", year="2015", zone="zone:xiangnan-xiangxi")}
    m2019 = {r["member"] for r in run(kg, "members-as-of", year="2019", zone="zone:xiangnan-xiangxi")}
    assert m2015 == {"region:430400", "region:431000", "region:431100"}
    assert m2019 - m2015 == {"region:430500", "region:431200", "region:433100"}


def test_zones_of_province(kg):
    assert {r["zone"] for r in run(kg, "zones-of-province", province="辽宁省")} == {"zone:liaoxibei"}
    assert {r["zone"] for r in run(kg, "zones-of-province", province="region:410000")} == {"zone:huanghe-jinsanjiao"}


def test_zone_documents_include_approvals_and_sources(kg):
    rows = run(kg, "zone-documents", zone="zone:wanjiang")
    roles = {r["document"]: r["roles"].split(" | ") for r in rows}
    assert "approval" in roles["doc:guohan-2010-5"]
    assert any("cited source" in r for r in roles.values())
    assert len(roles) == len(rows), "one row per document"


def test_facts_from_a_seed(kg):
    rows = run(kg, "facts-from-document", document="doc:seed-000")
    assert any(r["subject"] == "zone:liaoxibei" and r["property"] == "zg:approvalDate"
               and r["value"] == "2020-12-09" for r in rows)
    assert all(r["locator"] for r in rows)


def test_zone_changes(kg):
    kinds = {(r["zone"], r["kind"]) for r in run(kg, "zone-changes")}
    assert ("zone:wanjiang", "member-dissolved") in kinds
    assert ("zone:xiangnan-xiangxi", "extension | renaming") in kinds  # one change, two kinds, one row


def test_changes_in_2023(kg):
    events = {(r["event"], r["entity"]) for r in run(kg, "changes-in-year", year="2023")}
    assert ("zone approved", "zone:jixinan") in events
    assert ("zone approved", "zone:mengdong") in events


def test_conflicting_dates_keep_both_sources(kg):
    rows = [r for r in run(kg, "conflicting-dates") if r["entity"] == "zone:jixinan"
            and r["property"] == "zg:approvalDate"]
    by_value = {r["value"]: r["sources"] for r in rows}
    assert set(by_value) == {"2023-02-28", "2023-03-15"}
    assert "doc:seed-004 " in by_value["2023-02-28"] and "doc:jlfb-2023-03-16-jixinan " in by_value["2023-03-15"]
    # a less precise date that agrees (2012 beside 2012-05-14) is no conflict
    assert not [r for r in run(kg, "conflicting-dates") if r["entity"] == "zone:huanghe-jinsanjiao"]


def test_statement_sources_every_row_has_a_document(kg):
    rows = run(kg, "statement-sources", entity="zone:liaoxibei")
    assert rows and all(r["sources"] for r in rows)
    assert len({(r["property"], r["value"]) for r in rows}) == len(rows), "one row per statement"
    types = [r for r in rows if r["property"] == "rdf:type"]
    assert len(types) == 1 and len(types[0]["sources"].split(" | ")) >= 10


def test_source_regions_of_liaoxibei(kg):
    sources = {r["source_region"] for r in run(kg, "zone-source-regions", zone="zone:liaoxibei")}
    assert {"macro:jingjinji", "macro:changsanjiao", "macro:zhusanjiao"} <= sources


def test_source_documents_have_counts(kg):
    rows = {r["document"]: r for r in run(kg, "source-documents")}
    assert int(rows["doc:seed-004"]["statements"]) > 100
    assert rows["doc:seed-002"]["numbers"] == "辽政办发〔2021〕1号"


def test_member_coordinates(kg):
    rows = run(kg, "member-coordinates")
    assert all(3 < float(r["lat"]) < 54 and 73 < float(r["long"]) < 136 for r in rows)


def test_queries_are_documented_in_the_readme():
    from graph.docs import README, render

    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "README.md is stale: run `python -m graph.docs`"


def test_zones_by_classification(kg):
    rows = run(kg, "zones-by-classification", **{"class": "ind:gbt4754-26"})
    assert {r["zone"] for r in rows} >= {"zone:chongqing-yanjiang", "zone:jixinan"}
    assert all(r["notation"] == "26" for r in rows)


def test_documents_concerning_a_region(kg):
    """Policies reach a region through the zones they concern (吉林's 33 measures for 吉西南, the 2021
    central opinions for 荆州) as well as through the facts they state about places in it."""
    def docs(region, kind=None):
        params = {"region": region, **({"kind": kind} if kind else {})}
        return {r["document"]: r for r in graph.run_named_query(kg, "documents-concerning-region", params).values()}

    assert "doc:jl-2023-jixinan-measures" in docs("吉林省", "zg:ProvincialMeasure")
    hubei = docs("湖北省", "zg:NationalPolicy")
    assert hubei["doc:cpc-sc-2021-zhongbu-yijian"]["relation"].startswith("concerns")
    assert "doc:cpc-sc-2021-zhongbu-yijian" not in docs("吉林省")
    siping = docs("四平市")
    assert "mem:jixinan--220300" in siping["doc:xinhua-2023-03-16-jixinan"]["subjects"].split()


def test_members_as_of_name_the_region_of_the_time(kg):
    """重庆沿江's 2011 counties became districts (璧山 2014 by 国函〔2014〕58号, 荣昌 2015): as of 2012 the
    members are the counties, as of 2016 the districts, each row saying which region the sources name
    and citing the change; 双桥区 (abolished 2011-12-25) is a member in no year-end."""
    def members(year):
        return {r["member"]: r for r in run(kg, "members-as-of", year=str(year), zone="zone:chongqing-yanjiang")}

    m2012, m2016 = members(2012), members(2016)
    assert {"region:500227", "region:500226"} <= set(m2012) and "region:500120" not in m2012
    assert m2016["region:500120"]["member_label"] == "璧山区"
    assert m2016["region:500120"]["stated_member"] == "region:500227"
    assert "doc:wikisource-guohan-2014-58 " in m2016["region:500120"]["sources"]
    assert m2016["region:500153"]["stated_member"] == "region:500226" and "region:500227" not in m2016
    assert "region:500111" not in m2012 and "region:500111" not in members(2011)


def test_zone_members_show_what_a_member_became(kg):
    rows = {r["member"]: r for r in run(kg, "zone-members", zone="zone:chongqing-yanjiang")}
    assert len(rows) == 7  # the seven members of 2011, named as they were
    assert rows["region:500111"]["member_label"] == "双桥区" and rows["region:500111"]["ends"] == "2011-12-25"
    assert rows["region:500227"]["became"] == "region:500120" and "2014-05-02" in rows["region:500227"]["became_on"]
    assert "doc:wikisource-guohan-2014-58 " in rows["region:500227"]["sources"]
    assert rows["region:500102"]["became"] is None
