"""The reading view of one entity (``zonegraph show``): who it is, then its facts grouped, each once.

:func:`reading` gathers; :func:`fact_rows` gives the machine rows (every fact, one row each, its
sources aggregated); :func:`render` lays the view out for a terminal of a given width.
A fact stated in several citations is one line here with all of them as its sources; the raw
one-row-per-citation listing is :func:`graph.entities.facts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from graph import ns
from graph.entities import facts, lookup
from graph.output import display_width as _width
from graph.store import KnowledgeGraph

# (key, zh, en) in display order.
GROUPS = [
    ("identity", "名称与类别", "Identity"),
    ("dates", "日期", "Dates"),
    ("notes", "说明", "Description"),
    ("members", "成员", "Members"),
    ("industries", "产业", "Industries"),
    ("places", "地区与园区", "Places"),
    ("documents", "文献与机构", "Documents and agents"),
    ("projects", "项目", "Projects"),
    ("statements", "涉及它的陈述", "Statements about it"),
    ("other", "其他", "Other"),
]
_PROPERTY_GROUP = {
    "identity": "rdf:type rdfs:label skos:altLabel zg:pinyin zg:divisionCode dcterms:identifier skos:notation "
                "dcterms:title zg:documentKind zg:parkLevel zg:parkType skos:inScheme zg:changeKind zg:projectStatus "
                "zg:newName",
    "dates": "zg:approvalDate zg:startDate zg:endDate dcterms:issued zg:date zg:dateNote zg:refPeriod zg:periodNote",
    "notes": "dcterms:description zg:positioning zg:spatialLayout zg:coverage zg:coverageNote zg:indicator "
             "zg:value zg:unit zg:amount zg:amountUnit",
    "members": "zg:member zg:memberRegion zg:addedMember zg:removedMember",
    "industries": "zg:targetIndustry zg:industry skos:broader skos:broadMatch skos:narrowMatch skos:exactMatch "
                  "skos:closeMatch skos:relatedMatch",
    "places": "zg:province zg:parentRegion zg:sourceRegion zg:receiver zg:locatedIn zg:park zg:carrierPlatform "
              "geo:lat geo:long zg:investorOrigin zg:partner zg:observationOf",
    "documents": "zg:plan zg:approvalDocument zg:approvedBy dcterms:publisher dcterms:creator zg:declaredIn "
                 "zg:reports zg:concerns foaf:page dcterms:bibliographicCitation zg:document zg:locator zg:investor",
}
PROPERTY_GROUP = {p: g for g, props in _PROPERTY_GROUP.items() for p in props.split()}
# rdf:type is not described in ontology.ttl (it is RDF's own); everything else takes its label from there.
_BUILTIN_LABELS = {"rdf:type": {"zh": "类别", "en": "class"}}


@dataclass
class Fact:
    group: str
    direction: str  # out: the entity is the subject; in: the entity is the object
    prop: str  # CURIE
    relation: str  # the property's label in the chosen language ("← " before it when incoming)
    value: str  # CURIE or lexical form
    value_label: str | None
    sources: list[tuple[str, str]]  # (document label, locator), sorted
    citations: list[str]  # citation graph CURIEs, sorted

    def sources_text(self) -> str:
        """``doc: loc1; loc2 | doc2: loc`` — every document once, its locators in order."""
        by_doc: dict[str, list[str]] = {}
        for doc, loc in self.sources:
            by_doc.setdefault(doc, [])
            if loc:
                by_doc[doc].append(loc)
        return " | ".join(f"{d}: {'; '.join(locs)}" if locs else d for d, locs in by_doc.items())


@dataclass
class Member:
    iri: str  # the member region's CURIE
    label: str
    code: str
    start: str
    end: str
    coverage: str
    membership: str  # the zg:Membership node's CURIE
    sources: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Reading:
    iri: str
    lang: str
    label: str
    other_label: str  # the label in the other language
    labels: list[str]  # every rdfs:label
    short_names: list[str]  # skos:altLabel
    pinyin: str
    classes: list[tuple[str, str]]  # (CURIE, label)
    facts: list[Fact]
    members: list[Member]


def relation_label(kg: KnowledgeGraph, prop: str, lang: str) -> str:
    if prop in _BUILTIN_LABELS:
        return _BUILTIN_LABELS[prop][lang]
    iri = ns.iri(prop)
    entry = kg.label_entry(iri)
    return entry.get(lang) or entry.get("en" if lang == "zh" else "zh") or prop


def reading(kg: KnowledgeGraph, iri: str, lang: str = "zh", as_of: int | None = None) -> Reading:
    """Everything ``show`` prints about ``iri``: names, classes, facts (one per statement, sources
    aggregated) and, for a zone, its members through their zg:Membership nodes."""
    idx = lookup(kg)
    _, rows = facts(kg, iri, lang, as_of)
    merged: dict[tuple[str, str, str], dict] = {}
    for direction, prop, value, value_label, source, locator, citation in rows:
        key = (direction, prop, value or "")
        f = merged.setdefault(key, {"label": value_label, "sources": set(), "citations": set()})
        f["sources"].add((source or "", locator or ""))
        f["citations"].add(citation or "")
    out: list[Fact] = []
    for (direction, prop, value), f in merged.items():
        value_iri = ns.expand(value) or ""
        group = PROPERTY_GROUP.get(prop, "other")
        if direction == "in" and value_iri and idx.rank(value_iri)[0] == 2:
            group = "members" if prop == "zg:zone" else "statements"
        elif direction == "in" and value_iri and idx.is_a(value_iri, "zg:InvestmentProject"):
            group = "projects"
        rel = relation_label(kg, prop, lang)
        out.append(Fact(group, direction, prop, rel if direction == "out" else f"← {rel}", value, f["label"],
                        sorted(f["sources"]), sorted(f["citations"])))
    order = {g: i for i, (g, _, _) in enumerate(GROUPS)}
    out.sort(key=lambda f: (order[f.group], f.direction != "out", f.prop, f.value_label or f.value, f.value))
    own = [f for f in out if f.direction == "out"]
    labels = sorted({f.value for f in own if f.prop == "rdfs:label"})
    alts = sorted({f.value for f in own if f.prop == "skos:altLabel"})
    classes = sorted({f.value for f in own if f.prop == "rdf:type"},
                     key=lambda c: (c not in idx.classes_of(iri)[:1], c))
    other = "en" if lang == "zh" else "zh"
    return Reading(
        iri=iri, lang=lang, label=kg.label(iri, lang),
        other_label=kg.label_entry(iri).get(other, ""),
        labels=labels, short_names=alts, pinyin=idx.pinyin_of(iri),
        classes=[(c, kg.label(ns.iri(c), lang)) for c in classes],
        facts=out, members=_members(kg, iri, lang, as_of),
    )


_MEMBERS = """
SELECT ?m ?member ?code ?start ?end ?coverage ?document ?locator WHERE {
  ?m zg:zone ?entity ; zg:member ?member .
  OPTIONAL { ?member zg:divisionCode ?code }
  OPTIONAL { ?m zg:startDate ?start }
  OPTIONAL { ?m zg:endDate ?end }
  OPTIONAL { ?m zg:coverage ?coverage }
  OPTIONAL { GRAPH ?g { ?m zg:member ?member } GRAPH zgg:sources { ?g zg:document ?document .
             OPTIONAL { ?g zg:locator ?locator } } }
}
"""


def _members(kg: KnowledgeGraph, iri: str, lang: str, as_of: int | None) -> list[Member]:
    table = kg.select(_MEMBERS, {"entity": ox.NamedNode(iri)})
    if not table.rows:
        return []
    hidden: set[str] = set()
    if as_of is not None:
        from graph.network import facts_of

        hidden = facts_of(kg).not_in_force(as_of)
    found: dict[str, dict] = {}
    for m, member, code, start, end, coverage, document, locator in table.rows:
        mem = ns.curie(m.value)
        if mem in hidden:
            continue
        f = found.setdefault(mem, {"member": member.value, "code": set(), "start": set(), "end": set(),
                                   "coverage": set(), "sources": set()})
        for k, v in (("code", code), ("start", start), ("end", end), ("coverage", coverage)):
            if v is not None:
                f[k].add(kg.label(v.value, lang) if isinstance(v, ox.NamedNode) else v.value)
        if document is not None:
            f["sources"].add((kg.label(document.value, lang), locator.value if locator is not None else ""))
    members = [Member(ns.curie(f["member"]), kg.label(f["member"], lang), "/".join(sorted(f["code"])),
                      "/".join(sorted(f["start"])), "/".join(sorted(f["end"])), "/".join(sorted(f["coverage"])),
                      mem, sorted(f["sources"])) for mem, f in found.items()]
    members.sort(key=lambda m: (m.start or "9999", m.code, m.iri, m.membership))
    return members


FACT_COLUMNS = ["group", "direction", "property", "relation", "value", "value_label", "sources", "citations"]


def fact_rows(r: Reading) -> tuple[list[str], list[list[str | None]]]:
    """Every fact as one row: its group, the property CURIE and label, the value, and its sources
    and citation graphs aggregated (sorted, so the output is deterministic)."""
    rows = [[f.group, f.direction, f.prop, f.relation, f.value, f.value_label, f.sources_text(),
             " ".join(f.citations)] for f in r.facts]
    return FACT_COLUMNS, rows


# ------------------------------------------------------------------ terminal layout
_TEXT = {
    "zh": {"short": "简称", "class": "类别", "pinyin": "拼音", "members": "成员", "sources": "来源文献",
           "cut": "（表格按终端宽度截断；-F csv / json 输出全部内容）", "facts": "条事实"},
    "en": {"short": "short names", "class": "class", "pinyin": "pinyin", "members": "members",
           "sources": "Sources", "cut": "(cut to the terminal width; -F csv / json print everything)",
           "facts": "facts"},
}
_MAX_VALUE_LINES = 4


def _cut(text: str, width: int) -> str:
    """``text`` shortened to ``width`` display cells, ending in … when cut."""
    if _width(text) <= width:
        return text
    out, used = "", 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out, used = out + c, used + w
    return out + "…"


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Greedy wrap by display width, breaking at a space when there is one near the end."""
    lines: list[str] = []
    rest = text
    while rest and len(lines) < max_lines:
        if _width(rest) <= width:
            lines.append(rest)
            rest = ""
            break
        cut, used = 0, 0
        for i, c in enumerate(rest):
            if used + _width(c) > width:
                break
            used += _width(c)
            cut = i + 1
        space = rest.rfind(" ", 0, cut)
        if space > cut // 2:
            cut = space + 1
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        lines[-1] = _cut(lines[-1] + " " + rest, width)
    return lines or [""]


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _value_text(f: Fact) -> str:
    return f.value_label or f.value


class _Notes:
    """Numbers source documents in order of first use, so a line cites ``[1] 摘要段; 引言第3段``
    and each document's label is printed once, in the list at the end."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def cite(self, sources: list[tuple[str, str]]) -> str:
        by_doc: dict[str, list[str]] = {}
        for doc, loc in sources:
            by_doc.setdefault(doc, [])
            if loc:
                by_doc[doc].append(loc)
        parts = []
        for doc, locs in by_doc.items():
            if doc.startswith("("):  # (editorial translation), (source metadata): not documents
                parts.append(doc)
                continue
            n = self.numbers.setdefault(doc, len(self.numbers) + 1)
            parts.append(f"[{n}] {'; '.join(locs)}".rstrip())
        return " ".join(parts)


def render(r: Reading, width: int = 100) -> str:
    """The reading view laid out in ``width`` columns: no line is wider (long values wrap onto
    at most four lines, sources are cut with …). Sources cite numbered documents listed at the end."""
    width = max(width, 40)
    t = _TEXT[r.lang]
    notes = _Notes()
    lines = [_cut(r.label, width)]
    if r.other_label:
        lines.append(_cut(r.other_label, width))
    extra = [x for x in r.labels if x not in (r.label, r.other_label)]
    if r.short_names or extra:
        lines.append(_cut(f"{t['short']}: " + " · ".join(r.short_names + extra), width))
    if r.pinyin:
        lines.append(_cut(f"{t['pinyin']}: {r.pinyin}", width))
    if r.classes:
        lines.append(_cut(f"{t['class']}: " + ", ".join(f"{label} ({c})" for c, label in r.classes), width))
    lines.append(_cut(f"IRI: {r.iri}  ({ns.curie(r.iri)})", width))
    cut_any = False
    names = {"rdf:type", "rdfs:label", "skos:altLabel"}  # already in the header
    for key, zh, en in GROUPS:
        facts_here = [f for f in r.facts if f.group == key and not (f.direction == "out" and f.prop in names)]
        if key == "members" and r.members:
            facts_here = [f for f in facts_here if f.prop != "zg:zone"]
        if not facts_here and not (key == "members" and r.members):
            continue
        lines += ["", f"{zh if r.lang == 'zh' else en}"]
        if key == "members" and r.members:
            head_w = min(max(_width(f"{m.label} ({m.code or m.iri})") for m in r.members), 30)
            for m in r.members:
                when = f"{m.start or '?'}–{m.end}"
                head = _cut(f"{m.label} ({m.code or m.iri})", head_w)
                cover = f"{m.coverage}  " if m.coverage else ""
                line = f"  {_pad(head, head_w)}  {_pad(when, 22)}  {cover}{notes.cite(m.sources)}"
                cut_any |= _width(line) > width
                lines.append(_cut(line, width).rstrip())
        if not facts_here:
            continue
        rel_w = min(max(_width(f.relation) for f in facts_here), 18)
        room = width - rel_w - 6
        cites = {id(f): notes.cite(f.sources) for f in facts_here}
        src_need = max(_width(c) for c in cites.values())
        val_w = max(12, min(max(_width(_value_text(f)) for f in facts_here), room - min(src_need, room // 3)))
        src_w = room - val_w
        for f in facts_here:
            value = _value_text(f)
            wrapped = _wrap(value, val_w, _MAX_VALUE_LINES)
            cut_any |= _width(value) > val_w * _MAX_VALUE_LINES or _width(cites[id(f)]) > src_w
            rel = _cut(f.relation, rel_w)
            for i, part in enumerate(wrapped):
                src = _cut(cites[id(f)], src_w) if i == 0 else ""
                left = _pad(rel if i == 0 else "", rel_w)
                lines.append(f"  {left}  {_pad(part, val_w)}  {src}".rstrip())
    if notes.numbers:
        lines += ["", t["sources"]]
        for doc, n in notes.numbers.items():
            lines.append(_cut(f"  [{n}] {doc}", width))
    lines += ["", f"{len(r.facts)} {t['facts']}"]
    if cut_any:
        lines.append(_cut(t["cut"], width))
    return "\n".join(lines) + "\n"
