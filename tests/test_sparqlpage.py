"""The static site's query page: SPARQL in the browser from file://, offline (Oxigraph WebAssembly),
every named query giving the CLI's rows."""

from __future__ import annotations

from collections import Counter

import pytest

from graph import persist, sparqlpage
from graph.remote import _term
from graph.store import Table
from tests.test_browser import Page
from tests.test_parity import RUNS, QUERIES, _rows, _text
from tests.conftest import REPO


@pytest.fixture(scope="module")
def page_site(tmp_path_factory):
    kg, _ = persist.open_graph(REPO)
    site = tmp_path_factory.mktemp("site")
    (site / "e" / "zone").mkdir(parents=True)
    (site / "e" / "zone" / "wanjiang.html").write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    sparqlpage.write(kg, site)
    return kg, site


@pytest.fixture(scope="module")
def opened(browser, page_site):
    kg, site = page_site
    p = Page(browser, (site / sparqlpage.PAGE).as_uri())
    p.page.wait_for_function("typeof window.zonegraphQuery === 'function'", timeout=60000)
    yield kg, p
    p.context.close()


def test_page_loads_offline_without_errors(opened):
    kg, p = opened
    assert p.requests == [] and p.errors == []
    assert p.page.inner_text("#status") == "ready"


@pytest.mark.parametrize("name,kind,params", RUNS, ids=[f"{n}-{k}" for n, k, _ in RUNS])
def test_every_named_query_gives_the_cli_rows_in_the_browser(opened, name, kind, params):
    kg, p = opened
    text = _text(kg, name, params)
    from graph.remote import standalone

    got = p.page.evaluate("q => window.zonegraphQuery(q)", standalone(text))
    table = Table(got["columns"], [tuple(None if c is None else _term(c) for c in r) for r in got["rows"]])
    local = QUERIES[name].normalise(kg.select(text))
    assert table.columns == local.columns
    assert _rows(QUERIES[name].normalise(table)) == _rows(local)


def test_examples_run_from_the_page_and_iris_link_to_entity_pages(opened):
    kg, p = opened
    pg = p.page
    pg.select_option("#examples", label="zone-members")
    pg.click("#run")
    pg.wait_for_selector("#out table")
    assert "rows" in pg.inner_text("#status")
    hrefs = pg.eval_on_selector_all("#out a", "as => as.map(a => a.getAttribute('href'))")
    assert "e/zone/wanjiang.html" in hrefs
    assert Counter(hrefs)["e/zone/wanjiang.html"] == len(
        [r for r in kg.select("SELECT ?m WHERE { ?x a zg:Membership ; zg:zone zone:wanjiang ; zg:member ?m }").rows])
