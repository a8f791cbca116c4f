"""Entity profiles for the site: a page a researcher reads, not a triple dump.

A zone page opens with an infobox (names, province, approving body, approval date with conflicts,
approving document and number, plans, members, status), then its members as a table, dated changes,
target industries, source regions, carrier platforms, paired cooperation, projects and figures.
Every other entity gets the same header (labels and class folded in) and its facts grouped by the
reading view's groups (:mod:`graph.reading`). Every value carries numbered footnotes; a footnote
links to the locator's anchor on the cited document's page.

Every href on these pages goes through :func:`safe_href` (relative paths and http(s) only), so a
stricter link policy applies in one place.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import re

from graph import ns
from graph.reading import GROUPS, PROPERTY_GROUP, relation_label

if TYPE_CHECKING:
    from graph.site import SiteBuilder

HEADER_PROPS = {"rdf:type", "rdfs:label", "skos:altLabel"}
LABEL_MAX = 200  # characters of an entity's label shown on a page (an absurd label cannot swamp it)
TEXT_MAX = 4000  # characters of a literal (descriptions run long; the exports hold the full text)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")  # whitespace, control characters, backslash


def safe_href(url):
    """``url`` if a page may link to it — an http(s) URL or a relative path — else None.

    Whatever the data holds, javascript:, data:, file: and other schemes never become links. Any
    whitespace, control character or backslash disqualifies a URL, since browsers drop those
    inside a scheme ("java\tscript:") or read a leading "//" or "\\" as another host."""
    if not isinstance(url, str) or not url:
        return None
    if _UNSAFE.search(url):
        return None
    if _SCHEME.match(url):
        return url if url.lower().startswith(("http://", "https://")) else None
    return None if url.startswith("//") else url


class Notes:
    """Footnotes numbered in order of first use; one number per (document, locator)."""

    def __init__(self, site: SiteBuilder, root: str):
        self.site, self.root = site, root
        self.numbers: dict[tuple[str, str], int] = {}
        self.entries: list[dict] = []

    def cite(self, evs) -> list[dict]:
        out = []
        for e in sorted(evs, key=lambda e: (e.document, e.locator)):
            key = (e.document, e.locator)
            if key not in self.numbers:
                self.numbers[key] = len(self.numbers) + 1
                self.entries.append({"n": self.numbers[key], "title": e.title or e.document, "locator": e.locator,
                                     "href": self.site.locator_href(e.document, e.locator, self.root),
                                     "url": safe_href(e.url) if getattr(e, "url", "") else None})
            n = self.numbers[key]
            entry = self.entries[n - 1]
            out.append({"n": n, "href": entry["href"], "title": f"{entry['title']} · {entry['locator']}"})
        return sorted({c["n"]: c for c in out}.values(), key=lambda c: c["n"])


def _short(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Profile:
    def __init__(self, site: SiteBuilder, node: str, root: str):
        self.s, self.node, self.root = site, node, root
        self.f = site.facts
        self.notes = Notes(site, root)

    # ------------------------------------------------------------------ values
    def value(self, v: str, evs=()) -> dict:
        """A cell: text (label of an entity, or the literal), link to its page, footnotes."""
        is_entity = v in self.f.classes or v in self.s.has_page
        text = self.s.zh(v) if is_entity else v
        return {"text": _short(text, LABEL_MAX if is_entity else TEXT_MAX), "full": _short(text, TEXT_MAX),
                "en": self.s.en(v) if is_entity else "",
                "href": safe_href(self.s.href(v, self.root)) if is_entity else None,
                "cites": self.notes.cite(evs)}

    def values(self, subject: str, prop: str) -> list[dict]:
        objs = self.f.by_subject.get(subject, {}).get(prop, {})
        return [self.value(o, evs) for o, evs in sorted(objs.items(), key=lambda kv: (self.s.zh(kv[0]), kv[0]))]

    def rel(self, prop: str) -> dict:
        return {"zh": relation_label(self.s.kg, prop, "zh"), "en": relation_label(self.s.kg, prop, "en"), "curie": prop}

    def incoming(self, prop: str, cls: str | None = None) -> list[str]:
        return sorted({s for s, p, _ in self.s.incoming.get(self.node, []) if p == prop
                       and (cls is None or self.f.classes.get(s) == cls)})

    # ------------------------------------------------------------------ header
    def header(self) -> dict:
        n = self.node
        cls = self.f.classes.get(n, "")
        return {"zh": self.s.zh(n), "en": self.s.en(n), "curie": n, "iri": ns.iri(n),
                "cls": cls, "cls_zh": self.s.zh(cls) if cls else "", "cls_en": self.s.en(cls) if cls else "",
                "labels": self.values(n, "rdfs:label"), "alt": self.values(n, "skos:altLabel"),
                "type_cites": self.notes.cite(self.f.evidence(n, "rdf:type"))}

    # ------------------------------------------------------------------ zone
    def zone(self) -> dict:
        z = self.node
        box = []

        def row(prop, values, key=None, note=None):
            if values:
                box.append({"rel": self.rel(prop), "vals": values, "key": key or prop.split(":")[1], "note": note})

        row("zg:province", self.values(z, "zg:province"))
        row("zg:approvedBy", self.values(z, "zg:approvedBy"))
        dates = self.values(z, "zg:approvalDate")
        row("zg:approvalDate", dates,
            note=("Sources disagree: every stated date is shown with its source." if len(dates) > 1 else None))
        docs = self.values(z, "zg:approvalDocument")
        for d, curie in zip(docs, sorted(self.f.by_subject.get(z, {}).get("zg:approvalDocument", {}),
                                         key=lambda o: (self.s.zh(o), o))):
            numbers = self.s.document_meta(curie, "dcterms:identifier")
            issued = self.s.document_meta(curie, "dcterms:issued")
            d["extra"] = " · ".join(x for x in (("文号 No. " + "、".join(numbers)) if numbers else "",
                                                 ("issued " + "、".join(issued)) if issued else "") if x)
        row("zg:approvalDocument", docs)
        row("zg:plan", self.values(z, "zg:plan"))
        members = self.members()
        current = [m for m in members if not m["end"]["text"]]
        if members:
            box.append({"rel": {"zh": "成员城市", "en": "member cities", "curie": "zg:member"}, "key": "members",
                        "vals": [dict(m["name"], extra=m["code"]) for m in current],
                        "note": (f"{len(members) - len(current)} former member(s) in the table below"
                                 if len(current) < len(members) else None)})
        changes = self.changes()
        ended = self.values(z, "zg:endDate")
        status = ({"text": "ended " + ended[0]["text"], "cites": ended[0]["cites"]} if ended else
                  {"text": "in force (no end date in the sources)", "cites": []})
        if changes:
            status["extra"] = "; ".join(f"{c['date']['text']} {c['kinds']}" for c in changes)
        box.append({"rel": {"zh": "状态", "en": "status", "curie": ""}, "key": "status", "vals": [status],
                    "note": None})
        return {"infobox": box, "members": members, "changes": changes,
                "description": self.values(z, "dcterms:description"),
                "sections": self.zone_sections(members)}

    def members(self) -> list[dict]:
        out = []
        for m in self.incoming("zg:zone", "zg:Membership"):
            region = (self.f.values(m, "zg:member") or [""])[0]
            codes = self.f.values(region, "zg:divisionCode")
            start = self._joined(m, "zg:startDate")
            out.append({"membership": m, "membership_href": safe_href(self.s.href(m, self.root)),
                        "name": self.value(region, self.f.evidence(m, "zg:member")),
                        "name_then": self._name_then(region, start["text"]),
                        "code": "/".join(codes),
                        "coverage": self._joined(m, "zg:coverage"), "coverage_note": self._joined(m, "zg:coverageNote"),
                        "start": start, "end": self._joined(m, "zg:endDate"),
                        "date_note": self._joined(m, "zg:dateNote")})
        out.sort(key=lambda r: (r["start"]["text"] or "9999", r["code"], r["membership"]))
        return out

    def _name_then(self, region: str, start: str) -> dict | None:
        """The name a member had when it joined, where a cited change renamed it since under the same
        code (双桥区, 500111, became 大足区 at the end of 2011): its previous name, with the change's source."""
        for rc in self.f.subjects_of_class("zg:RegionChange"):
            if region not in self.f.values(rc, "zg:region"):
                continue
            when = min(self.f.values(rc, "zg:date"), default="")
            previous = self.values(rc, "zg:previousName")
            if previous and when and start and start[:4] <= when[:4]:
                return previous[0]
        return None

    def _joined(self, subject: str, prop: str) -> dict:
        vals = self.values(subject, prop)
        return {"text": " / ".join(v["text"] for v in vals),
                "cites": sorted({c["n"]: c for v in vals for c in v["cites"]}.values(), key=lambda c: c["n"])}

    def changes(self) -> list[dict]:
        out = []
        for c in self.incoming("zg:zone", "zg:ZoneChange"):
            out.append({"href": safe_href(self.s.href(c, self.root)),
                        "label": self.value(c, self.f.evidence(c, "rdfs:label")),
                        "date": self._joined(c, "zg:date"),
                        "kinds": " / ".join(self.f.values(c, "zg:changeKind")),
                        "added": self.values(c, "zg:addedMember"), "removed": self.values(c, "zg:removedMember"),
                        "new_name": self.values(c, "zg:newName"), "document": self.values(c, "zg:approvalDocument"),
                        "by": self.values(c, "zg:approvedBy")})
        out.sort(key=lambda c: (c["date"]["text"], c["label"]["text"]))
        return out

    def zone_sections(self, members: list[dict]) -> list[dict]:
        z = self.node
        secs = []

        def sec(key, zh, en, items, kind="list"):
            if items:
                secs.append({"key": key, "zh": zh, "en": en, "entries": items, "kind": kind})

        sec("positioning", "战略定位与空间布局", "Positioning and layout",
            [dict(v, rel=self.rel(p)) for p in ("zg:positioning", "zg:spatialLayout") for v in self.values(z, p)],
            "text")
        sec("industries", "承接产业（按规划文本）", "Target industries, by the document that names them",
            self.industries_by_document(), "plans")
        sec("sources", "产业转出地", "Source regions", self.values(z, "zg:sourceRegion"))
        sec("platforms", "承接平台与园区", "Carrier platforms and parks", self.values(z, "zg:carrierPlatform"))
        links = []
        for link in self.incoming("zg:receiver", "zg:TransferLink"):
            links.append({"source": self.values(link, "zg:sourceRegion"), "industry": self.values(link, "zg:industry"),
                          "declared": self.values(link, "zg:declaredIn")})
        links.sort(key=lambda r: ([v["text"] for v in r["source"]], [v["text"] for v in r["industry"]]))
        sec("links", "声明的转移链接", "Declared transfer links (source → industry)", links, "links")
        # paired cooperation: agreements whose partners include the zone's province(s) or member cities
        member_regions = {(self.f.values(m["membership"], "zg:member") or [""])[0] for m in members}
        places = set(self.f.values(z, "zg:province")) | member_regions
        coops = [c for c in self.f.subjects_of_class("zg:Cooperation")
                 if places & set(self.f.values(c, "zg:partner"))]
        sec("cooperation", "对口合作", "Paired cooperation",
            [{"label": self.value(c, self.f.evidence(c, "rdfs:label")), "href": safe_href(self.s.href(c, self.root)),
              "partners": self.values(c, "zg:partner"), "start": self._joined(c, "zg:startDate"),
              "declared": self.values(c, "zg:declaredIn")} for c in coops], "coop")
        projects = set(self.incoming("zg:zone", "zg:InvestmentProject"))
        projects |= {p for p in self.f.subjects_of_class("zg:InvestmentProject")
                     if member_regions & set(self.f.values(p, "zg:locatedIn"))}
        sec("projects", "投资项目", "Investment projects",
            sorted(({"label": self.value(p, self.f.evidence(p, "rdfs:label")),
                     "place": self.values(p, "zg:locatedIn"), "origin": self.values(p, "zg:investorOrigin"),
                     "industry": self.values(p, "zg:industry"), "status": self.values(p, "zg:projectStatus"),
                     "date": self._joined(p, "zg:date"),
                     "amount": self._amount(p)} for p in sorted(projects)),
                   key=lambda r: (r["date"]["text"] or "9999", r["label"]["text"])), "projects")
        sec("figures", "数据", "Figures", self.figures(), "figures")
        sec("documents", "涉及本区的文献", "Documents concerning the zone",
            [self.value(d, evs) for d, evs in sorted(
                ((s, evs) for s, p, evs in self.s.incoming.get(z, []) if p == "zg:concerns"),
                key=lambda t: t[0])])
        return secs

    def industries_by_document(self) -> list[dict]:
        """Target industries grouped by the document each citation comes from (a plan, an approval,
        a later measure), newest first: plan versions differ in what they name, and a reader should
        see which version says what. An industry named by two documents is listed under both, each
        time with the footnote of that document only. Undated documents come last."""
        by_doc: dict[str, list[dict]] = defaultdict(list)
        for ind, evs in self.f.by_subject.get(self.node, {}).get("zg:targetIndustry", {}).items():
            per_doc: dict[str, list] = defaultdict(list)
            for e in evs:
                per_doc[e.document].append(e)
            for doc, doc_evs in per_doc.items():
                by_doc[doc].append(self.value(ind, doc_evs))
        groups = []
        for doc, vals in by_doc.items():
            meta = self.s.document_meta
            issued = sorted(meta(doc, "dcterms:issued"))
            start, end = meta(doc, "zg:periodStart"), meta(doc, "zg:periodEnd")
            period = f"{start[0] if start else ''}–{end[0] if end else ''}" if start or end else ""
            document = (self.value(doc) if doc in self.s.has_page
                        else {"text": doc, "full": doc, "en": "", "href": None, "cites": []})
            groups.append({"curie": doc, "document": document, "issued": issued[0] if issued else "",
                           "number": "、".join(meta(doc, "dcterms:identifier")), "period": period,
                           "industries": sorted(vals, key=lambda v: (v["text"], v["href"] or ""))})
        groups.sort(key=lambda g: (g["document"]["text"], g["curie"]))
        groups.sort(key=lambda g: g["issued"], reverse=True)  # stable: same date -> by title
        return groups

    def _amount(self, p: str) -> dict:
        a, u = self._joined(p, "zg:amount"), self._joined(p, "zg:amountUnit")
        return {"text": f"{a['text']} {u['text']}".strip(), "cites": a["cites"]}

    def figures(self) -> list[dict]:
        out = []
        for o in self.incoming("zg:observationOf", "zg:Observation"):
            v = self._joined(o, "zg:value")
            out.append({"label": self.value(o, self.f.evidence(o, "rdfs:label")),
                        "href": safe_href(self.s.href(o, self.root)),
                        "value": v, "unit": self._joined(o, "zg:unit")["text"],
                        "period": self._joined(o, "zg:refPeriod")["text"] or self._joined(o, "zg:periodNote")["text"]})
        out.sort(key=lambda r: (r["period"], r["label"]["text"]))
        return out

    # ------------------------------------------------------------------ any entity
    def groups(self, skip_out: set[str] = frozenset(), skip_in: set[str] = frozenset()) -> list[dict]:
        """Facts grouped as in ``zonegraph show``: each relation labelled zh/en, values with footnotes."""
        by_group: dict[str, dict[tuple[str, str], list[dict]]] = defaultdict(lambda: defaultdict(list))
        for p, objs in sorted(self.f.by_subject.get(self.node, {}).items()):
            if p in HEADER_PROPS or p in skip_out:
                continue
            for o, evs in sorted(objs.items(), key=lambda kv: (self.s.zh(kv[0]), kv[0])):
                by_group[PROPERTY_GROUP.get(p, "other")][("out", p)].append(self.value(o, evs))
        for s, p, evs in sorted(self.s.incoming.get(self.node, []), key=lambda t: (t[1], self.s.zh(t[0]), t[0])):
            if p in skip_in or p == "rdf:type":
                continue
            group = "members" if p in ("zg:member", "zg:zone") else "statements"
            if self.f.classes.get(s) == "zg:InvestmentProject":
                group = "projects"
            by_group[group][("in", p)].append(self.value(s, evs))
        out = []
        for key, zh, en in GROUPS:
            rels = by_group.get(key)
            if not rels:
                continue
            rows = []
            for (direction, p), vals in sorted(rels.items(), key=lambda kv: (kv[0][0] != "out", kv[0][1])):
                r = self.rel(p)
                if direction == "in":
                    r = {**r, "zh": "← " + r["zh"], "en": "← " + r["en"]}
                rows.append({"rel": r, "vals": vals})
            out.append({"key": key, "zh": zh, "en": en, "rows": rows})
        return out


ZONE_HANDLED_OUT = {"zg:province", "zg:approvedBy", "zg:approvalDate", "zg:approvalDocument", "zg:plan",
                    "dcterms:description", "zg:positioning", "zg:spatialLayout", "zg:targetIndustry",
                    "zg:sourceRegion", "zg:carrierPlatform"}
ZONE_HANDLED_IN = {"zg:zone", "zg:receiver", "zg:observationOf", "zg:concerns"}


def profile_context(site: SiteBuilder, node: str, root: str) -> dict:
    """Everything profile.html needs for ``node``."""
    p = Profile(site, node, root)
    ctx = {"head": p.header(), "zone": None}
    if site.facts.classes.get(node) == "zg:DemonstrationZone":
        ctx["zone"] = p.zone()
        ctx["groups"] = p.groups(ZONE_HANDLED_OUT, ZONE_HANDLED_IN)
    else:
        ctx["groups"] = p.groups()
    ctx["notes"] = p.notes.entries
    return ctx
