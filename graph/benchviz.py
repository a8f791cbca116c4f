"""``zonegraph bench-viz``: time from navigation to the network being drawn, in headless Chromium,
for our views and for pyvis's default output (physics on) of the same graphs.

"Drawn" is the first canvas fill() or stroke() after navigation (an init script wraps them), read
as ``performance.now()``; with physics on, vis-network stabilises before its first frame, so this
is when the user first sees the network. "Frame" (busy) is measured once
drawn: the worst delay of a zero-timeout task over about a second (a page busy with physics or
redraws delays it), i.e. whether the page still responds.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from graph import viz

HOOK = """
(() => {
  const mark = () => { if (window.__firstDraw === undefined) window.__firstDraw = performance.now(); };
  for (const name of ["fill", "stroke", "fillText"]) {
    const original = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) { mark(); return original.apply(this, args); };
  }
})();
"""
CLASSES = list(viz.CLASS_STYLE)


@dataclass
class Result:
    case: str
    nodes: int
    edges: int
    ours_ms: float | None
    pyvis_ms: float | None
    ours_frame_ms: float | None
    pyvis_frame_ms: float | None
    pyvis_run: bool = True  # False with --no-pyvis: its columns say "not run", not "did not draw"

    @property
    def ratio(self) -> str:
        if not self.pyvis_run:
            return "not run"
        if self.ours_ms and self.pyvis_ms:
            return f"{self.pyvis_ms / self.ours_ms:.1f}x"
        if self.ours_ms and self.pyvis_ms is None:
            return "pyvis did not draw"
        return "-"


def synthetic(n: int, seed: int = 1) -> nx.MultiGraph:
    """A random graph of n nodes and 1.5n edges, nodes spread over the project's classes."""
    rng = random.Random(seed)
    simple = nx.gnm_random_graph(n, int(1.5 * n), seed=seed)
    g = nx.MultiGraph()
    for i in simple.nodes:
        cls = CLASSES[rng.randrange(len(CLASSES))]
        g.add_node(f"n:{i}", cls=cls, label_zh=f"节点{i}", label_en=f"node {i}")
    from graph.network import Hop

    for u, v in simple.edges:
        hop = Hop(f"n:{u}", f"n:{v}", "related", rng.choice(["declared", "realised", "structural"]))
        g.add_edge(f"n:{u}", f"n:{v}", key="related", hop=hop)
    return g


def _ours(kg, g: nx.MultiGraph, folder: Path, name: str, positions: dict | None = None,
          basemap: bool = False) -> Path:
    path = folder / f"ours-{name}.html"
    # a view with geographic positions is drawn as the site draws it: on the basemap
    viz.write(path, viz.render_view(kg, g, name, "", "zh", positions, basemap=basemap))
    return path


def _pyvis_default(g: nx.MultiGraph, folder: Path, name: str) -> Path:
    """pyvis's defaults: physics on, its own template, libraries in line (the only mode that can
    draw offline). Built through FastNetwork so generation does not take minutes; the HTML is the same."""
    net = viz._pyvis()(height="900px", width="100%")
    net.cdn_resources = "in_line"
    for n, d in sorted(g.nodes(data=True)):
        net.add_node(n, label=d.get("label_zh", n))
    for u, v in sorted((min(a, b), max(a, b)) for a, b in g.edges()):
        net.add_edge(u, v)
    path = folder / f"pyvis-{name}.html"
    path.write_text(net.generate_html(), encoding="utf-8")
    return path


def _measure(browser, path: Path, timeout_s: float) -> tuple[float | None, float | None]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    context.add_init_script(HOOK)
    page = context.new_page()
    try:
        page.goto(path.as_uri(), timeout=timeout_s * 1000)
        page.wait_for_function("window.__firstDraw !== undefined", timeout=timeout_s * 1000, polling=50)
        drawn = page.evaluate("window.__firstDraw")
        page.wait_for_timeout(200)
        # responsiveness: worst delay of a zero-timeout task over ~1 s (a busy main thread delays it)
        frame = page.evaluate("""async () => { let worst = 0;
            for (let i = 0; i < 10; i++) {
              const t = performance.now();
              await new Promise(r => setTimeout(r, 0));
              worst = Math.max(worst, performance.now() - t);
              await new Promise(r => setTimeout(r, 100));
            }
            return worst; }""")
        return drawn, frame
    except Exception:  # not drawn within the timeout
        return None, None
    finally:
        context.close()


def run(kg, sizes=(1000, 5000, 20000), timeout_s: float = 60, chromium: str = "/usr/bin/chromium",
        include_pyvis: bool = True, progress=None) -> list[Result]:
    """``progress``: optional callable given one line per case as it starts (a case can take minutes)."""
    from playwright.sync_api import sync_playwright

    say = progress or (lambda message: None)

    geo, geo_pos = viz.geo(kg)
    # every kind of view the site ships, on the real data, then synthetic sizes
    cases = [("real overview", viz.overview(kg), None), ("real flow", viz.flow(kg), None),
             ("real geo", geo, geo_pos), ("real zone 皖江 depth 2", viz.neighbourhood(kg, "zone:wanjiang", 2), None),
             ("real industry 新材料", viz.industry_view(kg, "ind:xincailiao"), None)]
    cases += [(f"synthetic {n:,}", synthetic(n), None) for n in sizes]
    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        viz.copy_assets(folder)
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for i, (name, g, pos) in enumerate(cases):
            say(f"case {i + 1}/{len(cases)}: {name} ({g.number_of_nodes():,} nodes), ours"
                + (" then pyvis's default" if include_pyvis else ""))
            slug = f"case{i}"
            ours, ours_frame = _measure(browser, _ours(kg, g, folder, slug, pos, basemap=g is geo), timeout_s)
            theirs = theirs_frame = None
            if include_pyvis:
                theirs, theirs_frame = _measure(browser, _pyvis_default(g, folder, slug), timeout_s)
            results.append(Result(name, g.number_of_nodes(), g.number_of_edges(), ours, theirs, ours_frame,
                                  theirs_frame, include_pyvis))
        browser.close()
    return results


def rows(results: list[Result], timeout_s: float) -> tuple[list[str], list[list]]:
    def fmt(v):
        return f"{v:.0f}" if v is not None else f"> {timeout_s * 1000:.0f}"

    return (["case", "nodes", "edges", "ours_ms", "pyvis_default_ms", "pyvis/ours", "ours_busy_ms",
             "pyvis_busy_ms"],
            [[r.case, r.nodes, r.edges, fmt(r.ours_ms), fmt(r.pyvis_ms) if r.pyvis_run else "not run", r.ratio,
              fmt(r.ours_frame_ms), fmt(r.pyvis_frame_ms) if r.pyvis_run else "not run"] for r in results])


__all__ = ["run", "rows", "synthetic"]
