"""The engine seam: every SPARQL query and every parse goes through :class:`KnowledgeGraph`.

The engine is pyoxigraph (in memory). Measured on this project's shape it loads 10-15x faster than
rdflib and answers joins 10-1000x faster (see README, "Performance"); rdflib is used only where a
library needs it (pySHACL, Turtle/JSON-LD serialisation) via :meth:`KnowledgeGraph.to_rdflib`.
Callers never touch pyoxigraph objects except through :class:`Table` rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from graph import ns
from graph.errors import (
    DataSyntaxError,
    ParameterError,
    QuerySyntaxError,
    ReadOnlyGraph,
    UnknownPrefix,
    ZonegraphError,
)
from graph.paths import data_files, find_root

Term = object  # ox.NamedNode | ox.Literal | ox.BlankNode (no typing.Union: its import costs a cold query 3 ms)


class Table:
    """Rows of a SELECT query: ``columns`` names and ``rows`` of pyoxigraph terms (or None).
    (A plain class, not a dataclass: importing dataclasses costs a cold `zonegraph query` 5 ms.)"""

    __slots__ = ("columns", "rows")

    def __init__(self, columns: list[str], rows: list[tuple[Term | None, ...]] | None = None):
        self.columns = columns
        self.rows = [] if rows is None else rows

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and (self.columns, self.rows) == (other.columns, other.rows)

    def __repr__(self) -> str:
        return f"Table(columns={self.columns!r}, rows={self.rows!r})"

    def values(self) -> list[dict[str, str | None]]:
        """Rows as plain dicts of strings (IRIs compacted to CURIEs)."""
        return [{c: plain(v) for c, v in zip(self.columns, row)} for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


def plain(term: Term | None) -> str | None:
    """A term as the string a user reads: CURIE for our IRIs, lexical form for literals."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ns.curie(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if "https://w3id.org/zonegraph/" in term.value:
        # GROUP_CONCAT(STR(?iri)) lists: compact each of our IRIs the same way
        return _OUR_IRI.sub(lambda m: ns.curie(m.group(0)), term.value)
    return term.value


_XSD_STRING = ns.PREFIXES["xsd"] + "string"
_RDF_LANG_STRING = ns.PREFIXES["rdf"] + "langString"


def json_term(term: Term | None) -> dict[str, str] | None:
    """A term in the W3C SPARQL 1.1 Query Results JSON format (full IRIs; None for unbound)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    if term.datatype.value in (_XSD_STRING, _RDF_LANG_STRING):
        return {"type": "literal", "value": term.value}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


_OUR_IRI = re.compile(r"https://w3id\.org/zonegraph/[^\s]+")


def to_term(text: str) -> Term:
    """Parse a user-supplied parameter: ``<iri>``, a CURIE, an http(s) IRI, a whole number
    (xsd:integer) or a plain literal."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    if text.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(text)
    iri = ns.expand(text)
    if iri:
        return ox.NamedNode(iri)
    if re.fullmatch(r"-?\d+", text):
        return ox.Literal(text, datatype=ox.NamedNode(ns.PREFIXES["xsd"] + "integer"))
    return ox.Literal(text)


class _OnFirstUse:
    """An attribute that holds a value, or a function that :meth:`later` gave it to make the value
    the first time it is read."""

    def __set_name__(self, owner, name: str) -> None:
        self.slot, self.make = f"_{name}", f"_{name}_make"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        make = obj.__dict__.pop(self.make, None)
        if make is not None:
            obj.__dict__[self.slot] = make()
        return obj.__dict__[self.slot]

    def __set__(self, obj, value) -> None:
        obj.__dict__.pop(self.make, None)
        obj.__dict__[self.slot] = value

    def later(self, obj, make) -> None:
        obj.__dict__[self.make] = make


class KnowledgeGraph:
    """The ontology plus every ``data/**/*.trig`` file, loaded into one dataset."""

    def __init__(self, root: Path):
        self.root = root
        self.store: ox.Store = ox.Store()  # or, by store_later, opened on first use
        self.files: list[Path] = []  # the ontology, then the data files (or, by files_later, listed on first use)
        # Set when the dataset is a persistent store on disk (graph.persist): a forked query worker
        # reopens it there instead of using the parent's handle.
        self.store_path: Path | None = None
        self._labels: dict[str, dict[str, str]] | None = None
        self._union_done = False
        # Values derived from the graph (indexes, views, label look-ups), built once by their modules
        # through memo() and dropped together when a file is loaded.
        self._memo: dict = {}

    store = _OnFirstUse()
    files = _OnFirstUse()

    def store_later(self, open_store) -> None:
        """Set :attr:`store` to ``open_store()``, called on first use: a command whose query runs
        in a forked worker (which opens its own handle) never opens the store in this process."""
        KnowledgeGraph.store.later(self, open_store)

    def files_later(self, make) -> None:
        """Set :attr:`files` to ``make()``, called on first use."""
        KnowledgeGraph.files.later(self, make)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, root: str | Path | None = None, progress=None) -> "KnowledgeGraph":
        """Parse the ontology and every data file into memory through pyoxigraph's bulk loader, then
        materialise the union default graph in the engine. No Python pass over the quads: which file
        states what is worked out only when a message needs it (:meth:`locate`).

        ``progress``: an optional callable given one line per stage (the CLI prints them on a terminal)."""
        kg = cls(find_root(root))
        files = data_files(kg.root)
        if progress:
            progress(f"loading {len(files)} data file{'' if len(files) == 1 else 's'} from {kg.root / 'data'}")
        kg._load_file(kg.root / "ontology.ttl", ox.RdfFormat.TURTLE, ox.NamedNode(ns.ONTOLOGY_GRAPH))
        for path in files:
            kg._load_file(path, ox.RdfFormat.TRIG)
        kg._materialise_union()
        if progress:
            progress(f"loaded {len(kg.store)} quads (with the union graph)")
        return kg

    def relpath(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _read(self, path: Path) -> bytes:
        from graph.loading import decode

        rel = self.relpath(path)
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise DataSyntaxError(rel, None, None, f"cannot read the file ({err.strerror})") from None
        return decode(raw, rel)  # not UTF-8: named with the likely encoding; a BOM is dropped

    def _load_file(self, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode | None = None) -> None:
        """Bulk-load one file; a data file's default-graph statements go to the uncited graph."""
        from graph.loading import explain

        raw = self._read(path)
        try:
            if graph is None:
                self._bulk(raw, fmt)
            else:
                self.store.bulk_load(raw, format=fmt, base_iri=ns.BASE, to_graph=graph)
        except SyntaxError as err:
            raise DataSyntaxError(self.relpath(path), err.lineno, err.offset,
                                  explain(_strip_position(str(err.msg)), raw)) from None
        except (UnicodeDecodeError, ValueError) as err:
            raise DataSyntaxError(self.relpath(path), None, None, explain(str(err), raw)) from None
        self.files.append(path)
        self._labels = None
        self._memo.clear()  # built from the graph as it was

    def _bulk(self, raw: bytes, fmt: ox.RdfFormat) -> None:
        # A file added after the union was materialised (a draft checked against the data) goes
        # through a scratch store, since the default graph is no longer empty.
        target = ox.Store() if self._union_done else self.store
        target.bulk_load(raw, format=fmt, base_iri=ns.BASE)
        # A data file's default graph has no citation: keep those statements visibly apart. The
        # default graph holds only such strays here: none in a clean checkout, one empty lookup.
        if next(iter(target.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
            target.update(f"INSERT {{ GRAPH <{ns.UNCITED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }} ;"
                          " CLEAR DEFAULT")
        if target is not self.store:
            self.store.bulk_extend(target)
            self._materialise_union()

    def memo(self, key, build):
        """``build()``'s value, computed once per loaded graph (until a file is loaded)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def memoised(self, key):
        """The value memo(key, …) holds, or None if it was not built."""
        return self._memo.get(key)

    # ------------------------------------------------------------------ which file states what
    def locate(self, statements: set[tuple], subjects: set[str]) -> tuple[dict, dict]:
        """Which data files (relative) state each of ``statements`` ((subject, predicate, object)
        terms), and which hold each IRI of ``subjects`` as a subject: what validation messages
        name. One read of the data files keeping only what is asked (an index of every statement
        took a gigabyte at 100x the data); none when nothing is asked."""
        found_statements: dict[tuple, set[str]] = defaultdict(set)
        found_subjects: dict[str, set[str]] = defaultdict(set)
        if not statements and not subjects:
            return found_statements, found_subjects
        for path in self.files:
            if path.suffix != ".trig":
                continue
            rel = self.relpath(path)
            for q in ox.parse(self._read(path), format=ox.RdfFormat.TRIG, base_iri=ns.BASE):
                if q.subject.value in subjects and isinstance(q.subject, ox.NamedNode):
                    found_subjects[q.subject.value].add(rel)
                key = (q.subject, q.predicate, q.object)
                if key in statements:
                    found_statements[key].add(rel)
        return found_statements, found_subjects

    def files_of(self, iri: str) -> list[str]:
        """The data files holding ``iri`` as a subject."""
        return sorted(self.locate(set(), {iri})[1].get(iri, ()))

    def _materialise_union(self) -> None:
        materialise_union(self.store)
        self._union_done = True

    # ------------------------------------------------------------------ querying
    def select(
        self,
        sparql: str,
        params: dict[str, Term] | None = None,
        *,
        source: str = "query",
    ) -> Table:
        """Run a SELECT query over the union of all graphs. ``params`` pre-bind variables."""
        result = self._run(sparql, params, source)
        if not isinstance(result, ox.QuerySolutions):
            raise QuerySyntaxError("expected a SELECT query", source)
        columns = [v.value for v in result.variables]
        return Table(columns, [tuple(sol) for sol in result])  # a solution iterates in column order

    def run(self, sparql: str, params: dict[str, Term] | None = None, *, source: str = "query"):
        """Run any query form; SELECT gives a :class:`Table`, ASK a bool, CONSTRUCT a list of triples."""
        result = self._run(sparql, params, source)
        if isinstance(result, ox.QuerySolutions):
            columns = [v.value for v in result.variables]
            return Table(columns, [tuple(sol) for sol in result])
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        return list(result)

    def _run(self, sparql: str, params: dict[str, Term] | None, source: str):
        try:
            return self.store.query(bind_values(sparql, params or {}), prefixes=ns.PREFIXES)
        except (SyntaxError, ValueError, TypeError, OSError) as err:
            raise self._query_error(err, sparql, params, source) from None

    @staticmethod
    def _query_error(err: Exception, sparql: str, params: dict[str, Term] | None, source: str) -> ZonegraphError:
        return query_error(err, sparql, params or {}, source)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the data files (not the ontology, not the materialised union)."""
        onto = ox.NamedNode(ns.ONTOLOGY_GRAPH)
        for q in self.store:
            if q.graph_name != onto and not isinstance(q.graph_name, ox.DefaultGraph):
                yield q

    def match(self, subject: str | None = None, predicate: str | None = None,
              obj: str | None = None) -> Iterator[tuple[Term, Term, Term]]:
        """The statements of the union graph matching the given IRIs (None matches anything): an
        index look-up each, for code that reads around a few entities of a large graph."""
        def node(iri):
            return ox.NamedNode(iri) if iri is not None else None

        for q in self.store.quads_for_pattern(node(subject), node(predicate), node(obj), ox.DefaultGraph()):
            yield q.subject, q.predicate, q.object

    # ------------------------------------------------------------------ labels
    def labels(self) -> dict[str, dict[str, str]]:
        """IRI -> {lang: label}; the smallest label per language wins, so the choice is stable."""
        if self._labels is None:
            table = self.select(
                "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(isIRI(?s)) }"
            )
            labels: dict[str, dict[str, str]] = defaultdict(dict)
            for s, lit in table.rows:
                lang = lit.language or ""
                cur = labels[s.value].get(lang)
                if cur is None or lit.value < cur:
                    labels[s.value][lang] = lit.value
            self._labels = dict(labels)
        return self._labels

    # Below this many single look-ups a command reads labels one IRI at a time (an index lookup
    # each: `show` costs the same at any size); past it, all at once (a build labels everything).
    LABELS_ONE_BY_ONE = 2000

    def label_entry(self, iri: str) -> dict[str, str]:
        """{lang: label} of ``iri``, chosen as :meth:`labels` chooses."""
        if self._labels is not None:
            return self._labels.get(iri, {})
        cache = self.memo("label-cache", dict)
        if iri not in cache:
            if len(cache) >= self.LABELS_ONE_BY_ONE:
                return self.labels().get(iri, {})
            entry: dict[str, str] = {}
            try:
                labels = list(self.match(iri, ns.RDFS_LABEL))
            except ValueError:  # not an IRI (callers may pass any node name): no label, as in labels()
                labels = []
            for _, _, label in labels:
                lang = label.language or ""
                if lang not in entry or label.value < entry[lang]:
                    entry[lang] = label.value
            cache[iri] = entry
        return cache[iri]

    def label(self, iri: str, lang: str = "zh") -> str:
        """Best label of ``iri`` in ``lang`` (falls back to the other language, then the CURIE)."""
        entry = self.label_entry(iri)
        other = "en" if lang == "zh" else "zh"
        return entry.get(lang) or entry.get(other) or entry.get("") or ns.curie(iri)

    # ------------------------------------------------------------------ conversion
    def to_rdflib(self, include_ontology: bool = False):
        """The dataset as an ``rdflib.Dataset`` (for pySHACL and rdflib's serialisers)."""
        import rdflib

        ds = rdflib.Dataset()
        onto = ox.NamedNode(ns.ONTOLOGY_GRAPH)
        lines = [
            str(q) + " .\n" for q in self.store
            if not isinstance(q.graph_name, ox.DefaultGraph) and (include_ontology or q.graph_name != onto)
        ]
        ds.parse(data="".join(sorted(lines)), format="nquads")
        return ds


def materialise_union(store: ox.Store) -> None:
    """Copy each distinct triple of every named graph once into the default graph.

    Queries then see the union as a set (pyoxigraph's own union default graph repeats a triple
    once per graph holding it), while ``GRAPH ?g`` still reaches the citations.
    """
    # In the engine, not in Python: a graph is a set, so a triple several graphs hold lands once
    # (13k quads: 20 ms against 71 ms for a Python set of every triple).
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b[^{]*\{", re.IGNORECASE)


def bind_values(sparql: str, params: dict[str, Term]) -> str:
    """Pre-bind variables by opening every WHERE group (the query's and each sub-SELECT's) with
    a one-row VALUES block.

    Unlike pyoxigraph's substitutions this works for variables that are not projected, and
    unlike a single top-level VALUES the binding is seen inside sub-SELECTs too (they are
    scoped), so a parameter means the same everywhere in the query and in every engine.
    """
    return _bind(sparql, params)[0]


def _bind(sparql: str, params: dict[str, Term]) -> tuple[str, list[tuple[int, int, int]]]:
    """The bound text and where each VALUES block went: (line, column, length), 1-based."""
    if not params:
        return sparql, []
    code = "\n".join("" if line.lstrip().startswith("#") else line for line in sparql.splitlines())
    names = sorted(params)
    values = (f" VALUES ({' '.join('?' + n for n in names)}) "
              f"{{ ({' '.join(str(params[n]) for n in names)}) }} ")
    matches = list(_WHERE.finditer(code)) or [m for m in [_FORM.search(code)] if m]
    if not matches:
        raise QuerySyntaxError("cannot bind parameters: no WHERE clause found")
    sites = []
    for match in matches:
        at = match.end()
        line = code.count("\n", 0, at) + 1
        column = at - (code.rfind("\n", 0, at) + 1) + 1
        sites.append((line, column, len(values)))
    for match in reversed(matches):
        code = code[: match.end()] + values + code[match.end():]
    return code, sites


# ---------------------------------------------------------------------------- query diagnostics
# Strings, IRIs and comments, matched left to right so that a '#' inside an IRI or a ':' inside a
# string is not mistaken for a comment or a prefixed name.
_OPAQUE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_PNAME = re.compile(r"(?<![\w?$.\-:])((?:[^\W\d_][\w.\-]*)?):")
_DECLARED = re.compile(r"\bPREFIX\s+((?:[^\W\d_][\w.\-]*)?):", re.IGNORECASE)
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+(?:[^\W\d_][\w.\-]*)?:\s*|BASE\s+)<[^>]*>\s*)*", re.IGNORECASE)
_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


def _masked(sparql: str) -> str:
    """``sparql`` with strings, IRIs and comments blanked out (same length, same lines)."""
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), sparql)


def is_update(sparql: str) -> bool:
    """True if ``sparql`` is a SPARQL Update request (INSERT, DELETE, LOAD, CLEAR, ...)."""
    # keep the <IRI>s of the prologue visible to _PROLOGUE, but not comments or strings
    code = _OPAQUE.sub(lambda m: m.group(0) if m.group(0).startswith("<") else re.sub(r"[^\n]", " ", m.group(0)),
                       sparql)
    return _UPDATE.match(code, _PROLOGUE.match(code).end()) is not None


def unknown_prefixes(sparql: str) -> list[tuple[str, int, int]]:
    """Prefixes used in ``sparql`` that neither the project nor the query declares:
    ``(prefix, line, column)`` of each first use, in order."""
    code = _masked(sparql)
    declared = set(ns.PREFIXES) | {m.group(1) for m in _DECLARED.finditer(code)}
    found: dict[str, tuple[str, int, int]] = {}
    for m in _PNAME.finditer(code):
        name = m.group(1)
        before = code[max(0, m.start() - 16):m.start()]
        if name in declared or name in found or re.search(r"PREFIX\s+$", before, re.IGNORECASE):
            continue
        line = code.count("\n", 0, m.start()) + 1
        found[name] = (name, line, m.start() - (code.rfind("\n", 0, m.start()) + 1) + 1)
    return list(found.values())


def pointer(sparql: str, line: int, column: int) -> str:
    """The offending line of ``sparql`` with a caret under ``column`` (1-based), as two indented lines."""
    from graph.output import display_width

    lines = sparql.splitlines() or [""]
    line = min(max(line, 1), len(lines))
    text = lines[line - 1]
    column = min(max(column, 1), len(text) + 1)
    # Tabs keep their place and wide (CJK) characters take two columns, so the caret lines up.
    lead = "".join("\t" if c == "\t" else " " * display_width(c) for c in text[:column - 1])
    gutter = " " * len(str(line))
    return f"\n  {line} | {text}\n  {gutter} | {lead}^"


def query_error(err: Exception, sparql: str, params: dict[str, Term], source: str) -> ZonegraphError:
    """Turn an engine exception into a message that says what is wrong, where, and how to fix it."""
    if isinstance(err, SyntaxError):
        if is_update(sparql):
            return ReadOnlyGraph(source)
        unknown = unknown_prefixes(sparql)
        if unknown:
            name, line, column = unknown[0]
            return UnknownPrefix(name, sorted(ns.PREFIXES), source, line, column, pointer(sparql, line, column))
        m = _POSITION.match(str(err))
        if m is None:
            return QuerySyntaxError(str(err), source)
        line, column, detail = int(m.group(1)), int(m.group(2)), _tidy(m.group(3))
        # the error may lie after VALUES blocks we inserted on its line: count them out
        shift = 0
        for site_line, site_column, length in (_bind(sparql, params)[1] if params else []):
            if site_line == line and column - shift > site_column:
                shift += min(length, column - shift - site_column)
        column -= shift
        return QuerySyntaxError(detail, source, line, column, pointer(sparql, line, column))
    if isinstance(err, UnicodeEncodeError) and err.object == sparql:
        line = sparql.count("\n", 0, err.start) + 1
        column = err.start - (sparql.rfind("\n", 0, err.start) + 1) + 1
        return QuerySyntaxError(f"character {sparql[err.start]!r} is not valid Unicode text (a lone surrogate); "
                                "save the query as UTF-8", source, line, column)
    if isinstance(err, (ValueError, TypeError)):  # e.g. a parameter that is not a valid term
        return ParameterError(f"{source}: {err}")
    return QuerySyntaxError(str(err), source)  # evaluation errors surface as OSError in pyoxigraph


def _tidy(detail: str) -> str:
    # The engine lists every character range it would have accepted; keep only the words.
    items = [i.strip() for i in re.split(r",\s*(?![^\[]*\])", detail.replace("\n", " "))]
    items = [i for i in items if "..=" not in i and "\\u{" not in i] or items[:1]
    text = ", ".join(items)
    return text if len(text) <= 200 else text[:199] + "…"


def _strip_position(msg: str) -> str:
    # pyoxigraph puts "Parser error at line L column C: ..." in the message; we print our own.
    if ": " in msg and msg.lower().startswith("parser error"):
        return msg.split(": ", 1)[1]
    return msg
