"""Named SPARQL queries: the shipped ``graph/queries/*.rq`` files and their headers.

Header lines at the top of each file::

    #+ summary: One line saying what the query answers.
    #+ row: What one row asserts (the answer contract, tests/test_contract.py).
    #+ multi: columns holding several values joined by " | "
    #+ sources: columns naming each row's sources ("none -- why" for counts and source records)
    #+ subject: column(s) of the entity the row's statements are about
    #+ key: columns that identify what a row asserts (no two rows share them)
    #+ param: zone entity optional -- the zone (CURIE, IRI or label); all zones when omitted
    #+ param: year integer required -- the year to look at
    #+ param: province zg:ProvinceLevelRegion required -- the province
    #+ example: zonegraph query -n zone-members --param zone=辽西北

Parameters are pre-bound by a one-row VALUES block opening every WHERE group (see
``graph.store.bind_values``) and ``?lang`` is written in as a literal (:meth:`NamedQuery.sparql`), so
every file is plain SPARQL 1.1; tests/test_parity.py measures which engines give the same rows.

The type of a parameter is ``entity``, ``integer``, ``string`` or a class CURIE such as
``zg:ProvinceLevelRegion``: an entity, preferably of that class or a subclass. A name is then
resolved among the entities of that class first (``province=安徽`` is 安徽省, not one of the
parks or enterprises whose names contain 安徽) and is ambiguous only among them.
"""

from __future__ import annotations

import re
from pathlib import Path
from collections import namedtuple

import pyoxigraph as ox

from graph.errors import ParameterError, UnknownQuery
from graph.store import to_term

QUERY_DIR = Path(__file__).resolve().parent / "queries"
CHECK_DIR = Path(__file__).resolve().parent / "checks"
PARAM_TYPES = ("entity", "integer", "string")
SEPARATOR = " | "  # between the values of a multi-valued cell (GROUP_CONCAT) in every named query


def join_values(values) -> str:
    """Several values of one cell, once each, in a fixed order."""
    return SEPARATOR.join(sorted({v.strip() for v in values if v.strip()}))


# Records are collections.namedtuple, not dataclasses or typing.NamedTuple: either import costs a
# cold `zonegraph query` 3-5 ms, more than the engine takes to answer on the curated data.
class Param(namedtuple("Param", "name type required description")):
    """A ``#+ param:`` line: ``type`` is entity, integer, string or a class CURIE (an entity of that class)."""

    __slots__ = ()

    @property
    def is_entity(self) -> bool:
        return self.type == "entity" or ":" in self.type

    @property
    def prefer(self) -> str | None:
        """The class CURIE an entity parameter expects, or None."""
        return self.type if ":" in self.type else None


class NamedQuery(namedtuple("NamedQuery", "name path text summary params examples headers")):
    """A shipped query: its file, text, summary, ``params`` (Param), ``examples`` (command lines)
    and every ``#+ key: value`` header."""

    __slots__ = ()


    @property
    def row(self) -> str:
        """What one row asserts (the ``#+ row:`` header): the query's answer contract."""
        return self.headers.get("row", "")

    @property
    def multi(self) -> list[str]:
        """Columns holding several values joined by :data:`SEPARATOR` (``#+ multi:``)."""
        return self.headers.get("multi", "").split()

    @property
    def source_columns(self) -> list[str]:
        """Columns naming each row's sources (``#+ sources:``; ``none -- why`` for rows that are sources)."""
        value = self.headers.get("sources", "sources")
        return [] if value.startswith("none") else value.split()

    def sparql(self, lang: str = "zh") -> str:
        """The query text with ``?lang`` written in as a literal.

        A literal is seen everywhere, also inside sub-SELECTs and OPTIONAL filters, where a
        top-level VALUES binding is not (sub-SELECTs are scoped; Virtuoso does not pass VALUES
        into OPTIONAL filters), so every engine gives the same rows."""
        if lang not in ("zh", "en"):
            raise ParameterError(f"--lang {lang!r}: use zh or en")
        return re.sub(r"\?lang\b", f'"{lang}"', self.text)

    def normalise(self, table):
        """Sort and de-duplicate the values inside each multi-valued cell: SPARQL leaves
        GROUP_CONCAT's order to the engine, a citable answer must not change between runs."""
        table.rows = [self.normalise_row(table.columns, row) for row in table.rows]
        return table

    def normalise_row(self, columns: list[str], row: tuple) -> tuple:
        """One row with its multi-valued cells sorted (see :meth:`normalise`)."""
        if not self.multi:
            return row
        row = list(row)
        for i, column in enumerate(columns):
            if column in self.multi and isinstance(row[i], ox.Literal):
                row[i] = ox.Literal(join_values(row[i].value.split(SEPARATOR)))
        return tuple(row)

    def runs(self) -> list[tuple[str, dict[str, str]]]:
        """The parameter sets tests and benchmarks run: ``("example", …)`` from the first example
        line, and ``("bare", …)`` with only its required parameters when that differs."""
        example = self.example_params()
        required = {p.name for p in self.params if p.required}
        bare = {k: v for k, v in example.items() if k in required}
        return [("example", example)] + ([("bare", bare)] if bare != example else [])

    def example_params(self) -> dict[str, str]:
        """The ``-p NAME=VALUE`` pairs of the first ``#+ example:`` line (docs, tests and bench run them)."""
        import shlex

        words = shlex.split(self.examples[0]) if self.examples else []
        return dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w in ("-p", "--param"))


_PARAM = re.compile(r"^(\w+)\s+([\w:-]+)\s+(required|optional)\s+--\s+(.+)$")


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    summary, params, examples, headers = "", [], [], {}
    for line in text.splitlines():
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break
            continue
        key, _, value = line[2:].strip().partition(":")
        key, value = key.strip(), value.strip()
        if key == "summary":
            summary = value
        elif key == "param":
            m = _PARAM.match(value)
            if not m or not (m.group(2) in PARAM_TYPES or _is_class(m.group(2))):
                raise ValueError(f"{path}: bad param header {value!r}: the type is entity, integer, "
                                 "string or a class CURIE such as zg:ProvinceLevelRegion")
            params.append(Param(m.group(1), m.group(2), m.group(3) == "required", m.group(4)))
        elif key == "example":
            examples.append(value)
        else:
            headers[key] = value
    if not summary:
        raise ValueError(f"{path}: missing '#+ summary:' header")
    return NamedQuery(path.stem, path, text, summary, tuple(params), tuple(examples), headers)


def _is_class(token: str) -> bool:
    from graph import ns

    prefix, _, local = token.partition(":")
    return prefix in ns.PREFIXES and local[:1].isupper()


def named_queries(directory: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}


def get_query(name: str, directory: Path = QUERY_DIR) -> NamedQuery:
    """One named query, parsing only its own file."""
    names = sorted(p.stem for p in directory.glob("*.rq"))
    if name not in names:
        raise UnknownQuery(name, names)
    return parse_query_file(directory / f"{name}.rq")


def bind_params(query: NamedQuery, given: dict[str, str], resolve_entity) -> dict[str, object]:
    """Turn ``--param name=value`` strings into terms, checking names, types and required ones.

    ``resolve_entity(text, prefer)`` names an entity; ``prefer`` is the class CURIE the parameter
    expects, or None."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ParameterError(
            f"query {query.name!r} has no parameter {', '.join(unknown)}; "
            f"it takes: {', '.join(known) or 'none'}"
        )
    bound: dict[str, object] = {}
    for p in query.params:
        if p.name not in given:
            if p.required:
                raise ParameterError(
                    f"query {query.name!r} needs --param {p.name}=VALUE ({p.description})"
                )
            continue
        value = given[p.name]
        if p.type == "integer":
            if not re.fullmatch(r"-?\d+", value.strip()):
                raise ParameterError(f"--param {p.name}: {value!r} is not a whole number")
            bound[p.name] = to_term(value)
        elif p.is_entity:
            iri = resolve_entity(value, p.prefer)
            bound[p.name] = ox.NamedNode(iri)
        else:
            bound[p.name] = ox.Literal(value)
    return bound
