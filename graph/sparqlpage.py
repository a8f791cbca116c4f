"""A SPARQL query page for the static site that runs in the browser with no server, from ``file://``.

The engine is Oxigraph's WebAssembly build (npm ``oxigraph``, vendored in graph/assets/oxigraph-wasm).
Chromium loads neither module scripts nor ``fetch`` from ``file://``, so everything arrives as
classic scripts: the ES module is rewritten into a classic script that exposes ``window.oxigraph``
and carries the ``.wasm`` bytes as base64 (instantiated with ``initSync``), and the dataset — every
quad of the named graphs — is a JavaScript string in ``data.js``; the page materialises the union.

The page: an editor, every named query as an example (parameters of its documented example bound),
results as a table whose IRIs link to the site's entity pages, CSV download, and for tests
``window.zonegraphQuery(sparql)`` returning ``{columns, rows}`` (rows of SPARQL JSON bindings).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pyoxigraph as ox

from graph import ns

WASM_DIR = Path(__file__).resolve().parent / "assets" / "oxigraph-wasm"
PAGE = "query.html"
ASSETS = "query-assets"


def engine_script() -> str:
    """web.js as a classic script defining ``window.oxigraph``, wasm bytes inlined."""
    src = (WASM_DIR / "web.js").read_text(encoding="utf-8")
    src = re.sub(r"^export \{[^}]*\};?\s*$", "", src, flags=re.MULTILINE)
    src = re.sub(r"^export (class|function|const|let) ", r"\1 ", src, flags=re.MULTILINE)
    src = src.replace("import.meta.url", "location.href")
    wasm = base64.b64encode((WASM_DIR / "web_bg.wasm").read_bytes()).decode("ascii")
    return ("(function () {\n" + src + "\n"
            f'const b64 = "{wasm}";\n'
            "const bin = atob(b64); const bytes = new Uint8Array(bin.length);\n"
            "for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);\n"
            "initSync({module: bytes});\n"
            "window.oxigraph = {Store, NamedNode, Literal, BlankNode, DefaultGraph};\n"
            "})();\n")


def data_script(store: ox.Store) -> str:
    """The named graphs only, as sorted N-Quads: the page copies each triple into the default graph
    itself (a store is a set, so the union comes out as a set), which halves the download."""
    lines = sorted(str(q) + " ." for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
    return "window.ZONEGRAPH_NQUADS = " + json.dumps("\n".join(lines) + "\n", ensure_ascii=False) + ";\n"


def write(kg, site: str | Path, lang: str = "zh") -> list[str]:
    """Write ``query.html`` and its assets into ``site`` (the built site folder); returns paths."""
    from graph.serve import examples
    from graph.viz import page_path

    site = Path(site)
    (site / ASSETS).mkdir(parents=True, exist_ok=True)
    (site / ASSETS / "oxigraph.js").write_text(engine_script(), encoding="utf-8")
    (site / ASSETS / "data.js").write_text(data_script(kg.store), encoding="utf-8")
    pages = {}
    for p in sorted(site.glob("e/*/*.html")):
        pages[p.relative_to(site).as_posix()] = True
    links = {}
    for (s,) in kg.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }").rows:
        path = page_path(ns.curie(s.value))  # an IRI no CURIE holds has its page too
        if ns.is_entity(s.value) and path in pages:
            links[s.value] = path
    items = examples(kg, lang)
    options = "\n".join(f'<option value="{i}">{_esc(e["name"])}</option>' for i, e in enumerate(items))
    payload = json.dumps({"examples": [e["sparql"] for e in items], "links": dict(sorted(links.items()))},
                         ensure_ascii=False).replace("</", "<\\/")
    (site / PAGE).write_text(_PAGE.replace("{{style}}", STYLE).replace("{{options}}", options).replace("{{payload}}", payload),
                             encoding="utf-8")
    return [PAGE, f"{ASSETS}/oxigraph.js", f"{ASSETS}/data.js"]


def _esc(text: str) -> str:
    import html

    return html.escape(text)


# The look shared by the site's query page and the query page of `zonegraph serve`.
STYLE = """
body{font-family:sans-serif;margin:1em;max-width:80em}
textarea{width:100%;height:16em;font-family:monospace;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin-top:1em}
td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}
#status{margin-left:1em;color:#555}
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>SPARQL · zonegraph</title>
<style>{{style}}</style></head><body>
<h1>SPARQL in the browser</h1>
<p>Runs here, offline, with Oxigraph compiled to WebAssembly over the whole dataset: the default graph is the
union of all graphs, <code>GRAPH ?g</code> reaches the citations. <a href="index.html">Back to the site</a>.</p>
<label>Example: <select id="examples"><option value="">(choose a named query)</option>
{{options}}</select></label>
<textarea id="q" spellcheck="false">SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }</textarea>
<button id="run">Run</button> <button id="csv">Download CSV</button><span id="status">loading the engine…</span>
<div id="out"></div>
<script src="query-assets/oxigraph.js"></script>
<script src="query-assets/data.js"></script>
<script>
const Z = {{payload}};
const store = new oxigraph.Store();
store.load(window.ZONEGRAPH_NQUADS, {format: "application/n-quads"});
// the union of all graphs as a set in the default graph, the project's rule (graph/store.py)
store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }");
window.zonegraphQuery = function (sparql) {
  const j = JSON.parse(store.query(sparql, {results_format: "application/sparql-results+json"}));
  if ('boolean' in j) return {columns: ['boolean'], rows: [[{type: 'literal', value: String(j.boolean)}]]};
  return {columns: j.head.vars, rows: j.results.bindings.map(b => j.head.vars.map(v => b[v] || null))};
};
const q = document.getElementById('q'), out = document.getElementById('out'), st = document.getElementById('status');
st.textContent = 'ready';
document.getElementById('examples').onchange = e => { if (e.target.value !== '') q.value = Z.examples[+e.target.value]; };
function cell(b) { const td = document.createElement('td'); if (!b) return td;
  if (b.type === 'uri') { const a = document.createElement('a'); a.href = Z.links[b.value] || b.value;
    a.textContent = b.value; td.appendChild(a); } else td.textContent = b.value; return td; }
let last = null;
document.getElementById('run').onclick = () => {
  out.textContent = ''; const t0 = performance.now();
  try { last = window.zonegraphQuery(q.value); } catch (e) { st.textContent = String(e); return; }
  const table = document.createElement('table'); const tr = table.insertRow();
  last.columns.forEach(v => { const th = document.createElement('th'); th.textContent = v; tr.appendChild(th); });
  last.rows.forEach(r => { const row = table.insertRow(); r.forEach(b => row.appendChild(cell(b))); });
  out.appendChild(table); st.textContent = last.rows.length + ' rows, ' + Math.round(performance.now() - t0) + ' ms';
};
document.getElementById('csv').onclick = () => {
  if (!last) return;
  const esc = s => /[",\\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  const text = [last.columns.map(esc).join(',')].concat(last.rows.map(r => r.map(b => esc(b ? b.value : '')).join(','))).join('\\n') + '\\n';
  const a = document.createElement('a'); a.href = URL.createObjectURL(new Blob([text], {type: 'text/csv'}));
  a.download = 'query.csv'; a.click();
};
</script></body></html>
"""
