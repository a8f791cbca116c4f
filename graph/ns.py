"""The one prefix table used by the loader, queries, checks, exports and views."""

from __future__ import annotations

import functools

VOCAB = "https://w3id.org/zonegraph/def/"
BASE = "https://w3id.org/zonegraph/id/"

PREFIXES: dict[str, str] = {
    "zg": VOCAB,
    "zgg": BASE + "graph/",
    "zone": BASE + "zone/",
    "region": BASE + "region/",
    "macro": BASE + "macro/",
    "doc": BASE + "doc/",
    "cite": BASE + "cite/",
    "agent": BASE + "agent/",
    "park": BASE + "park/",
    "ind": BASE + "industry/",
    "proj": BASE + "project/",
    "obs": BASE + "obs/",
    "mem": BASE + "membership/",
    "change": BASE + "change/",
    "link": BASE + "link/",
    "role": BASE + "role/",
    "prio": BASE + "priority/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}

SOURCES_GRAPH = PREFIXES["zgg"] + "sources"
EDITORIAL_GRAPH = PREFIXES["zgg"] + "editorial"
ONTOLOGY_GRAPH = PREFIXES["zgg"] + "ontology"
VOCABULARY_GRAPH = PREFIXES["zgg"] + "vocabulary"  # this project's SKOS curation: matches, mappings
UNCITED_GRAPH = PREFIXES["zgg"] + "uncited"  # statements found outside any named graph
CITATION = VOCAB + "Citation"
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"

# Longest namespace first so that e.g. zgg: wins over a shorter match.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _plain(c: str) -> bool:
    """A character a CURIE's local name (and a file name) may hold as it is."""
    return c.isalnum() or c in "-_."


@functools.lru_cache(maxsize=1 << 18)  # pure, and called for the same IRIs again and again
def curie(iri: str) -> str:
    """Compact ``iri`` with the project prefixes; return it unchanged when no prefix fits."""
    prefix, local = split(iri)
    return f"{prefix}:{local}" if prefix and all(map(_plain, local)) else iri


def expand(text: str) -> str | None:
    """Expand a CURIE such as ``zone:liaoxibei``; ``None`` if ``text`` is not one of ours."""
    if ":" not in text:
        return None
    prefix, local = text.split(":", 1)
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return None


@functools.lru_cache(maxsize=1 << 18)  # pure; a site asks it for every link on every page
def split(node: str) -> tuple[str, str]:
    """(prefix, local name) of a node under one of the project namespaces, whatever characters the
    local name holds (``zone:x`` and the IRI of ``x~r1`` alike); ("", the IRI) for any other."""
    full = iri(node)
    for prefix, ns in _BY_LENGTH:
        if full.startswith(ns) and len(full) > len(ns):
            return prefix, full[len(ns):]
    return "", full


def is_entity(node: str) -> bool:
    """An entity of the data (it can have a page): under the project's id space, but neither a
    citation nor a graph name."""
    prefix, _ = split(node)
    return iri(node).startswith(BASE) and prefix not in ("cite", "zgg")


def slug(local: str) -> str:
    """A local name as a file name: letters, digits, '-', '_' and '.' as they are, any other
    character as '~' and its code point in hex, so two names never share a file."""
    return "".join(c if _plain(c) else f"~{ord(c):x}~" for c in local)


def iri(node: str) -> str:
    """The full IRI of a node name as the code passes them around: a CURIE where one fits, else
    the IRI itself (a local name with, say, '~' cannot be compacted)."""
    return expand(node) or node


def sparql_prologue() -> str:
    """PREFIX lines for every project prefix (for exports and documentation)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
