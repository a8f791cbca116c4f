"""Engine parity: every named query, with its example and without its optional parameters, gives
the same rows (multisets; multi-valued cells sorted) in-process, on `zonegraph serve` and on
Virtuoso Open Source 7 loaded by `zonegraph push`.

Virtuoso's default graph is the union of all its graphs with repeats, so the union is pushed into
a named graph and each query names the dataset through the SPARQL Protocol (default-graph-uri =
that graph, named-graph-uri = every graph of ours): see README "Scaling out".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import urllib.request
from collections import Counter

import pyoxigraph as ox
import pytest

from graph import entities, persist, remote
from graph import serve as sv
from graph.queries import SEPARATOR, bind_params, named_queries
from graph.store import bind_values
from tests.conftest import REPO

QUERIES = named_queries()
UNION = "https://w3id.org/zonegraph/id/graph/union"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Runs Virtuoso 7.2.5 cannot answer like the others, each with the reason (measured).
# (Five runs that used `skos:broader+` inside FILTER EXISTS — 'transitive start not given' on Virtuoso —
# now pass: the queries take the industry and its narrower terms from sub-SELECTs that the parameter
# reaches through their own VALUES.)
VIRTUOSO_EXCUSED = {
    ("documents-concerning-region", "bare"): (
        "Virtuoso refuses a GROUP_CONCAT of sources longer than its temp-column row limit "
        "('SR319: Max row length is exceeded ... 2557 chars')"),
    ("parks-in-city", "example"): (
        "Virtuoso drops the parkType/parkLevel rows inside the grouped sub-select once the OPTIONAL "
        "GRAPH zgg:sources pattern is present (measured for 硅灰石产业园: 3 rows grouped vs 5 ungrouped; "
        "without that OPTIONAL all 5), so types/levels cells come back empty. Joining the sources instead "
        "agrees on Virtuoso but is 4-20x slower on the embedded engine at 100x the data (0.23 s -> 1.0-5.1 s), "
        "so the OPTIONAL stays"),
}


def _runs():
    for name, q in sorted(QUERIES.items()):
        for run, params in q.runs():
            yield name, run, params


RUNS = list(_runs())


def _rows(table):
    def cell(v):
        if v is None:
            return None
        value = SEPARATOR.join(sorted(v.value.split(SEPARATOR)))
        return (type(v).__name__, value, getattr(v, "language", None), str(getattr(v, "datatype", "")))
    return Counter(tuple(cell(v) for v in row) for row in table.rows)


def _text(kg, name, params):
    q = QUERIES[name]
    bound = bind_params(q, params, lambda t, prefer=None: entities.resolve(kg, t, prefer))
    return bind_values(q.sparql("zh"), bound)


@pytest.fixture(scope="module")
def store():
    return persist.open_graph(REPO)


@pytest.fixture(scope="module")
def oxigraph_server(store):
    kg, info = store
    with sv.Server(info.path, "", port=0, timeout=60, workers=2) as srv:
        yield remote.Endpoint(srv.url + "/query")


def _need(binary):
    if shutil.which(binary) is None:
        if IN_CI:
            pytest.fail(f"{binary} is missing in CI: .ci/run must run `sh .ci/virtuoso`")
        pytest.skip(f"{binary} not installed (sh .ci/virtuoso installs it); runs in CI")


@contextlib.contextmanager
def running_virtuoso(d):
    """A Virtuoso server of its own in folder ``d`` (temp database, loopback, free ports); yields
    (http port, isql port) and stops it after."""
    _need("virtuoso-t")
    _need("isql-vt")
    isql, http = sv.free_port(), sv.free_port()
    (d / "virtuoso.ini").write_text(f"""[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql}
DirsAllowed = {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
""")
    proc = subprocess.Popen(["virtuoso-t", "-c", str(d / "virtuoso.ini"), "+foreground"], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{http}/sparql?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > end or proc.poll() is not None:
                    raise RuntimeError(f"Virtuoso did not start: {(d / 'virtuoso.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield http, isql
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def virtuoso(store, tmp_path_factory):
    kg, info = store
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as (http, isql):
        # The unauthenticated Graph Store endpoint writes as user SPARQL: allow it, for this temp db only.
        subprocess.run(["isql-vt", str(isql), "dba", "dba",
                        "exec=GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"],
                       check=True, capture_output=True, timeout=60)
        remote.push(kg.store, f"http://127.0.0.1:{http}/sparql-graph-crud", union_graph=UNION)
        yield remote.Endpoint(f"http://127.0.0.1:{http}/sparql", default_graph=UNION, timeout=120,
                              named_graphs=sorted(g.value for g in kg.store.named_graphs()))


def test_push_with_credentials_to_virtuosos_digest_endpoint(tmp_path, mini_root, run):
    """`push --user --password` through Virtuoso's authenticated Graph Store endpoint (HTTP Digest),
    on a server of its own with nothing granted to anonymous users: the right password loads every
    graph; a wrong one is refused with a message and exit code 2, and nothing is written."""
    from graph.store import KnowledgeGraph

    (tmp_path / "virtuoso").mkdir()
    with running_virtuoso(tmp_path / "virtuoso") as (http, _):
        auth = f"http://127.0.0.1:{http}/sparql-graph-crud-auth"
        wrong = run("push", "--endpoint", auth, "--user", "dba", "--password", "not-it",
                    "--union-graph", UNION, root=mini_root)
        assert wrong.exit_code == 2, wrong.output
        assert "HTTP 401" in wrong.stderr and "Traceback" not in wrong.output
        anon = run("push", "--endpoint", f"http://127.0.0.1:{http}/sparql-graph-crud", "--union-graph", UNION,
                   root=mini_root)
        assert anon.exit_code == 2 and "HTTP 4" in anon.stderr  # anonymous writes are not granted here
        endpoint = remote.Endpoint(f"http://127.0.0.1:{http}/sparql")
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }"
        assert int(endpoint.select(count % UNION).rows[0][0].value) == 0

        ok = run("push", "--endpoint", auth, "--user", "dba", "--password", "dba", "--union-graph", UNION,
                 root=mini_root)
        assert ok.exit_code == 0, ok.output
        mini = KnowledgeGraph.load(mini_root)
        graphs = sorted(g.value for g in mini.store.named_graphs())
        union = len(list(mini.store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
        assert f"pushed {len(graphs)} named graphs" in ok.stdout
        assert int(endpoint.select(count % UNION).rows[0][0].value) == union
        for g in graphs:
            expected = len(list(mini.store.quads_for_pattern(None, None, None, ox.NamedNode(g))))
            assert int(endpoint.select(count % g).rows[0][0].value) == expected, g


@pytest.mark.parametrize("name,kind,params", RUNS, ids=[f"{n}-{k}" for n, k, _ in RUNS])
def test_serve_gives_the_embedded_rows(store, oxigraph_server, name, kind, params):
    kg, _ = store
    text = _text(kg, name, params)
    local = QUERIES[name].normalise(kg.select(text))
    assert _rows(QUERIES[name].normalise(oxigraph_server.select(text))) == _rows(local)


@pytest.mark.parametrize("name,kind,params", RUNS, ids=[f"{n}-{k}" for n, k, _ in RUNS])
def test_virtuoso_gives_the_embedded_rows(store, virtuoso, name, kind, params):
    kg, _ = store
    text = _text(kg, name, params)
    local = QUERIES[name].normalise(kg.select(text))
    reason = VIRTUOSO_EXCUSED.get((name, kind))
    try:
        same = _rows(QUERIES[name].normalise(virtuoso.select(text))) == _rows(local)
    except remote.EndpointError:
        if reason:
            pytest.xfail(reason)
        raise
    if reason:
        # an excused run that now agrees must lose its excuse
        assert not same, f"{name} ({kind}) now agrees on Virtuoso: remove it from VIRTUOSO_EXCUSED"
        pytest.xfail(reason)
    assert same


def test_every_excuse_names_a_real_run():
    assert set(VIRTUOSO_EXCUSED) <= {(n, k) for n, k, _ in RUNS}


def test_readme_states_the_measured_parity():
    """The README's parity figures are these tests' own counts (a hand-typed figure goes stale)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    n, agree = len(RUNS), len(RUNS) - len(VIRTUOSO_EXCUSED)
    assert f"without its optional parameters, {n} runs): the same\nrows on `zonegraph serve` in {n} runs, " \
           f"on Virtuoso Open Source 7 in {agree}." in readme
    assert f"of {n} named-query\nruns, all {n} give the embedded engine's rows on `zonegraph serve` and {agree} " \
           "on Virtuoso" in readme
