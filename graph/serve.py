"""``zonegraph serve``: the persistent store (graph/persist.py) served read-only by the real
``oxigraph`` server from PyPI, behind a small guard that makes the query timeout reliable.

Why a guard: Oxigraph 0.5's ``--timeout-s`` is cooperative. Measured here, a cross-product SELECT
under ``--timeout-s 2`` answered HTTP 200 and kept streaming rows for as long as the client read
(466 MB in 15 s), and the engine kept a core busy after the client hung up. So:

- the guard runs ``workers`` oxigraph processes (``serve-read-only`` on loopback ports, all on
  the same store), and gives each request one process to itself;
- it reads the engine's whole answer before sending anything, so a client never gets a 200
  with a truncated body; an answer not complete within ``timeout`` seconds of the request's
  arrival (or larger than ``max_bytes``) becomes **504** with a plain-text reason, and the
  process that ran it is killed and replaced — the other processes keep answering;
- updates and Graph Store writes are refused with **403** (the read-only server says the same).

Everything SPARQL — parsing, evaluation, content negotiation (JSON, XML, CSV, TSV), the Graph
Store reads at ``/store`` — is Oxigraph's; the guard only forwards bytes.
"""

from __future__ import annotations

import html
import http.client
import ipaddress
import json
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from graph.errors import ZonegraphError

READ_PATHS = ("/query", "/sparql", "/store")
FORWARD_HEADERS = ("Content-Type", "Content-Length", "Accept")
TIMEOUT_STATUS = 504


class ServeError(ZonegraphError):
    pass


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable installed with the package (PyPI ``oxigraph``)."""
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.exists() else shutil.which("oxigraph")
    if not found:
        raise ServeError("no `oxigraph` server binary: install it with `pip install oxigraph==0.5.13` "
                         "(a dependency of zonegraph; reinstall with `pip install -e .`).")
    return found


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Engine:
    """One ``oxigraph serve-read-only`` process on a loopback port."""

    def __init__(self, store: Path, timeout: float):
        self.store, self.timeout = store, timeout
        self.port = free_port()
        self.proc = subprocess.Popen(
            [oxigraph_binary(), "serve-read-only", "--location", str(store),
             "--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(max(1, int(timeout)))],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent)
        self.conn: http.client.HTTPConnection | None = None

    def wait_ready(self, limit: float = 30.0) -> None:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
                raise ServeError(f"the oxigraph server stopped at start-up: {err.strip()[:500]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        self.kill()
        raise ServeError(f"the oxigraph server did not listen on port {self.port} within {limit:.0f} s")

    def kill(self) -> None:
        if self.conn:
            self.conn.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def rss_kb(self) -> int:
        return _rss_kb(self.proc.pid)


def _die_with_parent() -> None:
    # Linux: the engine gets SIGKILL when serve exits however it exits (kill -9 included), so no
    # orphaned oxigraph keeps the port and a core.
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Timeout(Exception):
    pass


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Guard:
    """The pool of engines and the deadline logic, independent of the HTTP front (tests use it)."""

    def __init__(self, store: Path, timeout: float = 10.0, workers: int = 2, max_bytes: int = 256 << 20):
        self.store, self.timeout, self.max_bytes = store, timeout, max_bytes
        self.free: queue.Queue[Engine] = queue.Queue()
        self.engines: set[Engine] = set()
        self.lock = threading.Lock()
        self.closed = False
        started = [Engine(store, timeout) for _ in range(workers)]
        for e in started:
            e.wait_ready()
            self.engines.add(e)
            self.free.put(e)
        self.replaced = 0
        self._dead: queue.Queue[Engine | None] = queue.Queue()
        threading.Thread(target=self._supervise, daemon=True).start()

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes | None) -> Answer:
        deadline = time.monotonic() + self.timeout
        answer = self._forward_once(method, path, headers, body, deadline)
        if answer.status >= 500 and answer.status not in (503, TIMEOUT_STATUS) and time.monotonic() < deadline:
            # An engine's own failure (seen once in CI, under load, right after a runaway's engine
            # was replaced): that engine is replaced, and a read is safe to ask again of another one.
            # A query that fails on every engine still gets the engine's answer.
            answer = self._forward_once(method, path, headers, body, deadline)
        return answer

    def _forward_once(self, method, path, headers, body, deadline) -> Answer:
        try:
            engine = self.free.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            return _text(503, f"all {len(self.engines)} query engines stayed busy for the {self.timeout:g} s "
                              "timeout; try again, or start serve with more --workers.")
        ok = False
        try:
            answer = self._exchange(engine, method, path, headers, body, deadline)
            ok = answer.status < 500
            return answer
        except Timeout as why:
            return _text(TIMEOUT_STATUS, f"{why}; the query was stopped. Narrow it (anchor it on a class, "
                                         "add LIMIT) or ask the server's operator for a longer --timeout.")
        finally:
            if ok:
                self.free.put(engine)
            else:
                self._replace(engine)

    def _exchange(self, engine: Engine, method, path, headers, body, deadline) -> Answer:
        for attempt in (0, 1):  # a kept-alive connection the engine closed: reconnect once
            if engine.conn is None:
                engine.conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=self.timeout)
            conn = engine.conn
            try:
                conn.timeout = max(0.01, deadline - time.monotonic())
                conn.request(method, path, body=body, headers=headers)
                if conn.sock:
                    conn.sock.settimeout(max(0.01, deadline - time.monotonic()))
                resp = conn.getresponse()
                chunks, size = [], 0
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Timeout(f"no complete answer within the {self.timeout:g} s timeout")
                    conn.sock.settimeout(left)
                    chunk = resp.read1(1 << 16)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise Timeout(f"the answer passed {self.max_bytes >> 20} MB")
                    chunks.append(chunk)
                keep = [(k, v) for k, v in resp.getheaders()
                        if k.lower() not in ("transfer-encoding", "connection", "content-length", "server")]
                if resp.will_close:
                    conn.close()
                    engine.conn = None
                return Answer(resp.status, keep, b"".join(chunks))
            except socket.timeout:
                raise Timeout(f"no complete answer within the {self.timeout:g} s timeout") from None
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                engine.conn = None
                if attempt or engine.proc.poll() is not None:
                    raise Timeout("the query engine failed while answering") from None
        raise AssertionError("unreachable")

    def _replace(self, engine: Engine) -> None:
        """Hand the engine that ran a runaway query to the supervisor, which kills it and starts
        a fresh one (the store opens in milliseconds); the client gets its 504 at once."""
        self._dead.put(engine)

    def _supervise(self) -> None:
        # One long-lived thread starts every replacement: an engine dies with the thread that
        # started it (PR_SET_PDEATHSIG is per thread), so that thread must outlive the engine.
        while True:
            engine = self._dead.get()
            if engine is None:
                return
            engine.kill()
            with self.lock:
                self.engines.discard(engine)
                if self.closed:
                    continue
            fresh = Engine(self.store, self.timeout)
            try:
                fresh.wait_ready()
            except ServeError:
                continue
            with self.lock:
                if self.closed:
                    fresh.kill()
                    continue
                self.engines.add(fresh)
                self.replaced += 1
            self.free.put(fresh)

    def rss_kb(self) -> int:
        with self.lock:
            return sum(e.rss_kb() for e in self.engines)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            engines = list(self.engines)
        self._dead.put(None)
        for e in engines:
            e.kill()


def _text(status: int, message: str) -> Answer:
    return Answer(status, [("Content-Type", "text/plain; charset=utf-8")], (message + "\n").encode())


class Server:
    """The guard behind a threaded HTTP front: ``/`` the query page, ``/query`` and ``/sparql``
    (SPARQL 1.1 Protocol), ``/store`` (Graph Store reads); everything else 404, writes 403."""

    def __init__(self, store: Path, page: str, host: str = "127.0.0.1", port: int = 7878,
                 timeout: float = 10.0, workers: int = 2):
        page_bytes = page.encode("utf-8")
        guard = None  # set below: the port is taken first, so a busy port starts no engine

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "zonegraph-serve"

            def log_message(self, *args):  # quiet: one line per request is noise for a local tool
                pass

            def _reply(self, answer: Answer) -> None:
                self.send_response(answer.status)
                for k, v in answer.headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            def _path(self) -> str:
                return self.path.split("?", 1)[0].rstrip("/") or "/"

            def do_GET(self):
                path = self._path()
                if path in ("/", "/index.html"):
                    return self._reply(Answer(200, [("Content-Type", "text/html; charset=utf-8")], page_bytes))
                if path not in READ_PATHS:
                    return self._reply(_text(404, f"{path}: not here; use / (query page), /query or /store"))
                headers = {k: self.headers[k] for k in FORWARD_HEADERS if self.headers.get(k)}
                self._reply(guard.forward(self.command, self.path, headers, None))

            do_HEAD = do_GET

            def do_POST(self):
                path = self._path()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if path not in ("/query", "/sparql"):
                    return self._reply(_text(403, "this endpoint is read-only: updates and Graph Store "
                                                  "writes are refused"))
                ctype = self.headers.get("Content-Type", "")
                if "sparql-update" in ctype or (b"update=" in body[:7]):
                    return self._reply(_text(403, "this endpoint is read-only: SPARQL Update is refused"))
                headers = {k: self.headers[k] for k in FORWARD_HEADERS if self.headers.get(k)}
                self._reply(guard.forward("POST", self.path, headers, body))

            def _refuse(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self._reply(_text(403, "this endpoint is read-only: Graph Store writes are refused"))

            do_PUT = do_DELETE = do_PATCH = _refuse

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        try:
            self.guard = guard = Guard(store, timeout, workers)
        except BaseException:
            self.httpd.server_close()
            raise
        self.host, self.port = host, self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> "Server":
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        import signal

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            self.httpd.serve_forever()
        finally:
            self.close()

    def close(self) -> None:
        if self._thread:
            self.httpd.shutdown()
        self.httpd.server_close()
        self.guard.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------- the query page
def examples(kg, lang: str = "zh") -> list[dict]:
    """Every named query with its documented example parameters bound, as standalone SPARQL."""
    from graph.api import named_text
    from graph.queries import named_queries
    from graph.remote import standalone

    out = []
    for q in named_queries().values():
        note = ""
        try:
            text = named_text(kg, q.name, q.example_params(), lang)
        except ZonegraphError:  # another root's data may lack the example's entities: show it unbound
            text, note = q.sparql(lang), f"# {q.examples[0] if q.examples else q.name}: its parameters are not in this data\n"
        out.append({"name": q.name, "summary": q.summary, "sparql": note + standalone(text)})
    return out


def page(kg, lang: str = "zh") -> str:
    """A self-contained HTML page (no CDN, no external file): an editor, every named query as a
    ready example, results as a table, via the SPARQL 1.1 Protocol at ./query."""
    items = examples(kg, lang)
    options = "\n".join(f'<option value="{i}">{html.escape(e["name"])} — {html.escape(e["summary"][:90])}</option>'
                        for i, e in enumerate(items))
    data = json.dumps([e["sparql"] for e in items], ensure_ascii=False).replace("</", "<\\/")
    from graph.sparqlpage import STYLE

    return _PAGE.replace("{{style}}", STYLE).replace("{{options}}", options).replace("{{data}}", data)


_PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>zonegraph SPARQL endpoint</title>
<style>{{style}}</style></head><body>
<h1>zonegraph SPARQL endpoint</h1>
<p>SPARQL 1.1 Protocol at <code>/query</code> (GET or POST; JSON, XML, CSV, TSV by <code>Accept</code>),
Graph Store reads at <code>/store?graph=IRI</code>. Read-only. The default graph is the union of all graphs;
named graphs are the citations.</p>
<label>Example: <select id="examples"><option value="">(choose a named query)</option>
{{options}}</select></label>
<textarea id="q" spellcheck="false">SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }</textarea>
<button id="run">Run</button><span id="status"></span>
<div id="out"></div>
<script>
const EXAMPLES = {{data}};
const q = document.getElementById('q'), out = document.getElementById('out'), st = document.getElementById('status');
document.getElementById('examples').onchange = e => { if (e.target.value !== '') q.value = EXAMPLES[+e.target.value]; };
function cell(b) { const td = document.createElement('td'); if (!b) return td;
  if (b.type === 'uri') { const a = document.createElement('a'); a.href = b.value; a.textContent = b.value; td.appendChild(a); }
  else td.textContent = b.value; return td; }
document.getElementById('run').onclick = async () => {
  st.textContent = 'running…'; out.textContent = ''; const t0 = performance.now();
  const r = await fetch('query', {method: 'POST', headers: {'Content-Type': 'application/sparql-query',
    'Accept': 'application/sparql-results+json'}, body: q.value});
  if (!r.ok) { st.textContent = 'HTTP ' + r.status + ': ' + await r.text(); return; }
  const j = await r.json(); const table = document.createElement('table');
  if ('boolean' in j) { st.textContent = String(j.boolean); return; }
  const tr = table.insertRow(); j.head.vars.forEach(v => { const th = document.createElement('th'); th.textContent = v; tr.appendChild(th); });
  j.results.bindings.forEach(b => { const row = table.insertRow(); j.head.vars.forEach(v => row.appendChild(cell(b[v]))); });
  out.appendChild(table); st.textContent = j.results.bindings.length + ' rows, ' + Math.round(performance.now() - t0) + ' ms';
};
</script></body></html>
"""
