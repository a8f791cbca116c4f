"""Curation help: read a new Chinese policy text, find the graph's entities in it, spot new
candidates (document numbers, dates, amounts, names), propose cited facts with small named rules,
and compare each with what the graph already holds.

Every offset reported is an offset into the *original* text: normalisation (NFKC, one bracket form,
traditional -> simplified) is done character by character with a map back to the source, so a
curator can always find the span in the file they pasted.
"""

from __future__ import annotations

import html
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from graph import ns
from graph.errors import ZonegraphError
from graph.store import KnowledgeGraph

# ---------------------------------------------------------------------------------------- reading


class CurateInputError(ZonegraphError):
    """The file to curate cannot be read as UTF-8 text."""


@dataclass
class Text:
    """Normalised text with, for each of its characters, the offset of its source character."""

    original: str
    norm: str
    offsets: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the normalised [start, end)."""
        if start >= end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


# Every bracket form seen around document-number years is folded into the one the data uses.
_BRACKETS = {"[": "〔", "]": "〕", "【": "〔", "】": "〕", "﹝": "〔", "﹞": "〕", "［": "〔", "］": "〕",
             "〖": "〔", "〗": "〕", "{": "〔", "}": "〕"}
_PAREN_YEAR = re.compile(r"\((?=(?:19|20)\d{2}\))|(?<=(?:19|20)\d{2})\)")


def _t2s_table(chars: set[str]) -> dict[str, str]:
    """Traditional -> simplified for single characters (OpenCC's t2s, one character at a time so
    the text keeps its length and offsets stay exact)."""
    import opencc

    han = sorted(c for c in chars if "\u3400" <= c <= "\u9fff")
    if not han:
        return {}
    conv = opencc.OpenCC("t2s")
    out = conv.convert("\n".join(han)).split("\n")
    if len(out) != len(han):  # a converter that merged lines: fall back to one call per character
        out = [conv.convert(c) for c in han]
    return {t: s for t, s in zip(han, out) if len(s) == 1 and s != t}


def normalise(original: str, t2s: dict[str, str] | None = None) -> Text:
    """NFKC, one bracket form for 〔〕, traditional characters folded to simplified."""
    table = _t2s_table(set(original)) if t2s is None else t2s
    chars: list[str] = []
    offsets: list[int] = []
    for i, c in enumerate(original):
        folded = unicodedata.normalize("NFKC", c)
        for f in folded:
            f = _BRACKETS.get(f, f)
            chars.append(table.get(f, f))
            offsets.append(i)
    norm = "".join(chars)
    # (2014) as a document-number year -> 〔2014〕; the same length, so offsets stay valid
    norm = _PAREN_YEAR.sub(lambda m: "〔" if m.group() == "(" else "〕", norm)
    return Text(original, norm, offsets)


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.S | re.I)
_BLOCK = re.compile(r"^</?(p|div|br|h[1-6]|li|tr|td|section|article|title)\b", re.I)


def read_text(path: str | Path) -> str:
    """A UTF-8 file's text; HTML (saved from a browser) reduced to its text, one block per line."""
    p = Path(path)
    try:
        raw = p.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise CurateInputError(f"{path}: cannot read the file ({err.strerror}); check the path.") from None
    except UnicodeDecodeError as err:
        raise CurateInputError(
            f"{path}: byte {err.start} is not UTF-8; save the text as UTF-8 (e.g. `iconv -f GB18030 "
            f"-t UTF-8 {p.name} > {p.stem}.utf8.txt`) and run curate on that.") from None
    if p.suffix.lower() in (".html", ".htm") or raw.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return html_to_text(raw)
    return raw


def html_to_text(raw: str) -> str:
    """Drop tags, scripts and styles; block tags become line breaks; entities decoded. Offsets are then
    those of this text (the HTML source has no useful reading offsets)."""
    def repl(m: re.Match) -> str:
        return "\n" if _BLOCK.match(m.group()) else ""
    return html.unescape(_TAG.sub(repl, raw))


@dataclass
class Sentence:
    start: int  # in the normalised text
    end: int
    paragraph: int  # 1-based over the whole text
    heading: str  # the heading above it ("" before the first)
    para_in_section: int  # 1-based within its heading
    index: int  # 1-based within its paragraph
    is_heading: bool = False

    @property
    def locator(self) -> str:
        """A locator in the style the data uses: the section heading, then the paragraph in it."""
        if self.is_heading:
            return f"{self.heading}（标题）"
        head = self.heading[:40]
        return f"{head}第{self.para_in_section}段" if head else f"第{self.paragraph}段"


_HEADING = re.compile(r"^(第[一二三四五六七八九十百]+[章节部分条]|[一二三四五六七八九十]+、|〔?\(?[一二三四五六七八九十]+\)|"
                      r"\d+[.、．](?!\d))")
_SENT_END = re.compile(r"[^。！？!?；;]*(?:[。！？!?；;]+[”’」』)]*|$)")


def _is_heading(line: str) -> bool:
    if _HEADING.match(line) and len(line) <= 40:
        return True
    return len(line) <= 25 and not re.search(r"[。，,；;：:！？!?]$", line) and "，" not in line and "," not in line


def split(text: Text) -> list[Sentence]:
    """Headings, paragraphs (non-empty lines) and sentences, with normalised offsets."""
    out: list[Sentence] = []
    heading, para, para_in = "", 0, 0
    pos = 0
    for line in text.norm.split("\n"):
        start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = start + len(line) - len(line.lstrip())
        if _is_heading(stripped):
            heading, para_in = stripped, 0
            para += 1
            out.append(Sentence(lead, lead + len(stripped), para, heading, 0, 1, True))
            continue
        para += 1
        para_in += 1
        n = 0
        for m in _SENT_END.finditer(stripped):
            s = m.group()
            if not s.strip():
                continue
            n += 1
            out.append(Sentence(lead + m.start(), lead + m.end(), para, heading, para_in, n))
    return out


# --------------------------------------------------------------------------------- the gazetteer

# Classes whose members a curator looks for in a text (the index's first band).
_NAMED = {"zg:DemonstrationZone", "zg:ProvinceLevelRegion", "zg:PrefectureLevelRegion", "zg:CountyLevelRegion",
          "zg:AdministrativeRegion", "zg:MacroRegion", "zg:DevelopmentZone", "zg:Industry", "zg:Enterprise",
          "zg:Agent", "zg:Document", "zg:InvestmentProject"}
_REGIONS = {"zg:ProvinceLevelRegion", "zg:PrefectureLevelRegion", "zg:CountyLevelRegion", "zg:AdministrativeRegion"}

# Abbreviations in common use for government bodies, derived from the full names in the graph:
# (full-name fragment, abbreviated forms).
_ABBREVIATIONS = [
    ("发展和改革委员会", ("发改委", "发展改革委")),
    ("工业和信息化部", ("工信部",)),
    ("工业和信息化厅", ("工信厅",)),
    ("商务部", ("商务部",)),
    ("人民政府办公厅", ("政府办公厅",)),
]


@dataclass
class Gazetteer:
    forms: dict[str, list[tuple[str, str]]]  # normalised form -> [(IRI, how)]
    classes: dict[str, list[str]]
    parents: dict[str, str]  # region IRI -> parent region IRI
    labels: dict[str, str]
    automaton: object = None
    maxlen: int = 0

    def main_class(self, iri: str) -> str:
        found = self.classes.get(iri)
        return found[0] if found else ""


def gazetteer(kg: KnowledgeGraph) -> Gazetteer:
    """Every way the graph names a zone, region, macro-region, park, industry, agent, document or
    project: labels, alternative labels (short and former names: the ontology keeps both in
    skos:altLabel), region short names, agency abbreviations, document numbers."""
    return kg.memo("curate-gazetteer", lambda: _build_gazetteer(kg))


def _build_gazetteer(kg: KnowledgeGraph) -> Gazetteer:
    from graph import entities

    idx = entities.index(kg)
    t2s: dict[str, str] = {}
    forms: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}

    def add(text: str, iri: str, how: str) -> None:
        key = normalise(text, t2s).norm.strip()
        if len(key) < 2 or not any("\u3400" <= c <= "\u9fff" or c.isdigit() for c in key):
            return
        if key.isdigit():  # division codes read as numbers in prose: not names
            return
        entry = (iri, how)
        if entry not in forms.setdefault(key, []):
            forms[key].append(entry)

    for e in idx.names:
        if not set(idx.classes.get(e.iri, ())) & _NAMED:
            continue
        if e.how == "label" and any("\u3400" <= c <= "\u9fff" for c in e.shown):
            labels.setdefault(e.iri, e.shown)  # the Chinese label: what the text itself says
        if e.how in ("label", "altLabel", "short", "code"):
            add(e.shown, e.iri, e.how)
            if e.how in ("label", "altLabel"):
                for full, shorts in _ABBREVIATIONS:
                    if full in e.shown:
                        for s in shorts:
                            add(e.shown.replace(full, s), e.iri, "abbreviation")
    parents = {s.value: o.value for s, o in kg.select(
        "SELECT ?s ?o WHERE { ?s zg:parentRegion ?o }").rows}
    for form in forms.values():
        form.sort()
    g = Gazetteer(forms, {k: list(v) for k, v in idx.classes.items()}, parents, labels)
    g.automaton, g.maxlen = _automaton(forms), max((len(k) for k in forms), default=0)
    return g


def _automaton(forms: dict[str, list]):
    import ahocorasick

    a = ahocorasick.Automaton()
    for key in forms:
        a.add_word(key, key)
    a.make_automaton()
    return a


def match_aho(g: Gazetteer, text: str) -> list[tuple[int, int, str]]:
    """Leftmost-longest, non-overlapping matches: (start, end, form)."""
    if not g.forms:
        return []
    return [(end - len(k) + 1, end + 1, k) for end, k in g.automaton.iter_long(text)]


def match_scan(g: Gazetteer, text: str) -> list[tuple[int, int, str]]:
    """The same matches by a plain scan (each position, longest form first): the baseline."""
    out, i, n = [], 0, len(text)
    lengths = sorted({len(k) for k in g.forms}, reverse=True)  # only lengths some form has: a fair baseline
    while i < n:
        for length in (x for x in lengths if x <= n - i):
            if text[i:i + length] in g.forms:
                out.append((i, i + length, text[i:i + length]))
                i += length
                break
        else:
            i += 1
    return out


@dataclass
class Mention:
    start: int  # normalised offsets
    end: int
    form: str
    candidates: list[str]  # IRIs, best first
    hows: list[str]
    sentence: Sentence

    @property
    def iri(self) -> str:
        return self.candidates[0]

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


def _rank(g: Gazetteer, cands: list[tuple[str, str]], context: set[str]) -> list[tuple[str, str]]:
    """Rank candidates for one surface form: a region whose parent (or grandparent) is named nearby
    first, then by kind (zones, regions … before projects), then by how the form names it."""
    from graph.entities import _RANK, _UNRANKED

    how_order = {"label": 0, "code": 1, "altLabel": 2, "abbreviation": 3, "historical": 4, "short": 5}

    def key(c: tuple[str, str]):
        iri, how = c
        parent = g.parents.get(iri)
        near = parent in context or g.parents.get(parent or "") in context
        cls = min((_RANK.get(x, _UNRANKED) for x in g.classes.get(iri, ())), default=_UNRANKED)
        return (0 if near else 1, cls, how_order.get(how, 9), iri)

    best: dict[str, tuple[str, str]] = {}
    for c in sorted(cands, key=key):
        best.setdefault(c[0], c)
    return list(best.values())


def find_mentions(g: Gazetteer, text: Text, sentences: list[Sentence]) -> list[Mention]:
    raw = match_aho(g, text.norm)
    by_para: dict[int, set[str]] = {}
    sent_of = []
    j = 0
    for start, end, form in raw:
        while j < len(sentences) - 1 and sentences[j].end <= start:
            j += 1
        s = sentences[j] if sentences else Sentence(0, len(text.norm), 1, "", 1, 1)
        sent_of.append(s)
        for iri, _ in g.forms[form]:
            if len(g.forms[form]) == 1:
                by_para.setdefault(s.paragraph, set()).add(iri)
    whole = set().union(*by_para.values()) if by_para else set()
    out = []
    for (start, end, form), s in zip(raw, sent_of):
        after = text.norm[end:end + 1]
        if after and after in "区县镇乡旗" and all(h == "short" for _, h in g.forms[form]):
            # 朝阳区 when the graph only knows 朝阳市: another unit with the same stem, not a mention of it
            continue
        context = by_para.get(s.paragraph, set()) | whole
        ranked = _rank(g, g.forms[form], by_para.get(s.paragraph, set()) or context)
        out.append(Mention(start, end, form, [r[0] for r in ranked], [r[1] for r in ranked], s))
    return out


# -------------------------------------------------------------------------------- new candidates

_DOCNO = re.compile(r"[\u4e00-\u9fff]{1,12}〔(?:19|20)\d{2}〕\d{1,5}号")
_DATE = re.compile(r"(?:((?:19|20)\d{2})年)?(?:(\d{1,2})月)?(?:(\d{1,2})日)?")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿元|亿美元|万美元|亿元|万元|元|万吨|吨|平方公里|公顷|万亩|亩|万人|个|家|项|条)")
_NAME = re.compile(r"[\u4e00-\u9fff0-9.()（）]{2,24}?(?:产业园区|产业园|工业园区|工业园|开发区|高新区|经开区|"
                   r"集团|股份有限公司|有限公司|公司|项目)")


@dataclass
class Candidate:
    kind: str  # document-number | date | amount | name
    text: str
    start: int
    end: int
    value: str  # machine value: xsd literal for dates, number for amounts
    note: str
    sentence: Sentence


def parse_date(m: re.Match) -> tuple[str, str, str] | None:
    """(value, xsd type, precision) of a 年/月/日 match; None if it is not a date."""
    y, mo, d = m.group(1), m.group(2), m.group(3)
    if not (y or mo):
        return None
    if mo and not 1 <= int(mo) <= 12 or d and not 1 <= int(d) <= 31:
        return None
    if y and mo and d:
        return f"{y}-{int(mo):02d}-{int(d):02d}", "date", "day"
    if y and mo and not d:
        return f"{y}-{int(mo):02d}", "gYearMonth", "month"
    if y and not mo and not d:
        return y, "gYear", "year"
    if not y and mo:
        return (f"--{int(mo):02d}-{int(d):02d}" if d else f"--{int(mo):02d}"), "", "no year"
    return None


def find_candidates(text: Text, sentences: list[Sentence], known_forms: dict[str, list]) -> list[Candidate]:
    out: list[Candidate] = []
    for s in sentences:
        seg = text.norm[s.start:s.end]
        for m in _DOCNO.finditer(seg):
            no = m.group()
            # the issuer's code may be preceded by words of the sentence: keep the longest known suffix
            known = next((no[i:] for i in range(len(no)) if no[i:] in known_forms), None)
            if known is None:
                # the words before the issuer's code ("并按", "参照") are not part of the number
                no = re.split(r"按照|依据|根据|参照|[按据并和及与的、《》]", no)[-1]
                start = s.start + m.end() - len(no)
                out.append(Candidate("document-number", no, start, s.start + m.end(), no,
                                     "not in the graph", s))
        for m in _DATE.finditer(seg):
            if not m.group():
                continue
            parsed = parse_date(m)
            if parsed:
                value, _, precision = parsed
                out.append(Candidate("date", m.group(), s.start + m.start(), s.start + m.end(), value,
                                     f"precision: {precision}"
                                     + ("; the text gives no year" if precision == "no year" else ""), s))
        for m in _AMOUNT.finditer(seg):
            out.append(Candidate("amount", m.group(), s.start + m.start(), s.start + m.end(),
                                 m.group(1), f"unit: {m.group(2)}", s))
        for m in _NAME.finditer(seg):
            name = m.group().strip("()（）")
            name = re.split(r"[的和与及、在由将为把对]|签约|落户|开工|投产|建设|实施|引进", name)[-1].lstrip("0123456789.")
            if len(name) < 4 or name in known_forms:
                continue
            out.append(Candidate("name", name, s.start + m.end() - len(name), s.start + m.end(), name,
                                 "park, enterprise or project name by its suffix; not in the graph", s))
    return out


# ---------------------------------------------------------------------------------------- rules


@dataclass
class Proposal:
    rule: str
    subject: str  # IRI
    property: str  # CURIE
    value: str  # IRI or lexical value
    value_type: str  # "iri" | xsd local name | "text"
    sentence: Sentence
    start: int
    end: int
    confidence: float
    status: str = "new"  # corroborated | contradicts | new
    evidence: str = ""
    extra: dict = field(default_factory=dict)


def _of(g: Gazetteer, ms: list[Mention], classes: set[str]) -> list[Mention]:
    return [m for m in ms if set(g.classes.get(m.iri, ())) & classes]


_APPROVAL = re.compile(r"批复|获批|复函|覆函|批准|同意设立|正式设立")
_TARGET = re.compile(r"承接|主攻|重点发展|重点承接|主导产业|发展方向|产业集群|培育")
_SCOPE = re.compile(r"范围包括|包括|涵盖|由.{0,20}组成|会同")
_LAYOUT = re.compile(r"(?:空间布局|布局)[^“”]{0,12}“([^”]{4,40})”|“([^”]{4,40})”(?:的)?(?:总体)?(?:空间)?(?:发展)?(?:格局|布局)")
_SOURCE = re.compile(r"承接|对接|引进|转移")
_PROJECT = re.compile(r"签约|落户|开工|投产|落地|竣工")
_COOP = re.compile(r"对口合作")


def rule_approval(g, s, ms, cands) -> list[Proposal]:
    """A zone named with 批复/获批… and a dated phrase: the zone's approval date."""
    seg_zones = _of(g, ms, {"zg:DemonstrationZone"})
    dates = [c for c in cands if c.kind == "date" and c.note.startswith("precision: ") and "no year" not in c.note]
    undated = [c for c in cands if c.kind == "date" and "no year" in c.note and "日" in c.text]
    if not (seg_zones or g._context_zone) or not _APPROVAL.search(g._seg):
        return []
    subject = seg_zones[0].iri if seg_zones else g._context_zone
    start = seg_zones[0].start if seg_zones else s.start
    if dates:
        date = dates[-1]
        p = parse_date(_DATE.fullmatch(date.text))
        return [Proposal("approval", subject, "zg:approvalDate", p[0], p[1], s, start, date.end, 0.6)] if p else []
    if undated and g._year:
        # 2月28日 in a report whose last stated year is 2023: the year is inferred, so it is flagged
        m, d = undated[-1].value[2:].split("-")
        return [Proposal("approval", subject, "zg:approvalDate", f"{g._year}-{m}-{d}", "date", s, start,
                         undated[-1].end, 0.4, extra={"year": f"inferred from the text's last stated year {g._year}"})]
    return []


def rule_scope(g, s, ms, cands) -> list[Proposal]:
    """范围包括 … : a zone's member regions (prefecture or county level) in one sentence."""
    zones = _of(g, ms, {"zg:DemonstrationZone"})
    regions = _of(g, ms, {"zg:PrefectureLevelRegion", "zg:CountyLevelRegion"})
    if not (zones and len(regions) >= 1 and _SCOPE.search(g._seg)):
        return []
    z = zones[0]
    return [Proposal("scope", z.iri, "zg:member", r.iri, "iri", s, r.start, r.end,
                     0.7 if "范围" in g._seg else 0.5) for r in regions]


def rule_target_industry(g, s, ms, cands) -> list[Proposal]:
    """承接/主攻/重点发展 … industries: the nearest zone, park or region before them targets them."""
    if not _TARGET.search(g._seg):
        return []
    out = []
    subject = None
    for m in ms:
        cls = set(g.classes.get(m.iri, ()))
        if cls & {"zg:DemonstrationZone", "zg:DevelopmentZone", "zg:PrefectureLevelRegion", "zg:CountyLevelRegion"}:
            subject = m
        elif "zg:Industry" in cls and subject is not None:
            out.append(Proposal("target-industry", subject.iri, "zg:targetIndustry", m.iri, "iri", s,
                                m.start, m.end, 0.6 if "承接" in g._seg else 0.4))
    if subject is None and (g._context_subject or g._context_zone):
        # "示范区…" with no name: the zone last named; otherwise the last park or city named
        fallback = g._context_zone if "示范区" in g._seg and g._context_zone else g._context_subject
        for m in _of(g, ms, {"zg:Industry"}):
            out.append(Proposal("target-industry", fallback, "zg:targetIndustry", m.iri, "iri", s,
                                m.start, m.end, 0.3))
    return out


def rule_layout(g, s, ms, cands) -> list[Proposal]:
    """A quoted layout slogan (布局“…” / 构建“…”格局) for the zone named nearby."""
    m = _LAYOUT.search(g._seg)
    zones = _of(g, ms, {"zg:DemonstrationZone"})
    subject = zones[0].iri if zones else g._context_zone
    if not (m and subject):
        return []
    slogan = m.group(1) or m.group(2)
    return [Proposal("layout", subject, "zg:spatialLayout", slogan, "zh", s, s.start + m.start(),
                     s.start + m.end(), 0.5)]


def rule_source_region(g, s, ms, cands) -> list[Proposal]:
    """承接/对接 … 京津冀/长三角: the receiver (zone or region named first) draws from a macro-region."""
    macros = _of(g, ms, {"zg:MacroRegion"})
    receivers = _of(g, ms, {"zg:DemonstrationZone", "zg:PrefectureLevelRegion", "zg:ProvinceLevelRegion"})
    receiver = receivers[0].iri if receivers else (
        g._context_zone if "示范区" in g._seg and g._context_zone else g._context_subject)
    if not (macros and receiver and _SOURCE.search(g._seg)):
        return []
    return [Proposal("source-region", receiver, "zg:sourceRegion", m.iri, "iri", s, m.start, m.end, 0.4)
            for m in macros]


def rule_project(g, s, ms, cands) -> list[Proposal]:
    """签约/落户/开工/投产 with a project name and an amount in 亿元/万元 (and a date if given)."""
    if not _PROJECT.search(g._seg):
        return []
    names = [c for c in cands if c.kind == "name" and c.text.endswith("项目")]
    known = _of(g, ms, {"zg:InvestmentProject"})
    amounts = [c for c in cands if c.kind == "amount" and c.note.endswith(("亿元", "万元", "亿美元"))]
    if not amounts or not (names or known):
        return []
    a = amounts[0]
    dates = [c for c in cands if c.kind == "date"]
    status = next(w for w in ("投产", "竣工", "开工", "签约", "落户", "落地") if w in g._seg)
    extra = {"unit": a.note.split(": ")[1], "event": status, "date": dates[0].value if dates else ""}
    if known:
        return [Proposal("project", known[0].iri, "zg:amount", a.value, "decimal", s, a.start, a.end, 0.5,
                         extra=extra)]
    n = names[0]
    return [Proposal("project", "", "zg:amount", a.value, "decimal", s, n.start, a.end, 0.4,
                     extra={**extra, "name": n.text})]


def rule_cooperation(g, s, ms, cands) -> list[Proposal]:
    """对口合作 between two regions named in the sentence (A与B / A和B)."""
    if not _COOP.search(g._seg):
        return []
    regions = []
    for m in _of(g, ms, _REGIONS):
        if m.iri not in regions:
            regions.append(m.iri)
    if len(regions) < 2:
        return []
    a, b = regions[0], regions[1]
    return [Proposal("cooperation", a, "zg:partner", b, "iri", s, s.start, s.end, 0.6)]


RULES = [rule_approval, rule_scope, rule_target_industry, rule_layout, rule_source_region, rule_project,
         rule_cooperation]


# --------------------------------------------------------------------------------- graph status

_CITE = """
SELECT ?g ?doc ?loc WHERE { GRAPH zgg:sources { ?g zg:document ?doc ; zg:locator ?loc } }
"""


def _sources(kg: KnowledgeGraph) -> dict[str, str]:
    return kg.memo("curate-sources",
                   lambda: {g.value: f"{ns.curie(d.value)} {l.value}" for g, d, l in kg.select(_CITE).rows})


def _iri(x: str) -> str:
    return f"<{x}>"


def _lit(value: str, vtype: str) -> str:
    esc = value.replace("\\", "\\\\").replace('"', '\\"')
    if vtype in ("date", "gYearMonth", "gYear", "decimal"):
        return f'"{esc}"^^xsd:{vtype}'
    if vtype == "zh":
        return f'"{esc}"@zh'
    return f'"{esc}"'


_CHECKS = {
    # property -> (pattern with ?v as the graph's value, functional?)
    "zg:targetIndustry": ("GRAPH ?g { {S} zg:targetIndustry ?v }", False),
    "zg:approvalDate": ("GRAPH ?g { {S} zg:approvalDate ?v }", True),
    "zg:spatialLayout": ("GRAPH ?g { {S} zg:spatialLayout ?v FILTER(LANG(?v) = 'zh') }", True),
    "zg:member": ("GRAPH ?g { ?m zg:zone {S} ; zg:member ?v }", False),
    "zg:sourceRegion": ("GRAPH ?g { ?l zg:receiver {S} ; zg:sourceRegion ?v }", False),
    "zg:partner": ("GRAPH ?g { ?c a zg:Cooperation ; zg:partner {S} , ?v }", False),
    "zg:amount": ("GRAPH ?g { {S} zg:amount ?v }", True),
}


def check(kg: KnowledgeGraph, p: Proposal) -> None:
    """Set ``p.status`` and ``p.evidence``: corroborated (the citation that holds it), contradicts
    (the graph's value and its source) or new."""
    if not p.subject or p.property not in _CHECKS:
        return
    pattern, functional = _CHECKS[p.property]
    rows = kg.select("SELECT ?g ?v WHERE { " + pattern.replace("{S}", _iri(p.subject)) + " }").rows
    sources = _sources(kg)
    same, other = [], []
    for gname, v in rows:
        val = v.value
        mine = p.value
        if p.value_type == "decimal":
            try:
                match = float(val) == float(mine)
            except ValueError:
                match = False
        else:
            match = val == mine
        (same if match else other).append((sources.get(gname.value, ns.curie(gname.value)),
                                           ns.curie(val) if p.value_type == "iri" else val))
    if same:
        p.status, p.evidence = "corroborated", " | ".join(sorted({s for s, _ in same}))
    elif other and functional:
        p.status = "contradicts"
        p.evidence = " | ".join(sorted({f"{v} ({s})" for s, v in other}))


# ---------------------------------------------------------------------------------------- result


@dataclass
class Result:
    text: Text
    sentences: list[Sentence]
    mentions: list[Mention]
    candidates: list[Candidate]
    proposals: list[Proposal]
    document: str | None
    source_name: str
    nested: list[Mention] = field(default_factory=list)  # regions inside zone/park names; rules skip them


COLUMNS = ["kind", "entity", "rule", "sentence", "span", "status", "confidence"]


def curate_text(kg: KnowledgeGraph, original: str, document: str | None = None,
                source_name: str = "text") -> Result:
    """Read, match, find candidates and propose facts for one text."""
    g = gazetteer(kg)
    text = normalise(original)
    sentences = split(text)
    mentions = find_mentions(g, text, sentences)
    candidates = find_candidates(text, sentences, g.forms)
    by_sent: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sent.setdefault(id(m.sentence), []).append(m)
    cands_by: dict[int, list[Candidate]] = {}
    for c in candidates:
        cands_by.setdefault(id(c.sentence), []).append(c)
    proposals: list[Proposal] = []
    main = main_subject(g, mentions)
    context_zone = context_subject = year = None
    paragraph = 0
    seen: set[tuple] = set()
    for s in sentences:
        ms = by_sent.get(id(s), [])
        if s.paragraph != paragraph:
            # a city or park named in an earlier paragraph is not what a new paragraph is about; the
            # text's main subject is a safer default (measured on seed-002: 4 of 35 right before)
            paragraph, context_subject = s.paragraph, context_zone or main
        g._seg = text.norm[s.start:s.end]  # type: ignore[attr-defined]
        g._context_zone = context_zone  # type: ignore[attr-defined]
        g._context_subject = context_subject  # type: ignore[attr-defined]
        years = [c.value[:4] for c in cands_by.get(id(s), []) if c.kind == "date" and c.value[:1] in "12"]
        if years:
            year = years[-1]
        g._year = year  # type: ignore[attr-defined]
        for rule in RULES:
            for p in rule(g, s, ms, cands_by.get(id(s), [])):
                key = (p.rule, p.subject, p.property, p.value, p.extra.get("name"))
                if key in seen:
                    continue
                seen.add(key)
                _flag_ambiguous(p, ms)
                check(kg, p)
                proposals.append(p)
        for m in ms:
            cls = set(g.classes.get(m.iri, ()))
            if "zg:DemonstrationZone" in cls:
                context_zone = context_subject = m.iri
            elif cls & {"zg:DevelopmentZone", "zg:PrefectureLevelRegion"}:
                context_subject = m.iri
    return Result(text, sentences, mentions, candidates, proposals, document, source_name,
                  nested_mentions(g, mentions))


def nested_mentions(g: Gazetteer, mentions: list[Mention]) -> list[Mention]:
    """Regions named inside the name of a zone, park, agent or project (广西 in 广西桂东, 北票市 in
    北票市宏发食品有限公司): the text names
    them too, but as part of another name, so they are listed and left out of the rules."""
    out = []
    for m in mentions:
        if not set(g.classes.get(m.iri, ())) & {"zg:DemonstrationZone", "zg:DevelopmentZone", "zg:Enterprise",
                                                 "zg:Agent", "zg:InvestmentProject"}:
            continue
        # every (overlapping) form inside the name, not leftmost-longest: that would only give the name
        for last, form in g.automaton.iter(m.form):
            start, end = last - len(form) + 1, last + 1
            if end - start == len(m.form):
                continue
            cands = [(i, h) for i, h in g.forms[form] if set(g.classes.get(i, ())) & _REGIONS]
            if cands:
                ranked = _rank(g, cands, set())
                out.append(Mention(m.start + start, m.start + end, form, [r[0] for r in ranked],
                                   ["nested"] * len(ranked), m.sentence))
    return out


def _flag_ambiguous(p: Proposal, ms: list[Mention]) -> None:
    """A fact built on the first of several candidates says which others the form could name, and
    halves its confidence: the ranking is a suggestion, not a decision."""
    others = [c for m in ms if m.ambiguous and m.iri in (p.subject, p.value) for c in m.candidates[1:]]
    if others:
        p.extra["also"] = " ; ".join(sorted({ns.curie(c) for c in others}))
        p.confidence = round(p.confidence / 2, 2)


def main_subject(g: Gazetteer, mentions: list[Mention]) -> str | None:
    """What the text is mostly about: its most named zone, else its most named province or city
    (unambiguous mentions only; ties go to the first named)."""
    for classes in ({"zg:DemonstrationZone"}, {"zg:ProvinceLevelRegion", "zg:PrefectureLevelRegion"}):
        counts: dict[str, int] = {}
        for m in mentions:
            if not m.ambiguous and set(g.classes.get(m.iri, ())) & classes:
                counts[m.iri] = counts.get(m.iri, 0) + 1
        if counts:
            return max(counts, key=lambda k: (counts[k], -list(counts).index(k)))
    return None


def curate(kg: KnowledgeGraph, path: str | Path, document: str | None = None) -> Result:
    """Curate the UTF-8 text or HTML file at ``path``; ``document`` is the IRI/CURIE it will be cited as."""
    if document:
        from graph import entities

        document = entities.resolve(kg, document) if not document.startswith("http") else document
    return curate_text(kg, read_text(path), document, Path(path).name)


def _span(r: Result, start: int, end: int) -> str:
    a, b = r.text.span(start, end)
    return f"{a}-{b}"


def _sent_text(r: Result, s: Sentence) -> str:
    a, b = r.text.span(s.start, s.end)
    return r.text.original[a:b].strip()


def rows(kg: KnowledgeGraph, r: Result) -> list[list]:
    """The review table: one row per entity mention, new candidate and proposed fact."""
    out: list[list] = []
    g = gazetteer(kg)
    for m in sorted(r.mentions + r.nested, key=lambda m: (m.start, -m.end)):
        if m.ambiguous:
            entity = " ; ".join(f"{ns.curie(c)} {g.labels.get(c, '')}".strip() for c in m.candidates)
            status, conf = "ambiguous", round(1 / len(m.candidates), 2)
        else:
            entity = f"{ns.curie(m.iri)} {g.labels.get(m.iri, '')}".strip()
            status, conf = "known", 0.9 if m.hows[0] in ("label", "code", "altLabel") else 0.7
        out.append(["entity", entity, f"gazetteer:{m.hows[0]}", f"{m.sentence.locator}｜{m.form}",
                    _span(r, m.start, m.end), status, conf])
    for c in r.candidates:
        out.append([c.kind, f"{c.text} ({c.note})" if c.kind != "name" else c.text, f"candidate:{c.kind}",
                    f"{c.sentence.locator}｜{_sent_text(r, c.sentence)}", _span(r, c.start, c.end), "new", 0.5])
    for p in r.proposals:
        subj = ns.curie(p.subject) if p.subject else p.extra.get("name", "")
        val = ns.curie(p.value) if p.value_type == "iri" else p.value
        extra = "".join(f"; {k}={v}" for k, v in sorted(p.extra.items()) if v and k != "name")
        status = p.status + (f": {p.evidence}" if p.evidence else "")
        out.append(["fact", f"{subj} {p.property} {val}{extra}", f"rule:{p.rule}",
                    f"{p.sentence.locator}｜{_sent_text(r, p.sentence)}", _span(r, p.start, p.end), status,
                    p.confidence])
    return out


# ------------------------------------------------------------------------------------ draft TriG

# What a reviewer must supply before a draft joins data/: the document's metadata, English labels
# (zgg:editorial), a membership's start date or date note. `validate` on a draft reports only these.
REVIEWER_FIELDS = ("dcterms:title", "dcterms:issued", "dcterms:publisher", "zg:documentKind", "rdfs:label",
                   "zg:startDate", "zg:dateNote", "zg:industry")


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s or "text"


def draft_trig(kg: KnowledgeGraph, r: Result) -> str:
    """Proposed facts (new or contradicting) as TriG: one proposed citation graph per paragraph, with
    zg:document and zg:locator; what a reviewer must supply is marked with a `# REVIEW` comment."""
    slug = "draft-" + _slug(Path(r.source_name).stem)
    doc = r.document or ns.PREFIXES["doc"] + slug
    lines = [f"@prefix {p}: <{u}> ." for p, u in sorted(ns.PREFIXES.items())]
    lines.append("")
    lines.append(f"# Draft from `zonegraph curate {r.source_name}`: every fact below is a proposal to check")
    lines.append("# against the text before it joins data/. Corroborated facts are left out (the graph has them).")
    todo = [p for p in r.proposals if p.status != "corroborated" and p.subject]
    g = gazetteer(kg)
    lab = lambda iri: g.labels.get(iri, ns.curie(iri))  # noqa: E731
    cites: dict[int, tuple[str, str]] = {}
    for p in todo:
        cites.setdefault(p.sentence.paragraph, (f"cite:{slug}--p{p.sentence.paragraph}", p.sentence.locator))
    lines.append("zgg:sources {")
    for _, (c, loc) in sorted(cites.items()):
        lines.append(f"    {c} a zg:Citation ; zg:document <{doc}> ; zg:locator {_lit(loc, 'text')} .")
    if not r.document:
        lines.append(f"    <{doc}> a zg:Document .  # REVIEW: add dcterms:title, publisher, issued, page")
    lines.append("}")
    by_para: dict[int, list[Proposal]] = {}
    for p in todo:
        by_para.setdefault(p.sentence.paragraph, []).append(p)
    for para, ps in sorted(by_para.items()):
        lines.append("")
        lines.append(f"{cites[para][0]} {{")
        for i, p in enumerate(ps, 1):
            why = f"{p.status}: {p.evidence}" if p.evidence else p.status
            lines.append(f"    # {p.rule} ({why}) — {_sent_text(r, p.sentence)[:60]}")
            node = f"<{ns.BASE}{{kind}}/{slug}--p{para}-{i}>"
            if p.property == "zg:member":
                n = node.format(kind="membership")
                lines.append(f"    {n} a zg:Membership ; zg:zone <{p.subject}> ; zg:member <{p.value}> ;")
                label = _lit(lab(p.subject) + "成员：" + lab(p.value), "zh")
                lines.append(f"        rdfs:label {label} .  # REVIEW: zg:startDate or zg:dateNote; @en label")
            elif p.property == "zg:sourceRegion":
                n = node.format(kind="link")
                lines.append(f"    {n} a zg:TransferLink ; zg:receiver <{p.subject}> ; "
                             f"zg:sourceRegion <{p.value}> ; zg:declaredIn <{doc}> ;")
                label = _lit(lab(p.subject) + "承接" + lab(p.value) + "产业转移", "zh")
                lines.append(f"        rdfs:label {label} .  # REVIEW: zg:industry; @en label")
            elif p.property == "zg:partner":
                n = node.format(kind="link")
                lines.append(f"    {n} a zg:Cooperation ; zg:partner <{p.subject}> , <{p.value}> ;")
                label = _lit(lab(p.subject) + "与" + lab(p.value) + "对口合作", "zh")
                lines.append(f"        rdfs:label {label} .  # REVIEW: @en label")
            elif p.property == "zg:amount" and p.rule == "project":
                unit = p.extra.get("unit")
                lines.append(f"    <{p.subject}> zg:amount {_lit(p.value, 'decimal')} .  # REVIEW: unit {unit}")
            elif p.value_type == "iri":
                lines.append(f"    <{p.subject}> {p.property} <{p.value}> .")
            else:
                lines.append(f"    <{p.subject}> {p.property} {_lit(p.value, p.value_type)} .")
        lines.append("}")
    # Projects found only by name: listed for the reviewer, not asserted (they need a place and an IRI).
    named = [p for p in r.proposals if not p.subject]
    if named:
        lines.append("")
        for p in named:
            lines.append(f"# REVIEW new project {p.extra.get('name')}: {p.value} {p.extra.get('unit')}, "
                         f"{p.extra.get('event')} {p.extra.get('date', '')} ({p.sentence.locator})")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------- measurement


def bench_matching(kg: KnowledgeGraph, texts: list[str], repeat: int = 5) -> dict:
    """Seconds for pyahocorasick and for the plain scan over ``texts`` (normalised), and their ratio."""
    g = gazetteer(kg)
    norms = [normalise(t).norm for t in texts]
    assert all(match_aho(g, n) == match_scan(g, n) for n in norms)

    def clock(fn) -> float:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            for n in norms:
                fn(g, n)
            best = min(best, time.perf_counter() - t0)
        return best

    aho, scan = clock(match_aho), clock(match_scan)
    return {"forms": len(g.forms), "chars": sum(map(len, norms)), "aho_s": aho, "scan_s": scan,
            "ratio": scan / aho if aho else float("inf")}


# Properties the rules propose, and how a gold statement from facts-from-document is put in the
# same (subject, property, value) shape as a proposal.
_GOLD = """
SELECT ?s ?p ?v WHERE {
  GRAPH zgg:sources { ?c zg:document {D} }
  GRAPH ?c {
    { ?s zg:targetIndustry ?v BIND(zg:targetIndustry AS ?p) }
    UNION { ?s zg:approvalDate ?v BIND(zg:approvalDate AS ?p) }
    UNION { ?s zg:spatialLayout ?v FILTER(LANG(?v) = "zh") BIND(zg:spatialLayout AS ?p) }
    UNION { ?m zg:zone ?s ; zg:member ?v BIND(zg:member AS ?p) }
    UNION { ?l zg:receiver ?s ; zg:sourceRegion ?v BIND(zg:sourceRegion AS ?p) }
    UNION { ?k a zg:Cooperation ; zg:partner ?s , ?v FILTER(STR(?s) < STR(?v)) BIND(zg:partner AS ?p) }
    UNION { ?j a zg:InvestmentProject ; zg:amount ?v BIND(zg:amount AS ?p) BIND(zg:amount AS ?s) }
  }
}
"""


def _fact_key(subject: str, prop: str, value: str) -> tuple:
    if prop == "zg:partner":
        return (prop, frozenset((subject, value)))
    if prop == "zg:amount":  # projects are matched by amount: the rules do not resolve project IRIs
        return (prop, float(value))
    return (subject, prop, value)


def evaluate(kg: KnowledgeGraph, path: str | Path, document: str) -> dict:
    """Recall of the entities and the rule-covered facts curated from ``document`` (the gold set is
    what facts-from-document returns for it) when curating the text at ``path``."""
    from graph import api

    doc = ns.expand(document) if not document.startswith("http") else document
    r = curate(kg, path, doc)
    g = gazetteer(kg)
    gold_rows = api.run_named_query(kg, "facts-from-document", {"document": document}).rows
    named = {iri for form in g.forms.values() for iri, _ in form}
    gold_entities = set()
    for row in gold_rows:
        for term in (row[1], row[3]):
            if term is not None and term.__class__.__name__ == "NamedNode" and term.value in named:
                gold_entities.add(term.value)
    gold_entities.discard(doc)  # the document itself is rarely named inside its own text
    found = {c for m in r.mentions + r.nested for c in m.candidates}
    gold_facts = set()
    for s, p, v in kg.select(_GOLD.replace("{D}", f"<{doc}>")).rows:
        gold_facts.add(_fact_key(s.value, ns.curie(p.value), v.value))
    proposed = {_fact_key(p.subject, p.property, p.value) for p in r.proposals}
    hit_e = gold_entities & found
    hit_f = gold_facts & proposed
    return {
        "document": document, "gold_entities": len(gold_entities), "found_entities": len(hit_e),
        "entity_recall": len(hit_e) / len(gold_entities) if gold_entities else 1.0,
        "gold_facts": len(gold_facts), "found_facts": len(hit_f),
        "fact_recall": len(hit_f) / len(gold_facts) if gold_facts else 1.0,
        "proposals": len(r.proposals), "mentions": len(r.mentions),
        "missed_entities": sorted(ns.curie(e) for e in gold_entities - found),
        "missed_facts": sorted(map(str, gold_facts - proposed)),
    }
