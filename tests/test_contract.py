"""The answer contract of the named queries: a row states only what its sources state, once, with
those sources on the row.

Every shipped query is checked here, on the real data with its own examples and on a fixture where
facts that no statement links sit side by side. A new query fails `test_every_query_is_covered`
until it is added to one of the two lists below.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

import graph
from graph.queries import SEPARATOR, named_queries
from tests.conftest import FIXTURES, make_root

QUERIES = named_queries()


# ---------------------------------------------------------------- headers
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_states_its_contract(name):
    q = QUERIES[name]
    assert len(q.row) > 30, f"{name}: a '#+ row:' header must say what one row asserts"
    assert q.headers.get("subject"), f"{name}: '#+ subject:' names the column(s) of the entity a row is about"
    assert q.headers.get("key"), f"{name}: '#+ key:' names the columns that identify what a row asserts"
    sources = q.headers.get("sources", "sources")
    assert sources.startswith("none -- ") or q.source_columns, f"{name}: '#+ sources:' needs columns or 'none -- why'"


# ---------------------------------------------------------------- the real data
def _runs(name):
    """Each query with its documented example, and without its optional parameters."""
    return [params for _, params in QUERIES[name].runs()]


@pytest.fixture(scope="module")
def citations(kg):
    """(document CURIE, locator) -> citation IRIs, and citation IRI -> every IRI it mentions."""
    by_place = defaultdict(set)
    for c, d, loc in kg.select(
        "SELECT ?c ?d ?l WHERE { GRAPH zgg:sources { ?c zg:document ?d ; zg:locator ?l } }"
    ).rows:
        by_place[(graph.store.plain(d), loc.value)].add(c.value)
    mentions = defaultdict(set)
    for q in kg.quads():
        for term in (q.subject, q.object):
            if hasattr(term, "value") and term.value.startswith("https://w3id.org/zonegraph/"):
                mentions[q.graph_name.value].add(graph.store.plain(term))
    return by_place, mentions


@pytest.mark.parametrize("name", sorted(QUERIES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_duplicate_rows_on_the_real_data(kg, name, lang):
    for params in _runs(name):
        table = graph.run_named_query(kg, name, params, lang=lang)
        seen = [tuple(r) for r in table.rows]
        dupes = {r for r in seen if seen.count(r) > 1}
        assert not dupes, f"{name} {params}: {len(dupes)} repeated row(s), e.g. {sorted(map(str, dupes))[:1]}"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_one_row_per_asserted_thing(kg, name):
    """The columns of '#+ key:' identify what a row asserts: no two rows share them (a second
    source or a second value goes into the row's cells, not into another row)."""
    key = QUERIES[name].headers["key"].split()
    for params in _runs(name):
        keys = [tuple(r[c] for c in key) for r in graph.run_named_query(kg, name, params).values()]
        repeated = sorted({k for k in keys if keys.count(k) > 1}, key=str)
        assert not repeated, f"{name} {params}: {len(repeated)} thing(s) on several rows, e.g. {repeated[:1]}"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_multi_valued_cells_are_sorted_and_unique(kg, name):
    q = QUERIES[name]
    for params in _runs(name):
        for row in graph.run_named_query(kg, name, params).values():
            for col in q.multi:
                assert col in row, f"{name}: '#+ multi:' names {col}, which the query does not return"
                values = (row[col] or "").split(SEPARATOR) if row[col] else []
                assert values == sorted(set(values)) and "" not in values, f"{name}.{col}: {row[col]!r}"


@pytest.mark.parametrize("name", sorted(n for n, q in QUERIES.items() if q.source_columns))
def test_sources_reach_citations_that_state_the_row(kg, name, citations):
    """Every source named on a row is a real citation (document + locator) or one of the project's
    own graphs, and the citation's graph holds a statement about the row's entity."""
    by_place, mentions = citations
    q = QUERIES[name]
    subjects = q.headers["subject"].split()
    checked = 0
    for params in _runs(name):
        for row in graph.run_named_query(kg, name, params).values():
            entities = {v for col in subjects for v in (row.get(col) or "").split(SEPARATOR) if v}
            assert entities, f"{name}: no subject in {subjects} on row {row}"
            for col in q.source_columns:
                for entry in (row[col] or "").split(SEPARATOR) if row[col] else []:
                    if entry.startswith("zgg:"):
                        continue
                    doc, _, locator = entry.partition(" ")
                    cites = by_place.get((doc, locator))
                    assert cites, f"{name}: {entry!r} is no citation (document + locator)"
                    assert any(entities & mentions[c] for c in cites), \
                        f"{name}: {entry!r} states nothing about {sorted(entities)}"
                    checked += 1
    assert checked or name in NO_ROWS_WITH_CITATIONS, f"{name}: no source was checked"


NO_ROWS_WITH_CITATIONS: set[str] = set()


# ---------------------------------------------------------------- the contract fixture
@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    return graph.load(make_root(tmp_path_factory.mktemp("contract"), FIXTURES / "contract.trig"))


def rows(kg, name, **params):
    return graph.run_named_query(kg, name, params).values()


def check_zones_targeting_industry(kg):
    found = rows(kg, "zones-targeting-industry", industry="新材料")
    pairs = {(r["term"], r["link"], r["source_region"]) for r in found}
    # the zone-level source region 珠三角 and the 电子信息 link's source (北京) are never paired
    # with a target the sources state apart
    assert pairs == {("ind:xincailiao", "target", None), ("ind:haimiantai", "target", None),
                     ("ind:xincailiao", "transfer link", "macro:jingjinji")}
    assert {r["sources"] for r in found if r["link"] == "transfer link"} == {"doc:fixture §2"}


def check_zones_by_industry(kg):
    assert rows(kg, "zones-by-industry", industry="ind:laozihao") == []  # a source's own grouping
    narrower = {r["target"]: r["match"] for r in rows(kg, "zones-by-industry", industry="新材料")}
    assert narrower == {"ind:xincailiao": "exact", "ind:haimiantai": "narrower"}
    assert {r["under"] for r in rows(kg, "zones-by-industry")} == {"ind:xincailiao", "ind:haimiantai"}


def check_documents_concerning_industry(kg):
    assert rows(kg, "documents-concerning-industry", industry="ind:laozihao") == []
    terms = {r["term"] for r in rows(kg, "documents-concerning-industry", industry="新材料")}
    assert terms == {"ind:xincailiao", "ind:haimiantai"}


def check_zone_members(kg):
    found = {r["member"]: r for r in rows(kg, "zone-members", zone="zone:testzone")}
    assert len(found) == 2
    assert found["region:211300"]["starts"] == "2020-12-09 | 2020-12-15"
    assert found["region:211300"]["dates_conflict"] == "yes"
    assert found["region:211300"]["sources"] == "doc:fixture §1 | doc:fixture §6"


def check_members_as_of(kg):
    found = rows(kg, "members-as-of", year="2022")  # 阜新市 left in 2022-06
    assert [r["member"] for r in found] == ["region:211300"]  # once, though two sources date it
    assert found[0]["starts"] == "2020-12-09 | 2020-12-15" and found[0]["dates_conflict"] == "yes"
    assert [r["member"] for r in rows(kg, "members-as-of", year="2021")] == ["region:210900", "region:211300"]
    assert rows(kg, "members-as-of", year="2019") == []


def check_changes_in_year(kg):
    began = [r for r in rows(kg, "changes-in-year", year="2020") if r["event"] == "membership began"]
    assert sorted(r["entity"] for r in began) == ["mem:testzone--210900", "mem:testzone--211300"]


def check_zones(kg):
    (row,) = rows(kg, "zones")
    assert row["approval_dates"] == "2020-12 | 2020-12-09" and row["dates_conflict"] == ""
    assert row["current_members"] == "朝阳市"  # 阜新市's membership ended in 2022
    assert row["approval_sources"] == "doc:fixture §1 | doc:fixture §2"


def check_panel_source_zone_industry(kg):
    found = {(r["source"], r["industry"], r["link"]) for r in rows(kg, "panel-source-zone-industry")}
    assert ("macro:zhusanjiao", None, "zone-level source region") in found
    assert not {f for f in found if f[0] == "macro:zhusanjiao" and f[1]}, "a zone-level source got an industry"
    assert ("region:110000", "ind:dianzi", "transfer link to the zone") in found
    assert ("region:110000", "ind:xincailiao", "project in a member region") in found


def check_zone_source_regions(kg):
    found = {(r["source_region"], r["industry"], r["link"]) for r in rows(kg, "zone-source-regions")}
    assert found == {("macro:jingjinji", None, "zone-level source region"),
                     ("macro:zhusanjiao", None, "zone-level source region"),
                     ("macro:jingjinji", "ind:xincailiao", "declared transfer link"),
                     ("region:110000", "ind:dianzi", "declared transfer link")}


def check_industries_shared(kg):
    assert rows(kg, "industries-shared") == []  # one zone only: nothing is shared


def check_zones_by_classification(kg):
    assert rows(kg, "zones-by-classification") == []  # the fixture maps nothing to a classification


def check_industry_hierarchy(kg):
    found = {(r["industry"], r["broader"]): r["sources"] for r in rows(kg, "industry-hierarchy")}
    assert found[("ind:haimiantai", "ind:xincailiao")] == "zgg:vocabulary"
    assert found[("ind:haimiantai", "ind:laozihao")] == "doc:fixture §5"
    assert {r["industry"] for r in rows(kg, "industry-hierarchy", root="新材料")} == {"ind:haimiantai"}


def check_declared_vs_realised(kg):
    (row,) = rows(kg, "declared-vs-realised")
    assert (row["target_industries"], row["source_regions"], row["transfer_links"], row["projects"]) == \
        ("2", "2", "2", "1")


def check_zones_of_province(kg):
    (row,) = rows(kg, "zones-of-province", province="region:210000")
    assert row["how"] == "member region | province"


def check_projects(kg):
    (row,) = rows(kg, "panel-projects")
    assert row["parks"] == "park:testpark" and row["sources"] == "doc:fixture §2"
    (row,) = rows(kg, "projects-by-origin")
    assert row["origin"] == "region:110000" and row["landed_in"] == "park:testpark"


# Queries that join statements, each with the check that it does not pair unrelated facts.
PAIRING_CHECKS = {
    "zones-targeting-industry": check_zones_targeting_industry,
    "zones-by-industry": check_zones_by_industry,
    "documents-concerning-industry": check_documents_concerning_industry,
    "zone-members": check_zone_members,
    "members-as-of": check_members_as_of,
    "changes-in-year": check_changes_in_year,
    "zones": check_zones,
    "panel-source-zone-industry": check_panel_source_zone_industry,
    "zone-source-regions": check_zone_source_regions,
    "industries-shared": check_industries_shared,
    "zones-by-classification": check_zones_by_classification,
    "industry-hierarchy": check_industry_hierarchy,
    "declared-vs-realised": check_declared_vs_realised,
    "zones-of-province": check_zones_of_province,
    "panel-projects": check_projects,
    "projects-by-origin": check_projects,
}
# Queries whose rows come from one statement or one entity's own statements (no join to pair).
SINGLE_STATEMENT = {
    "plan-periods": "one plan's period statements per row",
    "document-editions": "one revision statement per row, with each edition's own title and date",
    "positioning-roles": "one positioning-role statement per row",
    "layout-roles": "one layout role (zone, holder, role phrase) per row, its own statements",
    "conflicting-dates": "one date statement per row, grouped by value",
    "facts-from-document": "one statement per row",
    "statement-sources": "one statement per row",
    "industry-mappings": "one mapping statement per row",
    "macro-regions": "one membership statement per row",
    "member-coordinates": "a membership and the member's own coordinates",
    "source-documents": "one document record per row",
    "zone-changes": "one change entity's own statements",
    "zone-documents": "statements linking one document to the zone",
    "documents-concerning-region": "statements of one document about the region",
    "parks-in-city": "one park's own statements",
    "panel-zone-industry-year": "one target statement per row",
    "zones-by-year": "the approval-date statements of the zones counted",
    "panel-memberships": "one membership's own statements, with the approval document of the change that "
                         "added the member (or of the zone) beside them",
}


def test_every_query_is_covered():
    missing = set(QUERIES) - set(PAIRING_CHECKS) - set(SINGLE_STATEMENT)
    assert not missing, f"add a pairing check (or a reason in SINGLE_STATEMENT) for: {sorted(missing)}"
    assert not set(PAIRING_CHECKS) & set(SINGLE_STATEMENT)


@pytest.mark.parametrize("name", sorted(PAIRING_CHECKS))
def test_query_does_not_pair_unrelated_facts(fx, name):
    PAIRING_CHECKS[name](fx)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_no_duplicate_rows_on_the_fixture(fx, name):
    q = QUERIES[name]
    params = {p.name: {"year": "2021", "zone": "zone:testzone", "industry": "新材料", "region": "region:210000",
                       "province": "region:210000", "document": "doc:fixture", "entity": "zone:testzone"}[p.name]
              for p in q.params if p.required}
    seen = [tuple(r) for r in graph.run_named_query(fx, name, params).rows]
    assert len(seen) == len(set(seen)), name


# ---------------------------------------------------------------- the examples of issue 9, on the real data
def test_liaoxibei_receives_no_industry_from_a_region_no_source_pairs_it_with(kg):
    found = rows(kg, "zones-targeting-industry", industry="新材料")
    assert not [r for r in found if r["zone"] == "zone:liaoxibei" and r["term"] == "ind:haimiangao"
                and r["source_region"] in ("macro:zhusanjiao", "macro:changjiang")]
    links = [r for r in found if r["link"] == "transfer link"]
    assert links and all(r["source_region"] for r in links)


def test_no_zone_targets_a_source_grouping(kg):
    """seed 000's 老字号 and 朝阳's cluster list group a source's own list: no roll-up through them."""
    for grouping in ("ind:laozihao", "ind:chaoyangshiguihuajianshechanyelian"):
        assert [r for r in rows(kg, "zones-by-industry", industry=grouping) if r["match"] != "exact"] == []
        assert [r for r in rows(kg, "zones-targeting-industry", industry=grouping) if r["match"] != "exact"] == []


def test_jixinan_has_three_members_once_each_with_both_dates(kg):
    found = rows(kg, "zone-members", zone="吉西南承接产业转移示范区")
    assert sorted(r["member_label"] for r in found) == ["四平市", "辽源市", "通化市"]
    assert all(r["starts"] == "2023-02-28 | 2023-03-15" and r["dates_conflict"] == "yes" for r in found)
    in_2023 = [r for r in rows(kg, "members-as-of", year="2023") if r["zone"] == "zone:jixinan"]
    assert len(in_2023) == 3


def test_zone_table_carries_approval_and_members_with_sources(kg):
    table = {r["zone"]: r for r in rows(kg, "zones")}
    liaoxibei = table["zone:liaoxibei"]
    assert liaoxibei["approval_dates"] == "2020-12-09"
    assert liaoxibei["approval_documents"] == "doc:ndrc-reply-2020-liaoxibei"
    assert liaoxibei["current_members"] == "朝阳市 | 阜新市"
    assert liaoxibei["approval_sources"].startswith("doc:seed-000 ")
    lanbai = table["zone:lanbai"]
    assert lanbai["document_numbers"] == "发改西部〔2013〕488号"
    assert table["zone:jixinan"]["dates_conflict"] == "yes"
    assert table["zone:wanjiang"]["dates_conflict"] == ""  # 2010 and 2010-01-12 agree


def test_readme_row_with_sources_is_real(kg):
    """The README shows one row of `zones` with its sources; it must be what the query returns."""
    import csv
    import io

    from graph.docs import README

    text = README.read_text(encoding="utf-8")
    block = text.split("A row of `zonegraph query -n zones -F csv`", 1)[1].split("```", 2)[1].strip()
    header, line = block.splitlines()
    shown = dict(zip(header.split(","), next(csv.reader(io.StringIO(line)))))
    row = next(r for r in rows(kg, "zones") if r["zone"] == shown["zone"])
    assert {k: row[k] or "" for k in shown} == shown, "README's sample row of `zones` is stale"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_cli_gives_the_library_rows(kg, run, name):
    """`zonegraph query -n` (bounded, streamed) prints exactly the rows of run_named_query."""
    import csv
    import io

    q = QUERIES[name]
    args = [a for k, v in q.example_params().items() for a in ("-p", f"{k}={v}")]
    out = run("query", "-n", name, *args, "-F", "csv")
    assert out.exit_code == 0, out.stderr
    printed = [dict(r) for r in csv.DictReader(io.StringIO(out.stdout))]
    expected = [{k: v or "" for k, v in r.items()} for r in rows(kg, name, **q.example_params())]
    assert printed == expected
