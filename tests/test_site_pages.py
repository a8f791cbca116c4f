"""The site's reading pages as HTML (no browser): zone profiles, footnotes, timeline, ontology and
downloads pages. The browser checks (first screen at 1280×800, no request, no console error) are in
tests/test_browser.py."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from graph import viz
from graph.profile import safe_href
from graph.site import SiteBuilder


@pytest.fixture(scope="module")
def sb(kg):
    return SiteBuilder(kg)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def infobox(page: BeautifulSoup) -> dict[str, BeautifulSoup]:
    return {tr["data-key"]: tr.td for tr in page.select("table.infobox tr")}


def test_zone_infobox_says_when_by_what_and_who_with_sources(sb):
    page = soup(sb.profile_page("zone:liaoxibei"))
    box = infobox(page)
    assert list(box)[:1] == ["province"]
    assert box["approvalDate"].get_text().startswith("2020-12-09")
    assert "国家发展改革委支持辽西北承接产业转移示范区建设的复函" in box["approvalDocument"].get_text()
    assert [a.get_text() for a in box["members"].select("a:not(sup a)")] == ["阜新市", "朝阳市"]
    assert "国家发展和改革委员会" in box["approvedBy"].get_text()
    # every infobox value but the derived status carries a footnote into a document page's locator
    for key, td in box.items():
        if key != "status":
            assert td.select("sup.fn a"), key
    href = box["approvalDate"].select_one("sup.fn a")["href"]
    assert re.fullmatch(r"\.\./\.\./e/doc/seed-000\.html#loc-[0-9a-f]{10}", href)


def test_footnote_targets_exist_on_the_document_page(sb):
    page = soup(sb.profile_page("zone:liaoxibei"))
    targets = {a["href"] for a in page.select("sup.fn a")}
    assert targets
    for href in sorted(targets):
        path, _, frag = href.removeprefix("../../").partition("#")
        doc = path.removeprefix("e/doc/").removesuffix(".html")
        doc_page = soup(sb.profile_page(f"doc:{doc}"))
        assert doc_page.find(id=frag) is not None, href


def test_conflicting_approval_dates_are_shown_each_with_its_source(sb):
    box = infobox(soup(sb.profile_page("zone:wanjiang")))
    text = box["approvalDate"].get_text()
    assert "2010" in text and "2010-01-12" in text and "Sources disagree" in text


def test_members_table_and_changes(sb):
    page = soup(sb.profile_page("zone:wanjiang"))
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("table.members tbody tr")]
    chaohu = next(r for r in rows if r[0] == "341400")
    assert chaohu[1].startswith("巢湖市") and chaohu[4].startswith("2011-08-22")
    changes = page.select("table.changes tbody tr")
    assert len(changes) == 1 and "2011-08-22" in changes[0].get_text()
    # a former member is not listed among the current member cities of the infobox
    assert "巢湖市" not in infobox(page)["members"].get_text()


def test_a_member_renamed_since_shows_the_name_it_had_with_its_source(sb):
    # 500111 was 双桥区 when it joined 重庆沿江 in 2011; the district kept the code as 大足区 from 2011-12-25
    page = soup(sb.profile_page("zone:chongqing-yanjiang"))
    row = next(tr for tr in page.select("table.members tbody tr") if tr.select("td")[0].get_text() == "500111")
    name = row.select("td")[1]
    assert name.get_text(" ", strip=True).startswith("双桥区")
    assert "大足区" in name.get_text() and name.select("sup.fn")  # today's name too, and the change is cited
    wanjiang = soup(sb.profile_page("zone:wanjiang"))
    assert "今 now" not in wanjiang.select_one("table.members").get_text()  # no rename there


def test_relations_are_ontology_labels_and_header_folds_type_and_labels(sb):
    page = soup(sb.profile_page("region:211300"))
    rel_cells = [th.get_text(" ", strip=True) for th in page.select("table.grouped tr[data-prop] th")]
    assert "行政区划代码 division code" in rel_cells
    assert not any(c.startswith(("zg:", "rdf:", "rdfs:")) for c in rel_cells)
    props = {tr["data-prop"] for tr in page.select("table.grouped tr[data-prop]")}
    assert not props & {"rdf:type", "rdfs:label", "skos:altLabel"}
    assert "prefecture-level region" in page.select_one(".profile-head .badge").get_text()


def test_absurd_labels_are_cut_on_pages():
    from graph.profile import LABEL_MAX, _short

    assert len(_short("名" * 5_000_000)) == LABEL_MAX


@pytest.mark.parametrize("url,ok", [("../../e/doc/x.html#a", True), ("https://example.org/x", True),
                                    ("javascript:alert(1)", False), (" JavaScript:alert(1)", False),
                                    ("data:text/html,x", False), ("//evil.example/x", False)])
def test_safe_href(url, ok):
    assert (safe_href(url) is not None) == ok


def test_every_entity_page_renders(sb):
    for node in sb.entities[::25]:
        assert "<h1>" in sb.profile_page(node), node
        assert viz.page_path(node).startswith("e/")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import graph
    from tests.conftest import REPO

    out = tmp_path_factory.mktemp("pages") / "exports"
    graph.build(graph.load(REPO), out)
    return out


def test_timeline_has_approvals_changes_and_joins_with_sources(built):
    page = soup((built / "site" / "timeline.html").read_text(encoding="utf-8"))
    events = page.select("li.event")
    kinds = {e["data-kind"] for e in events}
    assert {"approval", "joined", "member-dissolved", "extension"} <= kinds
    chaohu = [e for e in events if e["data-date"] == "2011-08-22" and e["data-kind"] == "member-dissolved"]
    assert len(chaohu) == 1 and "皖江" in chaohu[0].get_text()
    liaoxibei = [e for e in events if e["data-kind"] == "approval" and "辽西北" in e.get_text()]
    assert [e["data-date"] for e in liaoxibei] == ["2020-12-09"]
    assert all(e.select("sup.fn a[href^='e/doc/']") for e in events)
    years = [int(s["id"][1:]) for s in page.select("section.year")]
    assert years == sorted(years) and years[0] == 2010


def test_ontology_page_lists_every_term_with_labels_and_counts(built, kg):
    page = soup((built / "site" / "ontology.html").read_text(encoding="utf-8"))
    rows = {tr["data-term"]: [td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in page.select("tr[data-term]")}
    (n,), = kg.select("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { GRAPH <https://w3id.org/zonegraph/id/graph/ontology> "
                      "{ ?t a ?k VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty "
                      "owl:AnnotationProperty } } }").rows
    assert len(rows) == int(n.value)
    zone = rows["zg:DemonstrationZone"]
    assert zone[1] == "承接产业转移示范区" and zone[2] == "industrial transfer demonstration zone"
    assert zone[6] == "13"
    province = rows["zg:province"]
    assert province[4] == "zg:DemonstrationZone" and province[5] == "zg:ProvinceLevelRegion"
    (used,), = kg.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { ?s zg:province ?o } }").rows
    assert province[6] == used.value


def test_downloads_page_lists_every_export_with_size(built):
    page = soup((built / "site" / "downloads.html").read_text(encoding="utf-8"))
    rows = {tr["data-file"]: tr for tr in page.select("tr[data-file]")}
    expected = sorted(p.name for p in built.iterdir() if p.is_file() and not p.name.startswith("."))
    assert sorted(rows) == expected
    for name, tr in rows.items():
        assert int(tr.select_one("td[data-bytes]")["data-bytes"]) == (built / name).stat().st_size
        assert tr.a["href"] == f"../{name}"
        assert "CC BY 4.0" in tr.get_text()  # the data licence declared in graph/__init__.py
    assert "GEXF" in rows["zonegraph.gexf"].get_text()
    index = soup((built / "site" / "index.html").read_text(encoding="utf-8"))
    assert {"timeline.html", "ontology.html", "downloads.html"} <= {a["href"] for a in index.select("main a")}


def test_flow_chains_run_left_to_right_and_count_links_and_projects(sb, kg):
    from graph import sankey

    chains = sankey.chains(sb)
    declared = [c for c in chains if c.mode == "declared"]
    realised = [c for c in chains if c.mode == "realised"]
    (links,), = kg.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?l ?s ?r ?i WHERE { ?l a zg:TransferLink ; "
                          "zg:receiver ?r OPTIONAL { ?l zg:sourceRegion ?s } OPTIONAL { ?l zg:industry ?i } } }").rows
    assert len(declared) == int(links.value)
    assert all(c.nodes[4] is None for c in declared)
    assert all(c.nodes[4] and c.nodes[2] for c in realised)
    out = sankey.layout(sb, "../")
    # every band goes left to right, and a node's height is its number of chains
    for band in out["links"]:
        x0 = float(band["d"].split(",")[0][1:])
        x1 = float(band["d"].split()[-1].split(",")[0])
        assert x1 > x0
    liaoxibei = next(n for n in out["nodes"] if n["id"] == "zone:liaoxibei")
    assert liaoxibei["h"] == sankey.UNIT * sum(1 for c in chains if c.nodes[2] == "zone:liaoxibei")


def test_target_industries_are_grouped_by_the_document_that_names_them_newest_first(sb, kg):
    page = soup(sb.profile_page("zone:xiangnan-xiangxi"))
    rows = page.select("table.plans tbody tr")
    issued = [tr.select_one("td.date").get_text() for tr in rows]
    assert issued[:3] == ["2021-07-22", "2020-03-03", "2018-11-21"]
    assert issued == sorted(issued, reverse=True)
    for tr in rows:
        doc = tr["data-doc"]
        page_of_doc = viz.page_path(doc)
        assert tr.select_one("td a")["href"].endswith(page_of_doc)
        # each industry in the row carries a footnote, and every footnote leads into that row's document
        cells = tr.select_one("td.industries")
        industries = cells.select("a:not(sup a)")
        assert industries
        for fn in cells.select("sup.fn a"):
            assert fn["href"].split("#")[0].endswith(page_of_doc), (doc, fn["href"])
    # the rows together name exactly the zone's cited target industries
    named = {a.get_text() for tr in rows for a in tr.select_one("td.industries").select("a:not(sup a)")}
    (n,), = kg.select("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { zone:xiangnan-xiangxi zg:targetIndustry ?i }").rows
    assert len(named) == int(n.value)


def test_undated_documents_come_after_dated_ones(sb):
    rows = soup(sb.profile_page("zone:wanjiang")).select("table.plans tbody tr")
    issued = [tr.select_one("td.date").get_text() for tr in rows]
    assert issued[0] == "2021-07-22" and issued[-1] == "—"
