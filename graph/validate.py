"""Data-quality checks: SHACL shapes (pySHACL), SPARQL checks (one row per problem), checks in
Python for what SPARQL cannot do cheaply (dates, lengths, link schemes, stray files, an empty graph),
and citation coverage. Every problem names the entity, property, value and data file.

Hostile data is a validation problem, never a crash: values over the length limits are found first
with a plain length test, and the slower checks then do not run over them at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from graph import ns
from graph.paths import data_files, stray_files
from graph.queries import CHECK_DIR, named_queries
from graph.store import KnowledgeGraph, plain
from graph.worker import Beside

SHAPES = Path(__file__).resolve().parent / "shapes.ttl"
DATE_TYPES = {
    ns.PREFIXES["xsd"] + "date": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    ns.PREFIXES["xsd"] + "gYearMonth": re.compile(r"^(\d{4})-(\d{2})$"),
    ns.PREFIXES["xsd"] + "gYear": re.compile(r"^(\d{4})$"),
}
EARLIEST_YEAR = 1949  # no fact in this graph predates the People's Republic's division codes

# Dates of events a source reports as having happened (issued, approved, began, changed). They cannot
# lie after the date of the document that reports them, nor after today. Not covered: zg:refPeriod (an
# observation's period, which for a plan's target is a later year) and zg:endDate (a document may
# state a scheduled end, e.g. a zone's five-year term).
EVENT_DATES = {ns.PREFIXES["dcterms"] + "issued", ns.VOCAB + "approvalDate", ns.VOCAB + "startDate",
               ns.VOCAB + "date"}

# Length limits in characters. The longest real values (measured November 2026) are a 179-character
# label, a 689-character description and a 271-character IRI; the limits leave ample room above
# them and stop megabyte values before they slow every later check, query and page.
MAX_LABEL = 500
MAX_LITERAL = 5_000
MAX_IRI = 2_000
LABELS = {ns.PREFIXES["rdfs"] + "label", ns.PREFIXES["skos"] + "altLabel", ns.PREFIXES["skos"] + "prefLabel",
          ns.PREFIXES["skos"] + "hiddenLabel", ns.PREFIXES["dcterms"] + "title"}
# Link properties a reader clicks: their values must be IRIs (every IRI must be http(s) anyway).
LINKS = {ns.PREFIXES["foaf"] + "page", ns.PREFIXES["rdfs"] + "seeAlso"}
SAFE_SCHEMES = ("http", "https")


@dataclass(frozen=True, order=True)
class Problem:
    check: str
    entity: str
    property: str
    value: str
    file: str
    message: str
    severity: str = "violation"  # "warning": reported, but the data still conforms


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    fact_statements: int = 0
    cited_statements: int = 0
    warnings: list[Problem] = field(default_factory=list)
    skipped: str = ""  # why some checks did not run (values over the length limits)

    @property
    def coverage(self) -> float:
        return 1.0 if self.fact_statements == 0 else self.cited_statements / self.fact_statements

    @property
    def conforms(self) -> bool:
        return not self.problems and self.coverage == 1.0

    COLUMNS = ["check", "entity", "property", "value", "file", "message", "severity"]

    def rows(self, warnings: bool = False) -> list[list[str]]:
        found = self.problems + (self.warnings if warnings else [])
        return [[p.check, p.entity, p.property, p.value, p.file, p.message, p.severity] for p in found]


def _where(kg: KnowledgeGraph, statement: tuple | None, *entities: str | None) -> str:
    """A placeholder for the data file(s) a problem names: those stating ``statement`` ((s, p, o)
    terms, or (o, p, s) for checks that report the object), else those holding the first of
    ``entities`` (CURIEs or IRIs) that has a file as a subject. Each check resolves its placeholders
    as it returns (:func:`_resolve_files`), all in one read of the data files, and only when it
    found something."""
    asks = kg.memo("file-asks", list)
    asks.append((statement, [e for e in entities if e]))
    return f"\0{len(asks) - 1}"


def _resolve_files(kg: KnowledgeGraph, problems: list[Problem]) -> list[Problem]:
    """``problems`` with each placeholder file replaced by the files it stands for."""
    asks = kg.memoised("file-asks") or []
    used = [asks[int(p.file[1:])] for p in problems if p.file.startswith("\0")]
    statements = {k for st, _ in used if st for k in (st, (st[2], st[1], st[0]))}
    subjects = {ns.iri(e) for _, entities in used for e in entities}
    by_statement, by_subject = kg.locate(statements, subjects)

    def files(token: str) -> str:
        statement, entities = asks[int(token[1:])]
        for key in ((statement, (statement[2], statement[1], statement[0])) if statement else ()):
            if by_statement.get(key):
                return ", ".join(sorted(by_statement[key]))
        for e in entities:
            if by_subject.get(ns.iri(e)):
                return ", ".join(sorted(by_subject[ns.iri(e)]))
        return ""

    return [replace(p, file=files(p.file)) if p.file.startswith("\0") else p for p in problems]


def short(value: str, limit: int = 120) -> str:
    """A value as a problem row shows it: a long one is cut, with its length."""
    return value if len(value) <= limit else f"{value[:limit]}… ({len(value):,} characters)"


def _name(term) -> str:
    return short(ns.curie(term.value) if isinstance(term, ox.NamedNode) else plain(term) or "")


_CITED_TRIPLES = """
SELECT (COUNT(*) AS ?n) WHERE {
  SELECT DISTINCT ?s ?p ?o WHERE {
    GRAPH zgg:sources { ?g a zg:Citation ; zg:document ?d ; zg:locator ?l }
    GRAPH ?g { ?s ?p ?o }
  }
}"""
_NOT_FACTS = {ns.ONTOLOGY_GRAPH, ns.SOURCES_GRAPH, ns.EDITORIAL_GRAPH, ns.VOCABULARY_GRAPH}


def coverage(kg: KnowledgeGraph) -> tuple[int, int]:
    """(fact statements, cited fact statements) over every data quad outside sources/editorial:
    each distinct triple counted once cited and once uncited where it is both — a triple that is
    cited somewhere is still uncited somewhere else. Counted in the engine: the triples of the
    citation graphs (read from the citations), and those of the few other graphs, if any (asking
    every statement whether its graph is a citation took 11 s at 100x the data)."""
    (cited,), = kg.select(_CITED_TRIPLES).rows
    citations = {c.value for (c,) in kg.select(
        "SELECT DISTINCT ?g WHERE { GRAPH zgg:sources { ?g a zg:Citation ; zg:document ?d ; zg:locator ?l } }").rows}
    others = sorted(g.value for g in kg.store.named_graphs()
                    if g.value not in citations and g.value not in _NOT_FACTS)
    uncited = 0
    if others:
        graphs = " ".join(f"<{g}>" for g in others)
        (n,), = kg.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ "
                          f"VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }} }}").rows
        uncited = int(n.value)
    return int(cited.value) + uncited, int(cited.value)


def run_sparql_checks(kg: KnowledgeGraph, directory: Path = CHECK_DIR) -> list[Problem]:
    problems = []
    for name, check in named_queries(directory).items():
        table = kg.select(check.text, source=f"check {name}")
        fix = check.headers.get("fix", "")
        for entity, prop, value in table.rows:
            e, p, v = plain(entity) or "", plain(prop) or "", plain(value) or ""
            where = _where(kg, (entity, prop, value), e, v)
            problems.append(Problem(name, e, p, short(v), where, f"{check.summary} Fix: {fix}"))
    return _resolve_files(kg, problems)


def parse_date(literal: ox.Literal) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date literal can mean (2020-12 -> 1 Dec .. 31 Dec 2020); None if it
    is not a real date on or after EARLIEST_YEAR."""
    m = DATE_TYPES[literal.datatype.value].match(literal.value)
    if m is None:
        return None
    parts = [int(x) for x in m.groups()]
    if parts[0] < EARLIEST_YEAR:
        return None
    try:
        if len(parts) == 3:
            day = dt.date(*parts)
            return day, day
        if len(parts) == 2:
            first = dt.date(parts[0], parts[1], 1)
            following = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    except ValueError:
        return None


def _date_quads(kg: KnowledgeGraph) -> list[ox.Quad]:
    """Data quads whose object is typed as a date (DATE_TYPES)."""
    return _scans(kg)["dates"]


def invalid_dates(kg: KnowledgeGraph) -> set:
    # asked by the date checks and again by SHACL
    return kg.memo("invalid-dates", lambda: {q.object for q in _date_quads(kg) if parse_date(q.object) is None})


def check_dates(kg: KnowledgeGraph, today: dt.date | None = None) -> list[Problem]:
    """Typed date literals that are not real dates (2021-02-30, 2020/12/09, month 13, year before
    1949), and event dates (EVENT_DATES) after the document that reports them or after today."""
    today = today or dt.date.today()
    doc_of = {c.value: d.value for c, d in kg.select(
        "SELECT ?c ?d WHERE { GRAPH zgg:sources { ?c zg:document ?d } }").rows}
    doc_last_day: dict[str, dt.date] = {}
    doc_issued: dict[str, str] = {}
    for d, v in kg.select("SELECT ?d ?v WHERE { ?d dcterms:issued ?v }").rows:
        span = parse_date(v) if isinstance(v, ox.Literal) and v.datatype.value in DATE_TYPES else None
        # Sources may disagree on a document's date: the latest one decides, so no fact is flagged
        # merely because one source dates the document early.
        if span and (d.value not in doc_last_day or span[1] > doc_last_day[d.value]):
            doc_last_day[d.value], doc_issued[d.value] = span[1], v.value
    problems = []
    for q in _date_quads(kg):
        o = q.object
        s = plain(q.subject) or ""
        prop = ns.curie(q.predicate.value)
        def where(q=q, s=s):
            return _where(kg, (q.subject, q.predicate, q.object), s)

        span = parse_date(o)
        if span is None:
            problems.append(Problem(
                "impossible-date", s, prop, short(o.value), where(),
                f"{short(o.value)!r} is not a valid {ns.curie(o.datatype.value)} on or after {EARLIEST_YEAR}. "
                "Fix: write YYYY-MM-DD (xsd:date), YYYY-MM (xsd:gYearMonth) or YYYY (xsd:gYear).",
            ))
            continue
        if q.predicate.value not in EVENT_DATES:
            continue
        if span[0] > today:
            problems.append(Problem(
                "future-date", s, prop, o.value, where(),
                f"{o.value} lies after today ({today.isoformat()}): a reported event cannot be in the "
                "future. Fix: correct the date; a planned year is a target (zg:refPeriod of an "
                "observation), not an event date."))
            continue
        doc = doc_of.get(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else None
        if doc and doc in doc_last_day and span[0] > doc_last_day[doc]:
            problems.append(Problem(
                "date-after-source", s, prop, o.value, where(),
                f"{o.value} is later than the citing document {ns.curie(doc)} (issued {doc_issued[doc]}): "
                "a document cannot report what happened after it. Fix: correct the date or the "
                "document's dcterms:issued, or cite a later document."))
    return _resolve_files(kg, problems)


def _scans(kg: KnowledgeGraph) -> dict[str, list[ox.Quad]]:
    """The statements two kinds of check look at, found in one read of the engine's N-Quads dump:
    ``suspects``, those with an overlong term or an unsafe link (the length and link checks each
    decide again in Python which problem, if any, a statement has), and ``dates``, those with a
    date-typed value. A regular expression finds the lines they can be on, in C; Python parses
    only those. (The engine testing every statement with string functions took 20 s at a hundred
    times the data.) The lines: longer than the shortest limit (a term's N-Quads form is never
    shorter than its value); holding an IRI that does not start with http(s): (every IRI is
    written <…>); a link property followed by something other than an IRI; a ^^ date type."""
    def scan():
        import mmap
        import tempfile

        limit = min(MAX_IRI, MAX_LABEL, MAX_LITERAL)
        links = b"|".join(re.escape(f"<{p}> ".encode()) for p in sorted(LINKS))
        types = b"|".join(re.escape(t.encode()) for t in sorted(DATE_TYPES))
        patterns = {"suspects": rb"^[^\n]{%d,}|<(?![hH][tT][tT][pP][sS]?:)|(?:%s)[^<]" % (limit + 1, links),
                    "dates": rb"\^\^<(?:%s)>" % types}
        with tempfile.TemporaryFile() as out:  # the dump is mapped from disk, not held by Python
            kg.store.dump(out, format=ox.RdfFormat.N_QUADS)
            out.flush()
            if out.tell() == 0:
                return {name: [] for name in patterns}
            with mmap.mmap(out.fileno(), 0, access=mmap.ACCESS_READ) as dump:
                found = {name: _lines(dump, pattern) for name, pattern in patterns.items()}
        found["dates"] = [q for q in found["dates"]
                          if isinstance(q.object, ox.Literal) and q.object.datatype.value in DATE_TYPES]
        return found

    return kg.memo("scans", scan)


def _lines(dump, pattern: bytes) -> list[ox.Quad]:
    """The data quads (not the ontology, not the union) on the lines of ``dump`` that ``pattern``
    matches, sorted, so which statement names a repeated bad term does not depend on the engine."""
    starts = {dump.rfind(b"\n", 0, m.start()) + 1 for m in re.finditer(pattern, dump, re.MULTILINE)}
    lines = [dump[a:dump.find(b"\n", a)] for a in sorted(starts)]
    if not lines:
        return []
    ontology = ox.NamedNode(ns.ONTOLOGY_GRAPH)
    return sorted((q for q in ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS)
                   if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name != ontology), key=str)


def _suspects(kg: KnowledgeGraph) -> list[ox.Quad]:
    return _scans(kg)["suspects"]


def check_lengths(kg: KnowledgeGraph) -> list[Problem]:
    """Labels, literals and IRIs over the documented limits (MAX_LABEL, MAX_LITERAL, MAX_IRI).

    Only ``len()`` runs over each value, so a five-megabyte label costs milliseconds here."""
    problems = []
    seen: set[str] = set()
    for q in _suspects(kg):
        for term, role in ((q.subject, "subject"), (q.predicate, "property"), (q.object, "value"),
                           (q.graph_name, "graph name")):
            if isinstance(term, ox.NamedNode) and len(term.value) > MAX_IRI and term.value not in seen:
                seen.add(term.value)
                problems.append(Problem(
                    "overlong-value", _name(q.subject), _name(q.predicate), short(term.value),
                    _where(kg, (q.subject, q.predicate, q.object)),
                    f"an IRI ({role}) of {len(term.value):,} characters; the limit is {MAX_IRI:,}. "
                    "Fix: use a short, readable IRI (data/README.md, identifiers)."))
        o = q.object
        if isinstance(o, ox.Literal):
            n = len(o.value)
            limit, kind = (MAX_LABEL, "label") if q.predicate.value in LABELS else (MAX_LITERAL, "literal")
            if n > limit:
                problems.append(Problem(
                    "overlong-value", _name(q.subject), _name(q.predicate), short(o.value),
                    _where(kg, (q.subject, q.predicate, o)),
                    f"a {kind} of {n:,} characters; the limit for a {kind} is {limit:,}. Fix: shorten it "
                    "(a label names the entity; a longer text belongs in dcterms:description, "
                    "summarised in your own words)."))
    return _resolve_files(kg, problems)


def check_links(kg: KnowledgeGraph) -> list[Problem]:
    """IRIs that are not http(s) (a reader's browser would run a javascript:, data: or file: one),
    and link properties (foaf:page) whose value is not an IRI at all."""
    problems = []
    seen: set[str] = set()
    for q in _suspects(kg):
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if not isinstance(term, ox.NamedNode) or term.value in seen:
                continue
            seen.add(term.value)
            scheme = term.value.split(":", 1)[0].lower()
            if scheme not in SAFE_SCHEMES:
                problems.append(Problem(
                    "unsafe-iri", _name(q.subject), _name(q.predicate), short(term.value),
                    _where(kg, (q.subject, q.predicate, q.object)),
                    f"an IRI with the scheme {short(scheme, 20)!r}: every IRI in the data must be http:// or "
                    "https://, since pages and views turn IRIs into links. Fix: give the document's web "
                    "address, or leave foaf:page out when it has none."))
        if q.predicate.value in LINKS and not isinstance(q.object, ox.NamedNode):
            problems.append(Problem(
                "unsafe-iri", _name(q.subject), _name(q.predicate), _name(q.object),
                _where(kg, (q.subject, q.predicate, q.object)),
                f"{ns.curie(q.predicate.value)} must be an http(s) IRI written <https://…>, not a literal. "
                "Fix: write the address as an IRI."))
    return _resolve_files(kg, problems)


def check_not_empty(kg: KnowledgeGraph) -> list[Problem]:
    """A graph without a single demonstration zone is empty or nearly so: a wrong --root, or data/
    lost. (Citation coverage alone would read 0/0 = 100%.)"""
    if kg.select("SELECT ?z WHERE { ?z a zg:DemonstrationZone } LIMIT 1").rows:
        return []
    n = sum(1 for f in kg.files if f.suffix == ".trig")
    return [Problem("empty-graph", "data/", "rdf:type", "zg:DemonstrationZone", "data/",
                    f"no demonstration zone in {n} data file(s) under {kg.root / 'data'}: the graph is empty "
                    "or nearly so. Fix: point --root at a zonegraph checkout, or restore data/.")]


def check_stray_files(kg: KnowledgeGraph) -> list[Problem]:
    """Files in data/ that are not loaded. Data in another syntax or under another name (.ttl, .nt,
    x.trig.bak …) is a problem: its statements are silently missing. Anything else is a warning."""
    problems = []
    for rel, looks_like_data in stray_files(kg.root):
        problems.append(Problem(
            "stray-file", rel, "", "", rel,
            ("looks like data but is not loaded (only data/**/*.trig files are), so its statements are "
             "missing from the graph. Fix: write it as TriG with citation graphs and name it *.trig, or "
             "move it out of data/.") if looks_like_data else
            ("is not loaded (only data/**/*.trig files are; *.md files are documentation). Fix: move it "
             "out of data/ unless it is meant to sit there unread."),
            "violation" if looks_like_data else "warning"))
    return problems


class _Quiet(logging.Filter):
    def filter(self, record):  # rdflib logs a traceback for every literal it cannot convert
        return False


def run_shacl(kg: KnowledgeGraph, engine: str = "turbo") -> list[Problem]:
    """The shapes in graph/shapes.ttl over the union graph. ``engine``: ``turbo`` (pyshacl-turbo, a
    Rust engine with pySHACL's API: 6x faster here, same report — tests/test_validate.py checks it
    against pySHACL) or ``pyshacl``."""
    import rdflib

    # Invalid dates are one impossible-date row each already; the datatype shapes would report each
    # twice more, so SHACL does not see them.
    bad = invalid_dates(kg)
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    if engine == "turbo":
        from pyshacl_turbo import validate as shacl_validate

        from pyshacl_turbo.rdf import Input

        # The default graph alone (named graphs would be validated too), handed over as the N-Quads
        # text pyshacl-turbo reads a store as (its own form, pinned by the <0.7 bound): a Python pass
        # over every statement, or a copy into a store it dumps again, took seconds at 100x the data.
        text = kg.store.dump(format=ox.RdfFormat.N_QUADS, from_graph=ox.DefaultGraph())
        if bad:  # rare: drop the statements with impossible dates from a copy
            data = ox.Store()
            data.bulk_load(text, format=ox.RdfFormat.N_QUADS)
            for value in bad:
                for q in list(data.quads_for_pattern(None, None, value)):
                    data.remove(q)
        else:
            data = Input(text.decode("utf-8"), "oxigraph-nquads", None, {}, preserve_ids=True)
        _, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
    else:
        from pyshacl import validate as shacl_validate

        data = rdflib.Graph()
        lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n" for q in kg.store
                        if isinstance(q.graph_name, ox.DefaultGraph) and q.object not in bad})
        quiet, term_log = _Quiet(), logging.getLogger("rdflib.term")
        term_log.addFilter(quiet)
        try:
            data.parse(data="".join(lines), format="nt")
            _, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
        finally:
            term_log.removeFilter(quiet)
    SH = rdflib.Namespace(ns.PREFIXES["sh"])
    problems = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = "warning" if results.value(result, SH.resultSeverity) == SH.Warning else "violation"
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        e = ns.curie(str(focus))
        statement = ((ox.NamedNode(str(focus)), ox.NamedNode(str(path)), _ox(value))
                     if isinstance(focus, rdflib.URIRef) and isinstance(path, rdflib.URIRef) and value is not None
                     else None)
        where = _where(kg, statement, e)
        problems.append(Problem(
            "shacl", e, ns.curie(str(path)) if path is not None else "",
            short(ns.curie(str(value))) if value is not None else "", where, str(message or ""), severity,
        ))
    return _resolve_files(kg, problems)


def _ox(term):
    """An rdflib term as the pyoxigraph term the loader keyed statements with."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return None


def validate(kg: KnowledgeGraph, shacl: bool = True, progress=None, today: dt.date | None = None) -> Report:
    """Run every check. ``progress``: optional callable given one line per stage; ``today``: what
    future-date compares with (default: the real date)."""
    say = progress or (lambda message: None)
    if kg.store_path is not None and kg.files == [kg.root / "ontology.ttl", *data_files(kg.root)]:
        # Every check reads every statement. From the store on disk each term is decoded from
        # RocksDB: at 100x the data the scans ran 3-7x slower there than on the same data parsed
        # into memory, and parsing it costs less than they saved.
        kg = KnowledgeGraph.load(kg.root, progress=progress)
    say("checking the length of every label, literal and IRI")
    too_long = check_lengths(kg)
    if too_long:
        # Every later check reads these values again (regexes, SHACL, label maps): stop here.
        facts, cited = coverage(kg)
        return Report(sorted(set(too_long)), facts, cited, [],
                      skipped="the other checks did not run: fix the values over the length limits first")
    problems = check_not_empty(kg) + check_links(kg) + check_stray_files(kg)
    # The SPARQL checks scan every statement in a process of their own while this one runs the
    # date checks, SHACL and the coverage count: on two cores the two halves overlap.
    say(f"running {len(named_queries(CHECK_DIR))} SPARQL checks (in a second process) and the date checks")
    checks = Beside(kg, run_sparql_checks)
    try:
        problems += check_dates(kg, today)
        if shacl:
            say("running the SHACL shapes (pyshacl-turbo)")
            problems += run_shacl(kg)
        facts, cited = coverage(kg)
        problems += checks.result()
    finally:
        checks.cancel()
    found = sorted(set(problems))
    report = Report([p for p in found if p.severity != "warning"], facts, cited,
                    [p for p in found if p.severity == "warning"])
    say(f"checked {facts} fact statements: {len(report.problems)} problem(s), {len(report.warnings)} warning(s)")
    return report
