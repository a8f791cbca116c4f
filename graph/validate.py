"""Data-quality checks: SHACL shapes (pySHACL), SPARQL checks (one row per problem), date
validity, and citation coverage. Every problem names the entity, property, value and data file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import ns
from graph.queries import CHECK_DIR, named_queries
from graph.store import KnowledgeGraph, plain

SHAPES = Path(__file__).resolve().parent / "shapes.ttl"
DATE_TYPES = {
    ns.PREFIXES["xsd"] + "date": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    ns.PREFIXES["xsd"] + "gYearMonth": re.compile(r"^(\d{4})-(\d{2})$"),
    ns.PREFIXES["xsd"] + "gYear": re.compile(r"^(\d{4})$"),
}
EARLIEST_YEAR = 1949  # no fact in this graph predates the People's Republic's division codes


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


def _file_for(kg: KnowledgeGraph, *terms: str | None) -> str:
    for term in terms:
        if term:
            iri = ns.expand(term) or term
            files = kg.files_of(iri)
            if files:
                return ", ".join(files)
    return ""


def coverage(kg: KnowledgeGraph) -> tuple[int, int]:
    """(fact statements, cited fact statements) over every data quad outside sources/editorial."""
    cited_graphs = {
        row[0].value
        for row in kg.select(
            "SELECT ?c WHERE { GRAPH zgg:sources { ?c a zg:Citation ; zg:document ?d ; zg:locator ?l } }"
        ).rows
    }
    skip = {ns.SOURCES_GRAPH, ns.EDITORIAL_GRAPH, ns.VOCABULARY_GRAPH}
    facts = cited = 0
    seen = set()
    for q in kg.quads():
        graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
        if graph in skip:
            continue
        triple = (q.subject, q.predicate, q.object)
        key = (triple, graph in cited_graphs)
        if key in seen:
            continue
        seen.add(key)
        facts += 1
        cited += graph in cited_graphs
    # A triple counted once cited and once uncited is still uncited somewhere: keep both counts.
    return facts, cited


def run_sparql_checks(kg: KnowledgeGraph, directory: Path = CHECK_DIR) -> list[Problem]:
    problems = []
    for name, check in named_queries(directory).items():
        table = kg.select(check.text, source=f"check {name}")
        fix = check.headers.get("fix", "")
        for entity, prop, value in table.rows:
            e, p, v = plain(entity) or "", plain(prop) or "", plain(value) or ""
            problems.append(Problem(name, e, p, v, _file_for(kg, e, v), f"{check.summary} Fix: {fix}"))
    return problems


def check_dates(kg: KnowledgeGraph) -> list[Problem]:
    """Typed date literals that are not real dates (2021-02-30, month 13, year before 1949)."""
    problems = []
    for q in kg.quads():
        o = q.object
        if not isinstance(o, ox.Literal) or o.datatype.value not in DATE_TYPES:
            continue
        m = DATE_TYPES[o.datatype.value].match(o.value)
        ok = m is not None
        if ok:
            parts = [int(x) for x in m.groups()] + [1] * (3 - len(m.groups()))
            try:
                dt.date(*parts)
            except ValueError:
                ok = False
            ok = ok and parts[0] >= EARLIEST_YEAR
        if not ok:
            s = plain(q.subject) or ""
            problems.append(Problem(
                "impossible-date", s, ns.curie(q.predicate.value), o.value, _file_for(kg, s),
                f"{o.value!r} is not a valid {ns.curie(o.datatype.value)} on or after {EARLIEST_YEAR}. "
                "Fix: write YYYY-MM-DD (xsd:date), YYYY-MM (xsd:gYearMonth) or YYYY (xsd:gYear).",
            ))
    return problems


def run_shacl(kg: KnowledgeGraph) -> list[Problem]:
    import rdflib
    from pyshacl import validate as shacl_validate

    data = rdflib.Graph()
    lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n" for q in kg.store
                    if isinstance(q.graph_name, ox.DefaultGraph)})
    data.parse(data="".join(lines), format="nt")
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    _, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
    SH = rdflib.Namespace(ns.PREFIXES["sh"])
    problems = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = "warning" if results.value(result, SH.resultSeverity) == SH.Warning else "violation"
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        e = ns.curie(str(focus))
        problems.append(Problem(
            "shacl", e, ns.curie(str(path)) if path is not None else "",
            ns.curie(str(value)) if value is not None else "", _file_for(kg, e), str(message or ""), severity,
        ))
    return problems


def validate(kg: KnowledgeGraph, shacl: bool = True) -> Report:
    problems = run_sparql_checks(kg) + check_dates(kg)
    if shacl:
        problems += run_shacl(kg)
    facts, cited = coverage(kg)
    found = sorted(set(problems))
    return Report([p for p in found if p.severity != "warning"], facts, cited,
                  [p for p in found if p.severity == "warning"])
