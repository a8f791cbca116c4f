"""The city-year treatment panel: one row per member region x zone x year, for difference-in-differences.

Every membership comes from the named query ``panel-memberships`` (one cited row per membership);
this module only expands those rows into years, so each cell traces back to that query's row and
its ``sources``. The years run from 2008 to the year of :data:`graph.RELEASE_DATE`, never to the wall
clock, so a rebuild is byte-identical.

Coding rules (also in the README codebook):
- ``in_zone`` is 1 when a source dates the start on or before 31 December of the year and no source
  ends it by then, 0 otherwise; empty for every year when no source dates the start (nobody can say).
- Where sources give several start dates, the earliest counts (``first_year`` is its year), and all
  of them stand in ``start_dates``; ``dates_conflict`` is ``yes`` when their years differ.
- ``partial`` is 1 for zg:PartOfRegion, 0 for zg:WholeRegion, empty where no source states the coverage.
"""

from __future__ import annotations

from graph.queries import SEPARATOR

FIRST_YEAR = 2008
COLUMNS = ["code", "region", "region_id", "level", "zone", "zone_label", "year", "in_zone", "partial",
           "coverage_note", "first_year", "start_dates", "dates_conflict", "end_date", "date_precision", "approval_document",
           "document_number", "sources"]
PRECISION = {4: "year", 7: "month", 10: "day"}


def release_year() -> int:
    from graph import RELEASE_DATE

    return int(RELEASE_DATE[:4])


def _split(cell: str | None) -> list[str]:
    return [v for v in (cell or "").split(SEPARATOR) if v]


def _as_of(m: dict, year: int) -> tuple[str, str, str, str]:
    """Code, name, region CURIE and sources of a member in ``year``: what it became from the year of
    a cited change (the membership goes on in the region that replaced it, and the change's source
    joins the row's), else its own, under the name of the time."""
    if m.get("became") and year >= int(m["became_year"]):
        sources = SEPARATOR.join(sorted(set(_split(m.get("sources"))) | set(_split(m.get("change_sources")))))
        return m.get("became_code") or "", m.get("became_label") or "", m["became"], sources
    name = m.get("previous_name") or m.get("member_label") or ""
    return m.get("code") or "", name, m["member"], m.get("sources") or ""


def expand(memberships: list[dict], last_year: int, first_year: int = FIRST_YEAR) -> list[list[str]]:
    """Rows of the panel from ``panel-memberships`` rows (dicts of plain strings); a member's
    ``became`` columns give each year the code and name the region had then."""
    keyed = []
    for m in memberships:
        starts = sorted(_split(m.get("starts")), key=lambda d: (d[:4], d))
        ends = sorted(_split(m.get("ends")))
        start = starts[0] if starts else ""
        first = int(start[:4]) if start else None
        # An end date ends the membership in its own year: a city dissolved in August is not in the
        # zone on 31 December.
        end_year = int(ends[0][:4]) if ends else None
        coverage = set(_split(m.get("coverage")))
        partial = "1" if "PartOfRegion" in coverage else "0" if "WholeRegion" in coverage else ""
        conflict = "yes" if len({s[:4] for s in starts}) > 1 else ""
        for year in range(first_year, last_year + 1):
            if first is None:
                in_zone = ""
            else:
                in_zone = "1" if first <= year and (end_year is None or end_year > year) else "0"
            code, name, region, sources = _as_of(m, year)
            keyed.append(((m["zone"], m.get("code") or "", m["member"], year), [code, name, region, m.get("level") or "",
                         m["zone"], m.get("zone_label") or "", str(year), in_zone, partial,
                         m.get("coverage_note") or "", str(first) if first is not None else "", SEPARATOR.join(starts), conflict,
                         ends[0] if ends else "", PRECISION.get(len(start), ""),
                         m.get("approval_document") or "", m.get("document_number") or "", sources]))
    # one membership's years stay together, in the order of the code it started with
    return [row for _, row in sorted(keyed, key=lambda kr: kr[0])]


def city_year_panel(kg, lang: str = "zh", last_year: int | None = None) -> tuple[list[str], list[list[str]]]:
    """``(columns, rows)`` of the panel for every membership in the graph."""
    from graph.api import run_named_query

    table = run_named_query(kg, "panel-memberships", lang=lang)
    return COLUMNS, expand(table.values(), last_year or release_year())
