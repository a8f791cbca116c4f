"""`zonegraph push` and `zonegraph query --endpoint` against a real read-write Oxigraph server."""

from __future__ import annotations

import subprocess

import pytest

from graph import serve as sv


@pytest.fixture
def oxigraph_rw(tmp_path):
    port = sv.free_port()
    proc = subprocess.Popen([sv.oxigraph_binary(), "serve", "--location", str(tmp_path / "db"),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = sv.Engine.__new__(sv.Engine)  # reuse the readiness wait of serve's engines
    engine.proc, engine.port, engine.conn = proc, port, None
    try:
        engine.wait_ready()
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.kill()
        proc.wait()


def test_push_then_query_endpoint_gives_the_local_answer(run, oxigraph_rw):
    pushed = run("push", "--endpoint", oxigraph_rw + "/store")
    assert pushed.exit_code == 0, pushed.output
    assert "named graphs" in pushed.stdout and "the default graph" in pushed.stdout
    for args in (["-n", "zone-members", "-p", "zone=zone:wanjiang"],
                 ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
                 ["SELECT ?l WHERE { zone:liaoxibei rdfs:label ?l FILTER(LANG(?l) = ?lang) }"]):
        local = run("query", *args, "-F", "csv")
        remote = run("query", *args, "-F", "csv", "--endpoint", oxigraph_rw + "/query")
        assert remote.exit_code == 0, remote.output
        assert remote.stdout == local.stdout and len(local.stdout.splitlines()) > 1


def test_unreachable_endpoint_is_a_user_error(run):
    result = run("query", "-n", "zones", "--endpoint", f"http://127.0.0.1:{sv.free_port()}/query")
    assert result.exit_code == 2 and "cannot reach the endpoint" in result.stderr
