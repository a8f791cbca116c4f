"""`zonegraph serve`: the real oxigraph server on the persistent store, behind the timeout guard."""

from __future__ import annotations

import concurrent.futures
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from graph import ns, persist, remote
from graph import serve as sv
from graph.queries import named_queries
from tests.conftest import REPO

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server():
    kg, info = persist.open_graph(REPO)
    with sv.Server(info.path, sv.page(kg), port=0, timeout=3, workers=2) as srv:
        yield srv


def _get(url, accept=None, data=None, method=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers={**({"Accept": accept} if accept else {}),
                                                                         **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def test_content_negotiation_json_xml_csv_tsv(server, kg):
    q = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    expected = str(len(kg.select("SELECT * WHERE { ?s ?p ?o }")))
    status, ctype, body = _get(f"{server.url}/query?query={q}", "application/sparql-results+json")
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected
    status, ctype, body = _get(f"{server.url}/query?query={q}", "application/sparql-results+xml")
    assert status == 200 and f">{expected}<" in body.decode()
    assert _get(f"{server.url}/query?query={q}", "text/csv")[2].decode().split() == ["n", expected]
    assert _get(f"{server.url}/query?query={q}", "text/tab-separated-values")[2].decode().split()[0] == "?n"


def test_default_graph_is_the_union_as_a_set_and_named_graphs_are_citations(server, kg):
    ep = remote.Endpoint(server.url + "/query")
    union = ep.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value
    distinct = ep.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert union == distinct.rows[0][0].value
    graphs = {r[0].value for r in ep.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows}
    assert ns.ONTOLOGY_GRAPH in graphs and any("/cite/" in g for g in graphs)


def test_graph_store_read_returns_one_citations_statements(server, kg):
    g = kg.select("SELECT ?c WHERE { GRAPH zgg:sources { ?c zg:document ?d } } ORDER BY ?c LIMIT 1").rows[0][0]
    expected = kg.select(f"SELECT * WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }}")
    status, ctype, body = _get(f"{server.url}/store?graph={urllib.parse.quote(g.value)}", "application/n-triples")
    assert status == 200
    assert len([line for line in body.decode().splitlines() if line.strip()]) == len(expected) > 0


@pytest.mark.parametrize("method,path,body,ctype", [
    ("POST", "/update", b"update=INSERT+DATA+%7B%3Ca%3Ab%3E+%3Ca%3Ab%3E+%3Ca%3Ab%3E%7D", "application/x-www-form-urlencoded"),
    ("POST", "/query", b"INSERT DATA { <a:b> <a:b> <a:b> }", "application/sparql-update"),
    ("PUT", "/store?default", b"<a:b> <a:b> <a:b> .", "application/n-triples"),
    ("POST", "/store?default", b"<a:b> <a:b> <a:b> .", "application/n-triples"),
    ("DELETE", "/store?default", None, None),
])
def test_writes_are_refused_with_403(server, method, path, body, ctype):
    status, _, text = _get(server.url + path, data=body, method=method, headers={"Content-Type": ctype} if ctype else {})
    assert status == 403 and b"read-only" in text
    ep = remote.Endpoint(server.url + "/query")
    assert not ep.select("ASK { <a:b> ?p ?o }")


def test_a_runaway_query_gets_an_error_status_while_others_are_answered(server):
    q = urllib.parse.quote(RUNAWAY)
    small = urllib.parse.quote(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{ns.VOCAB}DemonstrationZone> }}")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        runaway = pool.submit(_get, f"{server.url}/query?query={q}", "text/csv")
        others = [pool.submit(_get, f"{server.url}/query?query={small}", "text/csv") for _ in range(5)]
        status, ctype, body = runaway.result()
        answered = [f.result() for f in others]
    assert status == sv.TIMEOUT_STATUS and b"timeout" in body  # never a 200 with a cut-off body
    assert all(s == 200 and b.decode().split()[0] == "n" for s, _, b in answered)
    # the engine that ran it was replaced: the server still answers afterwards
    assert _get(f"{server.url}/query?query={small}", "text/csv")[0] == 200


def test_query_page_is_offline_and_offers_every_named_query(server):
    status, ctype, body = _get(server.url + "/")
    page = body.decode()
    assert status == 200 and ctype.startswith("text/html")
    for name in named_queries():
        assert f">{name} — " in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the page must load nothing from the network"


def test_non_loopback_host_needs_public_flag(run):
    result = run("serve", "--host", "0.0.0.0", "--port", "0")
    assert result.exit_code == 2 and "--public" in result.output + (result.stderr or "")


def test_a_protocol_only_client_sparqlwrapper_can_use_it(server, kg):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(server.url + "/query")
    client.setQuery(f"SELECT ?zone WHERE {{ ?zone a <{ns.VOCAB}DemonstrationZone> }}")
    client.setReturnFormat(JSON)
    got = {b["zone"]["value"] for b in client.queryAndConvert()["results"]["bindings"]}
    expected = {r[0].value for r in kg.select("SELECT ?z WHERE { ?z a zg:DemonstrationZone }").rows}
    assert got == expected and len(got) >= 13


def test_a_busy_port_is_a_user_error(run, server):
    result = run("serve", "--port", str(server.port))
    assert result.exit_code == 2 and "pick another --port" in result.stderr


def test_an_engine_failure_is_asked_again_of_another_engine(server):
    """A 500 from one engine (an engine's own failure) is not the client's answer: the read is asked
    again of another engine, and the failed engine is replaced."""
    guard = server.guard
    real, calls = guard._exchange, []

    def failing_once(engine, *args):
        calls.append(engine)
        if len(calls) == 1:
            return sv.Answer(500, [], b"engine failure")
        return real(engine, *args)

    guard._exchange = failing_once
    try:
        small = urllib.parse.quote(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{ns.VOCAB}DemonstrationZone> }}")
        status, _, body = _get(f"{server.url}/query?query={small}", "text/csv")
    finally:
        guard._exchange = real
    assert status == 200 and body.decode().split()[0] == "n"
    assert len(calls) == 2 and calls[0] is not calls[1]
