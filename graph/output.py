"""One shared set of row formats for every row-returning command: table, csv, tsv, json, markdown."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from typing import Iterable, Sequence

FORMATS = ("table", "csv", "tsv", "json", "markdown")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("\n", " ")


def render(columns: Sequence[str], rows: Iterable[Sequence[object]], fmt: str) -> str:
    """Render rows (sequences of plain values) in ``fmt``; output always ends with a newline."""
    rows = [list(r) for r in rows]
    if fmt == "json":
        return json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in r] for r in rows])
        return buf.getvalue()
    cells = [[_cell(v) for v in r] for r in rows]
    if fmt == "markdown":
        esc = lambda s: s.replace("|", "\\|")  # noqa: E731
        lines = ["| " + " | ".join(esc(c) for c in columns) + " |",
                 "|" + "|".join("---" for _ in columns) + "|"]
        lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in cells]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
        line = lambda vals: "  ".join(_pad(v, w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
        out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
        return "\n".join(out) + "\n"
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
