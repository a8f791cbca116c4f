"""The city-year treatment panel on the real data: each tricky case asserted as a fact."""

import csv
import io

import pytest

import graph
from graph.panel import COLUMNS, city_year_panel, expand, release_year


@pytest.fixture(scope="module")
def panel(kg):
    columns, rows = city_year_panel(kg)
    assert columns == COLUMNS
    return {(r[4], r[0], int(r[6])): dict(zip(columns, r)) for r in rows}


def test_years_run_from_2008_to_the_release_year_not_the_clock(panel):
    assert release_year() == int(graph.RELEASE_DATE[:4])
    years = {y for (_, _, y) in panel}
    assert years == set(range(2008, release_year() + 1))


def test_dissolved_member_chaohu_leaves_wanjiang_in_2011_and_keeps_its_code(panel):
    row = lambda y: panel[("zone:wanjiang", "341400", y)]  # noqa: E731
    assert row(2009)["in_zone"] == "0"
    assert row(2010)["in_zone"] == "1"
    # Dissolved 2011-08-22: not a member on 31 December 2011 or after.
    assert row(2011)["in_zone"] == "0" and row(2011)["end_date"] == "2011-08-22"
    assert row(2015)["in_zone"] == "0"
    assert row(2010)["region"] == "巢湖市" and row(2010)["approval_document"] == "doc:guohan-2010-5"
    assert row(2010)["document_number"] == "国函〔2010〕5号"


def test_extension_xiangnan_to_xiangxi_in_2018(panel):
    old = lambda y: panel[("zone:xiangnan-xiangxi", "430400", y)]  # noqa: E731  衡阳, since 2011
    new = lambda y: panel[("zone:xiangnan-xiangxi", "433100", y)]  # noqa: E731  湘西州, added 2018
    assert (old(2011)["in_zone"], old(2018)["in_zone"]) == ("1", "1")
    assert old(2011)["date_precision"] == "month"
    assert (new(2017)["in_zone"], new(2018)["in_zone"]) == ("0", "1")
    assert new(2018)["first_year"] == "2018" and new(2018)["date_precision"] == "year"
    # Added members cite the NDRC document that extended the zone, not the zone's first approval.
    assert new(2018)["document_number"] == "发改地区〔2018〕1643号"


def test_two_start_dates_jixinan_same_year_earliest_counts(panel):
    row = panel[("zone:jixinan", "220300", 2023)]
    assert row["start_dates"] == "2023-02-28 | 2023-03-15"
    assert row["first_year"] == "2023" and row["in_zone"] == "1" and row["dates_conflict"] == ""
    assert panel[("zone:jixinan", "220300", 2022)]["in_zone"] == "0"


def test_start_years_that_differ_are_flagged_and_the_earliest_counts():
    m = {"zone": "zone:z", "member": "region:1", "code": "1", "starts": "2013 | 2012-05-14"}
    rows = {int(r[6]): dict(zip(COLUMNS, r)) for r in expand([m], 2014)}
    assert rows[2012]["in_zone"] == "1" and rows[2012]["dates_conflict"] == "yes"
    assert rows[2012]["start_dates"] == "2012-05-14 | 2013"


def test_undated_member_jingzhou_is_empty_not_zero(panel):
    rows = [panel[("zone:jingzhou", "421000", y)] for y in range(2008, release_year() + 1)]
    assert {r["in_zone"] for r in rows} == {""}
    assert {r["first_year"] for r in rows} == {""}


def test_partial_members(panel):
    # 六安市: only 金安区 and 舒城县 are in 皖江 (zg:PartOfRegion).
    assert panel[("zone:wanjiang", "341500", 2012)]["partial"] == "1"
    assert panel[("zone:wanjiang", "341500", 2012)]["coverage_note"] == "金安区、舒城县"
    assert panel[("zone:wanjiang", "340100", 2012)]["partial"] == "0"
    # No source states the coverage of 阜新 in 辽西北: empty, not 0.
    assert panel[("zone:liaoxibei", "210900", 2021)]["partial"] == ""


def test_county_level_members_are_in(panel):
    row = panel[("zone:chongqing-yanjiang", "500102", 2011)]
    assert row["level"] == "CountyLevelRegion" and row["in_zone"] == "1"


def test_every_dated_row_has_sources(panel):
    assert all(r["sources"].startswith("doc:") for r in panel.values())


def test_build_writes_the_panel(kg, tmp_path):
    from graph.build import render_exports

    text = render_exports(kg)["panel_city_year.csv"]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == COLUMNS
    memberships = len(graph.run_named_query(kg, "panel-memberships"))
    assert len(rows) - 1 == memberships * (release_year() - 2008 + 1)  # every membership, every year


def test_regions_carry_the_code_and_name_of_each_year(panel):
    """A member county made a district goes on as the district, under the district's code from the
    year of the recorded change, and the change's source joins the row's sources (璧山县 500227 →
    璧山区 500120 by 国函〔2014〕58号; 荣昌县 500226 → 荣昌区 500153 in 2015); a district renamed
    keeps its code but is named as it was (双桥区 before 2011, 大足区 after)."""
    zone = "zone:chongqing-yanjiang"
    assert (panel[(zone, "500227", 2013)]["region"], panel[(zone, "500227", 2013)]["in_zone"]) == ("璧山县", "1")
    assert (zone, "500227", 2014) not in panel
    bishan = panel[(zone, "500120", 2014)]
    assert (bishan["region"], bishan["region_id"], bishan["in_zone"]) == ("璧山区", "region:500120", "1")
    assert "doc:wikisource-guohan-2014-58 " in bishan["sources"]
    assert panel[(zone, "500226", 2014)]["region"] == "荣昌县"
    assert panel[(zone, "500153", 2015)]["region"] == "荣昌区"
    assert panel[(zone, "500111", 2010)]["region"] == "双桥区"
    assert panel[(zone, "500111", 2012)]["region"] == "大足区"
