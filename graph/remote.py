"""Talking to SPARQL endpoints over HTTP: run queries (SPARQL 1.1 Protocol) and push the dataset
(Graph Store Protocol). Standard library only (urllib), so any client environment can do it.

Results come back as :class:`graph.store.Table` of pyoxigraph terms, so the CLI formats a remote
answer exactly like a local one and a named query's multi-valued cells are normalised the same way.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pyoxigraph as ox

from graph import ns
from graph.errors import ZonegraphError
from graph.store import Table

JSON_RESULTS = "application/sparql-results+json"
# Virtuoso echoes each named-graph-uri of the request as a response header (one per graph, 300+
# here); http.client refuses more than 100 headers by default.
http.client._MAXHEADERS = max(http.client._MAXHEADERS, 10_000)


class EndpointError(ZonegraphError):
    """The endpoint could not be reached or refused the request."""


def standalone(sparql: str) -> str:
    """The query with the project's PREFIX declarations written in (the library passes them to
    the engine separately; another engine needs them in the text). Only prefixes it uses."""
    import re

    used = [p for p in ns.PREFIXES if re.search(rf"(?<![\w:]){re.escape(p)}:", sparql)]
    declared = {m.lower() for m in re.findall(r"PREFIX\s+(\w*):", sparql, re.IGNORECASE)}
    head = "".join(f"PREFIX {p}: <{ns.PREFIXES[p]}>\n" for p in used if p.lower() not in declared)
    return head + sparql


def _opener(url: str, user: str | None, password: str | None):
    handlers = []
    if user is not None:
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, url, user, password or "")
        # Basic and Digest both: Virtuoso's /sparql-graph-crud-auth asks for Digest.
        handlers += [urllib.request.HTTPBasicAuthHandler(mgr), urllib.request.HTTPDigestAuthHandler(mgr)]
    return urllib.request.build_opener(*handlers)


def _send(req: urllib.request.Request, user, password, timeout: float) -> bytes:
    try:
        with _opener(req.full_url, user, password).open(req, timeout=timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as err:
        body = err.read().decode("utf-8", "replace").strip()[:500]
        raise EndpointError(f"{req.get_method()} {req.full_url.split('?')[0]}: HTTP {err.code} {err.reason}"
                            + (f": {body}" if body else "")) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise EndpointError(f"{req.full_url.split('?')[0]}: cannot reach the endpoint ({reason}); "
                            "is the server running and the URL right?") from None


def _term(cell: dict):
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in cell:
        return ox.Literal(value, language=cell["xml:lang"])
    if "datatype" in cell:  # "typed-literal" is the pre-2013 spelling some engines still use
        return ox.Literal(value, datatype=ox.NamedNode(cell["datatype"]))
    return ox.Literal(value)


def parse_json_results(data: bytes) -> Table | bool:
    doc = json.loads(data)
    if "boolean" in doc:
        return bool(doc["boolean"])
    columns = doc["head"]["vars"]
    rows = [tuple(_term(b[c]) if c in b else None for c in columns) for b in doc["results"]["bindings"]]
    return Table(columns, rows)


@dataclass
class Endpoint:
    """A SPARQL 1.1 Protocol query URL, optionally with credentials and a dataset description
    (``default_graph``: the graph that holds the union, for engines whose default graph is not
    a set of all graphs — see README "Scaling out")."""

    url: str
    user: str | None = None
    password: str | None = None
    default_graph: str | None = None
    timeout: float = 60.0
    # With default_graph, the named graphs of the dataset (SPARQL Protocol named-graph-uri): else
    # GRAPH ?g would also range over the union graph and the engine's own system graphs.
    named_graphs: list[str] | None = None

    def select(self, sparql: str) -> Table | bool:
        fields = [("query", standalone(sparql))]
        if self.default_graph:
            fields.append(("default-graph-uri", self.default_graph))
            fields += [("named-graph-uri", g) for g in self.named_graphs or ()]
        body = urllib.parse.urlencode(fields).encode()
        req = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": JSON_RESULTS})
        data = _send(req, self.user, self.password, self.timeout)
        try:
            return parse_json_results(data)
        except (ValueError, KeyError) as err:
            raise EndpointError(f"{self.url}: the answer is not SPARQL JSON results ({err}); "
                                "is this a SPARQL query endpoint (e.g. .../query or .../sparql)?") from None


def run_named_query(kg, endpoint: Endpoint, name: str, params: dict[str, str] | None = None,
                    lang: str = "zh") -> Table:
    """A shipped named query run on ``endpoint``; parameters are resolved locally (names to IRIs)."""
    from graph.api import named_text
    from graph.queries import get_query

    result = endpoint.select(named_text(kg, name, params, lang))
    if not isinstance(result, Table):
        raise EndpointError(f"query {name}: expected rows from {endpoint.url}")
    return get_query(name).normalise(result)


def query(endpoint: Endpoint, sparql: str, params: dict[str, str] | None = None, lang: str = "zh"):
    from graph.store import bind_values, to_term

    bound = {k: to_term(v) for k, v in (params or {}).items()}
    if "?lang" in sparql:
        bound = {"lang": ox.Literal(lang), **bound}
    return endpoint.select(bind_values(sparql, bound))


# ---------------------------------------------------------------- Graph Store Protocol
@dataclass
class PushResult:
    graphs: int
    quads: int
    union_triples: int


def push(store: ox.Store, url: str, user: str | None = None, password: str | None = None,
         union_graph: str | None = None, timeout: float = 300.0, log=None) -> PushResult:
    """PUT every named graph of ``store`` to the Graph Store endpoint ``url`` (``?graph=IRI``,
    replacing what was there), then the set union as the default graph (``?default``), or into
    ``union_graph`` for engines whose default graph is the union of all graphs (Virtuoso)."""
    graphs = sorted(g.value for g in store.named_graphs())
    quads = 0
    for iri in graphs:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
        quads += data.count(b"\n")
        _put(url, {"graph": iri}, data, user, password, timeout)
        if log:
            log(f"  {iri}")
    union = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    _put(url, {"graph": union_graph} if union_graph else {"default": ""}, union, user, password, timeout)
    return PushResult(len(graphs), quads, union.count(b"\n"))


def _put(url: str, params: dict[str, str], data: bytes, user, password, timeout) -> None:
    query = "default" if params == {"default": ""} else urllib.parse.urlencode(params)
    sep = "&" if "?" in url else "?"
    req = urllib.request.Request(f"{url}{sep}{query}", data=data, method="PUT",
                                 headers={"Content-Type": "application/n-triples"})
    _send(req, user, password, timeout)
