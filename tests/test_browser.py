"""The site in a real headless browser (Debian's Chromium through Playwright): offline, no console
errors, the networks hold the expected data, clicks show sources, Chinese renders, nothing from the
data executes. Chromium is installed by the README's test command (see .ci/browser)."""

import json
import os
import re
from pathlib import Path

import pytest

import graph
from tests.conftest import FIXTURES, REPO, make_root

CHROMIUM = os.environ.get("ZONEGRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / ".screenshots"


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "exports"
    graph.build(graph.load(REPO), out)
    return out / "site"


class Page:
    """A page with every non-file: request blocked and recorded, and console errors collected."""

    def __init__(self, browser, url):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.requests, self.errors, self.dialogs = [], [], []
        self.context.route(re.compile(r"^(?!file:).*"), self._block)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def _block(self, route):
        self.requests.append(route.request.url)
        route.abort()

    def drawn(self):
        self.page.wait_for_function("document.body.hasAttribute('data-drawn')", timeout=15000)

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def opener(path: Path):
        p = Page(browser, path.as_uri())
        pages.append(p)
        return p

    yield opener
    for p in pages:
        assert p.requests == [], f"requests left the disk: {p.requests}"
        assert p.errors == [], f"console errors: {p.errors}"
        p.close()


def node_point(page, node: str) -> dict:
    """Where a node is drawn on screen (canvas coordinates -> page coordinates)."""
    return page.evaluate("""(id) => { const n = window.zgNetwork;
        const c = n.canvasToDOM(n.getPositions([id])[id]);
        const r = document.getElementById('network').getBoundingClientRect();
        return {x: r.left + c.x, y: r.top + c.y}; }""", node)


def graph_json(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="graph-data">(.*?)</script>', text, re.S).group(1))


def test_index_lists_zones_and_search_finds_by_pinyin(site, open_page):
    p = open_page(site / "index.html")
    assert p.page.locator("table.zones tbody tr").count() == 13
    p.page.fill("#search", "liaoxibei")
    first = p.page.locator("#search-results li a").first
    assert first.inner_text() == "辽西北承接产业转移示范区"
    assert p.page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '示范区')")
    links = p.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    local = [h for h in links if not h.startswith(("http://", "https://", "#"))]
    missing = sorted({h.split("#")[0] for h in local if not (site / h.split("#")[0]).exists()})
    assert missing == []
    if os.environ.get("ZONEGRAPH_SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        p.page.screenshot(path=str(SCREENSHOTS / "index.png"))


def test_zone_page_facts_with_citations_and_graph(site, open_page):
    p = open_page(site / "e" / "zone" / "liaoxibei.html")
    assert p.page.locator("h1").inner_text() == "辽西北承接产业转移示范区"
    row = p.page.locator('table.infobox tr[data-key="approvalDate"]')
    assert "2020-12-09" in row.inner_text()
    link = row.locator("sup.fn a").first
    assert "关于加快建设辽西北承接产业转移示范区的建议" in link.get_attribute("title")
    assert link.get_attribute("href").startswith("../../e/doc/seed-000.html#loc-")
    p.drawn()
    data = graph_json(site / "e" / "zone" / "liaoxibei.html")
    assert p.page.evaluate("window.zgData.nodes.length") == len(data["nodes"])


def test_document_page_lists_every_fact_that_cites_it(site, kg, open_page):
    p = open_page(site / "e" / "doc" / "seed-004.html")
    (n,), = kg.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH zgg:sources { ?c zg:document doc:seed-004 } "
                      "GRAPH ?c { ?s ?p ?o } }").rows
    assert p.page.locator("table.cited tr").count() == int(n.value)
    assert "2023" in p.page.locator("table.meta").inner_text()


@pytest.mark.parametrize("view", ["overview", "flow", "geo", "zone-liaoxibei", "industry-xincailiao"])
def test_views_draw_offline_with_expected_data(site, open_page, view):
    path = site / "views" / f"{view}.html"
    p = open_page(path)
    p.drawn()
    data = graph_json(path)
    assert p.page.evaluate("window.zgData.nodes.length") == len(data["nodes"]) > 0
    assert p.page.evaluate("window.zgData.edges.length") == len(data["edges"]) > 0
    assert p.page.evaluate("Object.keys(window.zgNetwork.getPositions()).length") == len(data["nodes"])
    assert p.page.locator("#class-filter input").count() >= 2


def test_clicking_a_node_shows_its_sources(site, open_page):
    p = open_page(site / "views" / "zone-liaoxibei.html")
    p.drawn()
    pos = node_point(p.page, "zone:liaoxibei")
    p.page.mouse.click(pos["x"], pos["y"])
    details = p.page.locator("#details")
    assert details.locator("h2").inner_text() == "辽西北承接产业转移示范区"
    assert "关于加快建设辽西北承接产业转移示范区的建议" in details.inner_text()
    assert details.locator("ul.sources a").first.get_attribute("href").startswith("../e/doc/")


def test_filters_hide_classes(site, open_page):
    p = open_page(site / "views" / "overview.html")
    p.drawn()
    before = int(p.page.locator("#node-count").inner_text())
    p.page.locator('#class-filter input[data-cls="zg:Industry"]').uncheck()
    after = int(p.page.locator("#node-count").inner_text())
    industries = sum(1 for n in graph_json(site / "views" / "overview.html")["nodes"] if n["cls"] == "zg:Industry")
    assert before - after == industries > 0


def test_nothing_from_the_data_executes(tmp_path, browser):
    root = make_root(tmp_path, FIXTURES / "xss.trig")
    out = tmp_path / "out"
    graph.build(graph.load(root), out)  # the hostile labels are valid data: escaping is the site's job
    site = out / "site"
    pages = [site / "index.html", site / "e" / "zone" / "evil.html", site / "e" / "doc" / "evil.html",
             site / "e" / "ind" / "evil.html", site / "e" / "mem" / "evil--211300.html",
             site / "views" / "overview.html", site / "views" / "zone-evil.html"]
    for path in pages:
        assert path.exists(), path
        p = Page(browser, path.as_uri())
        if "views" in path.parts or path.parent.name == "zone":
            p.drawn()
        p.page.fill("#search", "evil") if path.name == "index.html" else None
        if "views" in path.parts:
            pos = node_point(p.page, "zone:evil")
            p.page.mouse.move(pos["x"], pos["y"])
            p.page.mouse.click(pos["x"], pos["y"])
        p.page.wait_for_timeout(200)
        assert p.page.evaluate("window.__xss") is None, path
        assert p.dialogs == [] and p.requests == [], path
        # the hostile text is shown as text
        assert "window.__xss=1" in p.page.locator("body").inner_text(), path
        assert p.page.locator('a[href^="javascript:"]').count() == 0, path
        p.close()


def test_zone_first_screen_says_what_when_by_what_and_where(site, browser):
    """At 1280×800, without scrolling: the zone's name, approval date, approving document and member
    cities are on screen, each with a footnote that leads to the locator on the document's page."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    requests = []
    ctx.route(re.compile(r"^(?!file:).*"), lambda r: (requests.append(r.request.url), r.abort()))
    page = ctx.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((site / "e" / "zone" / "liaoxibei.html").as_uri())
    page.wait_for_load_state("load")
    for key in ("approvalDate", "approvalDocument", "members", "province"):
        row = page.locator(f'table.infobox tr[data-key="{key}"]')
        box = row.bounding_box()
        assert box and box["y"] + box["height"] <= 800, key
        assert row.locator("sup.fn a").count() >= 1, key
    assert page.locator("h1").bounding_box()["y"] < 800
    members = page.locator('table.infobox tr[data-key="members"] td > a').all_inner_texts()
    assert members == ["阜新市", "朝阳市"]
    # a footnote really lands on the cited passage
    href = page.locator('table.infobox tr[data-key="approvalDate"] sup.fn a').first.get_attribute("href")
    page.goto((site / "e" / "zone" / href).resolve().as_uri().replace("%23", "#"))
    assert page.locator(f"#{href.split('#')[1]}").count() == 1
    if os.environ.get("ZONEGRAPH_SCREENSHOTS"):
        page.goto((site / "e" / "zone" / "liaoxibei.html").as_uri())
        page.screenshot(path=str(SCREENSHOTS / "zone-profile-liaoxibei.png"))
    assert requests == [] and errors == []
    ctx.close()


@pytest.mark.parametrize("view", ["overview", "geo", "flow"])
def test_major_labels_readable_at_first_sight(site, open_page, view):
    p = open_page(site / "views" / f"{view}.html")
    p.drawn()
    labels = p.page.evaluate("window.zgLabels")
    major = labels["major"]
    zones = [m for m in major if m["cls"] == "zg:DemonstrationZone"]
    assert zones and all(m["shown"] and m["px"] >= 10 for m in zones), zones
    shown = [m for m in major if m["shown"]]
    assert all(m["px"] >= 10 for m in shown)
    # provinces and macro-regions give way only where they would pile on a label already placed
    assert len(shown) >= 0.5 * len(major)
    if view == "overview" and os.environ.get("ZONEGRAPH_SCREENSHOTS"):
        # a fresh page at 1280×800, so the fit and the label sizes are those a reader gets at that size
        ctx = p.page.context.browser.new_context(viewport={"width": 1280, "height": 800})
        ctx.route(re.compile(r"^(?!file:).*"), lambda r: r.abort())
        shot = ctx.new_page()
        shot.goto((site / "views" / f"{view}.html").as_uri())
        shot.wait_for_function("document.body.hasAttribute('data-drawn')", timeout=15000)
        shot.wait_for_timeout(300)
        shot.screenshot(path=str(SCREENSHOTS / "overview-labelled.png"))
        ctx.close()


def test_zooming_in_shows_more_labels(site, open_page):
    p = open_page(site / "views" / "overview.html")
    p.drawn()
    before = p.page.evaluate("window.zgLabels.shown")
    p.page.evaluate("window.zgNetwork.moveTo({scale: window.zgNetwork.getScale() * 3})")
    p.page.evaluate("window.zgNetwork.emit('zoom', {})")
    p.page.wait_for_function(f"window.zgLabels.shown > {before}", timeout=5000)


def test_an_absurd_label_cannot_break_the_fit(tmp_path, browser):
    from graph import viz
    from graph.benchviz import synthetic

    kg = graph.load(REPO)
    g = synthetic(60)
    pos = viz.layout(g)
    scales = []
    for i, huge in enumerate((False, True)):
        if huge:
            g.nodes["n:0"]["label_zh"] = "长" * 1_700_000  # about 5 MB in UTF-8
        path = tmp_path / f"v{i}.html"
        viz.copy_assets(tmp_path)
        viz.write(path, viz.render_view(kg, g, "absurd", "", "zh", pos))
        p = Page(browser, path.as_uri())
        p.drawn()
        scales.append(p.page.evaluate("window.zgNetwork.getScale()"))
        assert p.errors == [] and p.requests == []
        p.close()
    assert scales[1] > 0.8 * scales[0], scales


@pytest.mark.parametrize("name", ["timeline", "ontology", "downloads"])
def test_reference_pages_open_offline(site, open_page, name):
    p = open_page(site / f"{name}.html")
    assert p.page.locator("h1").count() == 1
    links = p.page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    local = {h.split("#")[0] for h in links if h and not h.startswith(("http://", "https://", "#"))}
    missing = sorted(h for h in local if not (site / h).resolve().exists())
    assert missing == []
    if name == "timeline":
        assert p.page.locator("li.event").count() > 20
        if os.environ.get("ZONEGRAPH_SCREENSHOTS"):
            p.page.set_viewport_size({"width": 1280, "height": 800})
            p.page.screenshot(path=str(SCREENSHOTS / "timeline.png"))


def test_flow_left_to_right_filters(site, open_page):
    p = open_page(site / "views" / "flow-sankey.html")
    total = p.page.evaluate("window.zgSankey")
    assert total["shown"] == total["chains"] > 0
    p.page.select_option("#filter-zone", "zone:liaoxibei")
    only = p.page.evaluate("window.zgSankey.shown")
    bands = p.page.eval_on_selector_all("#sankey path.band", "els => els.filter(e => e.style.display !== 'none')"
                                                              ".map(e => e.getAttribute('data-zone'))")
    assert 0 < only < total["chains"] and set(bands) == {"zone:liaoxibei"}
    p.page.uncheck("#show-realised")
    modes = p.page.eval_on_selector_all("#sankey path.band", "els => els.filter(e => e.style.display !== 'none')"
                                                              ".map(e => e.getAttribute('data-mode'))")
    assert set(modes) <= {"declared"}
    if os.environ.get("ZONEGRAPH_SCREENSHOTS"):
        p.page.select_option("#filter-zone", "")
        p.page.check("#show-realised")
        p.page.set_viewport_size({"width": 1280, "height": 800})
        p.page.screenshot(path=str(SCREENSHOTS / "flow-left-to-right.png"))


def test_map_draws_provinces_and_zones_offline(site, open_page):
    """The geo view is a map: every provincial-level outline of the vendored basemap is drawn, land is
    filled and sea is not, every zone is in the legend and its member cities are shaded."""
    from graph import geo

    path = site / "views" / "geo.html"
    p = open_page(path)
    p.drawn()
    p.page.wait_for_function("window.zgMap && window.zgMap.features > 0", timeout=5000)
    drawn = p.page.evaluate("window.zgMap")
    data = graph_json(path)
    assert drawn["features"] == len(geo.load_basemap()["features"]) == 34
    zones = sorted(n["id"] for n in data["nodes"] if n["cls"] == "zg:DemonstrationZone")
    legend = p.page.eval_on_selector_all("#zone-legend .legend-item", "els => els.map(e => e.dataset.zone)")
    assert drawn["zones"] == len(zones) >= 12 and sorted(legend) == zones
    assert drawn["members"] == len(data["map"]["members"]) > 30
    p.page.locator('#zone-legend [data-zone="zone:liaoxibei"]').click()
    assert p.page.locator("#details h2").inner_text() == "辽西北承接产业转移示范区"
    assert {m["zone"] for m in data["map"]["members"]} >= {"zone:liaoxibei", "zone:wanjiang"}

    projection = {k: data["map"][k] for k in ("lon0", "lat0", "kx", "ky")}

    def pixel(lon, lat):
        return p.page.evaluate("""([lon, lat, m]) => { const n = window.zgNetwork;
            const c = n.canvasToDOM({x: (lon - m.lon0) * m.kx, y: -(lat - m.lat0) * m.ky});
            const canvas = document.querySelector('#network canvas'), r = window.devicePixelRatio || 1;
            return Array.from(canvas.getContext('2d').getImageData(Math.round(c.x * r), Math.round(c.y * r), 1, 1).data); }""",
                               [lon, lat, projection])

    assert pixel(85.0, 42.0)[:3] == [0xf8, 0xfa, 0xfc]  # Xinjiang: land, no zone there
    assert pixel(125.0, 25.0)[3] == 0  # the sea east of Taiwan: nothing drawn
    # the whole country is in view, and again after a resize (vis-network rescales the view on a resize
    # by the change of size, which pushed the east of the map out of the canvas)
    fits = """([m]) => { const n = window.zgNetwork, b = window.ZG_BASEMAP, k = b.grid;
        const box = document.getElementById('network').getBoundingClientRect();
        let x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
        for (const f of b.features) for (const r of f.rings) for (let i = 0; i < r.length; i += 2) {
          const c = n.canvasToDOM({x: (r[i] / k - m.lon0) * m.kx, y: -(r[i + 1] / k - m.lat0) * m.ky});
          x0 = Math.min(x0, c.x); x1 = Math.max(x1, c.x); y0 = Math.min(y0, c.y); y1 = Math.max(y1, c.y); }
        return {inside: x0 >= 0 && y0 >= 0 && x1 <= box.width && y1 <= box.height,
                fills: Math.max((x1 - x0) / box.width, (y1 - y0) / box.height)}; }"""
    first = p.page.evaluate(fits, [projection])
    assert first["inside"] and first["fills"] > 0.9, first
    p.page.set_viewport_size({"width": 1400, "height": 1000})
    p.page.wait_for_timeout(400)
    again = p.page.evaluate(fits, [projection])
    assert again["inside"] and again["fills"] > 0.9, again
    assert "Natural Earth" in p.page.locator(".attribution").inner_text()
    assert p.page.locator(".attribution").inner_text().count("标准地图") == 1
    if os.environ.get("ZONEGRAPH_SCREENSHOTS"):
        # a fresh page at 1280×800: the map is fitted to the size the reader has
        ctx = p.page.context.browser.new_context(viewport={"width": 1280, "height": 800})
        ctx.route(re.compile(r"^(?!file:).*"), lambda r: r.abort())
        shot = ctx.new_page()
        shot.goto(path.as_uri())
        shot.wait_for_function("window.zgMap && window.zgMap.features > 0", timeout=15000)
        shot.wait_for_timeout(300)
        SCREENSHOTS.mkdir(exist_ok=True)
        shot.screenshot(path=str(SCREENSHOTS / "map-geo.png"))
        ctx.close()


LABEL_BOXES = """() => { const n = window.zgNetwork, s = n.getScale(), boxes = [];
  for (const id in n.body.nodes) { const x = n.body.nodes[id], L = x.labelModule;
    if (!x.options.label) continue;
    // vis-network's own rule (Label.draw): a label is drawn when size × scale ≥ drawThreshold − 1
    if (L.fontOptions.size * s < x.options.scaling.label.drawThreshold - 1) continue;
    // the box vis-network keeps leaves out the vertical adjustment it draws with
    boxes.push({id: id, l: L.size.left * s, t: (L.size.top + (L.fontOptions.vadjust || 0)) * s,
                w: L.size.width * s, h: L.size.height * s}); }
  return boxes; }"""


@pytest.mark.parametrize("view", ["overview", "geo"])
def test_labels_hidden_by_the_level_of_detail_stay_hidden(site, open_page, view):
    """The labels vis-network really draws are the ones the level-of-detail pass placed, and they do
    not overlap — at first sight and after the window grows (vis-network then rescales the view
    without a zoom event; hidden labels used to come back, faded but readable, over zone labels)."""
    p = open_page(site / "views" / f"{view}.html")
    p.drawn()
    for size in (None, {"width": 1900, "height": 1200}):
        if size:
            before = p.page.evaluate("window.zgNetwork.getScale()")
            p.page.set_viewport_size(size)
            p.page.wait_for_function(f"window.zgNetwork.getScale() > {before} * 1.2", timeout=5000)
            p.page.wait_for_timeout(300)  # the pass runs on the next animation frame
        boxes = p.page.evaluate(LABEL_BOXES)
        placed = p.page.evaluate("window.zgLabels")
        assert sorted(b["id"] for b in boxes) == sorted(placed["ids"]), size
        overlaps = [(a["id"], b["id"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                    if min(a["l"] + a["w"], b["l"] + b["w"]) - max(a["l"], b["l"]) > 1
                    and min(a["t"] + a["h"], b["t"] + b["h"]) - max(a["t"], b["t"]) > 1]
        assert overlaps == [], size
