"""One shared set of row formats for every row-returning command: table, csv, tsv, json, markdown.

Rows are written as they come (:func:`stream`), so a query's first row reaches the reader at once
and memory stays bounded: csv, tsv, json and markdown write each row immediately; ``table``
holds the first :data:`TABLE_BUFFER` rows to size its columns, then keeps those widths (a longer
cell further down pushes its line out instead of re-aligning everything).

``json`` is the W3C SPARQL 1.1 Query Results JSON format. A cell that is already a term dict
(``{"type": "uri", "value": ...}``, as ``zonegraph query`` gives) is written as is; any other
value becomes a plain literal, so every command's JSON reads the same way.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from itertools import islice
from collections.abc import Callable, Iterable, Sequence

FORMATS = ("table", "csv", "tsv", "json", "markdown")
TABLE_BUFFER = 1000
BOM = "\ufeff"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _cell(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("value")
    return "" if value is None else str(value).replace("\n", " ")


def json_cell(value: object) -> dict | None:
    """A W3C SPARQL JSON term: term dicts pass through, None is unbound, anything else a plain literal."""
    if value is None or isinstance(value, dict):
        return value
    return {"type": "literal", "value": str(value)}


def stream(columns: Sequence[str], rows: Iterable[Sequence[object]], fmt: str,
           write: Callable[[str], object]) -> int:
    """Write rows in ``fmt`` through ``write`` as they arrive; return how many rows were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    count = 0
    if fmt == "json":
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        write('{\n  "head": {"vars": ' + dumps(list(columns)) + '},\n  "results": {"bindings": [')
        for row in rows:
            binding = {c: t for c, t in zip(columns, map(json_cell, row)) if t is not None}
            write(("\n    " if count == 0 else ",\n    ") + dumps(binding))
            count += 1
        write("\n  ]}\n}\n")
        return count
    if fmt in ("csv", "tsv"):
        writer = csv.writer(_Sink(write), delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
        return count
    if fmt == "markdown":
        esc = lambda s: s.replace("|", "\\|")  # noqa: E731
        write("| " + " | ".join(esc(c) for c in columns) + " |\n")
        write("|" + "|".join("---" for _ in columns) + "|\n")
        for row in rows:
            write("| " + " | ".join(esc(_cell(v)) for v in row) + " |\n")
            count += 1
        return count
    # table
    it = iter(rows)
    head = [[_cell(v) for v in r] for r in islice(it, TABLE_BUFFER)]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in head]) for i, c in enumerate(columns)]
    line = lambda vals: "  ".join(_pad(v, w) for v, w in zip(vals, widths)).rstrip() + "\n"  # noqa: E731
    write(line(columns))
    write(line(["-" * w for w in widths]))
    for cells in head:
        write(line(cells))
    count = len(head)
    for row in it:
        write(line([_cell(v) for v in row]))
        count += 1
    return count


class _Sink:
    """What csv.writer needs from a file: a write method."""

    def __init__(self, write: Callable[[str], object]):
        self.write = write


def write_answer(kind: str, answer, fmt: str, write: Callable[[str], object], columns: Sequence[str] = ()) -> None:
    """A query's answer as ``zonegraph query`` prints it, whichever engine gave it: ``kind`` "ask"
    (``answer`` a bool: true/false, or SPARQL JSON's boolean), "graph" (triples, as sorted
    N-Triples, so the same query always prints the same bytes) or "select" (rows of terms, streamed)."""
    from graph.store import json_term, plain

    if kind == "ask":
        write(json.dumps({"head": {}, "boolean": bool(answer)}) + "\n" if fmt == "json"
              else ("true\n" if answer else "false\n"))
    elif kind == "graph":
        write("".join(f"{t} .\n" for t in sorted(map(str, answer))))
    else:
        cell = json_term if fmt == "json" else plain
        stream(columns, (tuple(map(cell, row)) for row in answer), fmt, write)


def render(columns: Sequence[str], rows: Iterable[Sequence[object]], fmt: str) -> str:
    """Render rows (sequences of plain values) in ``fmt``; output always ends with a newline."""
    buf = io.StringIO()
    stream(columns, rows, fmt, buf.write)
    return buf.getvalue()
