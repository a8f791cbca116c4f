"""The static site under ``exports/site/``: an index, a page for every entity (documents included,
with every fact that cites them) and the network views. Opens from disk; no request leaves it."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from graph import DATA_LICENSE, ns, viz
from graph.network import facts_of, to_networkx
from graph.pinyin import pinyin_forms
from graph.store import KnowledgeGraph

ROOT_FROM_ENTITY = "../../"
ROOT_FROM_VIEW = "../"
MINI_GRAPH_MAX = 60


def anchor(locator: str) -> str:
    return "loc-" + hashlib.sha1(locator.encode("utf-8")).hexdigest()[:10]


def view_file(kind: str, node: str) -> str:
    """File name of a zone's or an industry's view: views/zone-liaoxibei.html."""
    return f"{kind}-{ns.slug(ns.split(node)[1])}.html"


class SiteBuilder:
    def __init__(self, kg: KnowledgeGraph, lang: str = "zh"):
        self.kg, self.lang = kg, lang
        self.facts = facts_of(kg)
        self.hops = to_networkx(kg)
        self.incoming: dict[str, list[tuple[str, str, set]]] = defaultdict(list)
        for s, props in self.facts.by_subject.items():
            for p, objs in props.items():
                for o, evs in objs.items():
                    if o in self.facts.classes or ns.is_entity(o or ""):
                        self.incoming[o].append((s, p, evs))
        self.entities = sorted(e for e in self.facts.classes if ns.is_entity(e))
        self.has_page = set(self.entities)
        # document -> [(subject, property, value, locator)]: every statement each document supports
        self.cites: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        for s, props in self.facts.by_subject.items():
            for p, objs in props.items():
                for o, evs in objs.items():
                    for e in evs:
                        self.cites[e.document].append((s, p, o, e.locator))
        self.alt = defaultdict(list)
        for e, name in ((ns.curie(s.value), n.value) for s, n in kg.select(
                "SELECT ?s ?n WHERE { ?s skos:altLabel ?n } ORDER BY ?s ?n").rows):  # any engine, same order
            self.alt[e].append(name)

    # -------------------------------------------------------------- helpers
    def zh(self, node: str) -> str:
        return self.kg.label(ns.iri(node), "zh")

    def en(self, node: str) -> str:
        return self.kg.label(ns.iri(node), "en")

    def href(self, node: str, root: str) -> str | None:
        return root + viz.page_path(node) if node in self.has_page else None

    def _source_links(self, evs, root: str) -> list[dict]:
        out = []
        for e in sorted(evs):
            page = viz.page_path(e.document) if e.document in self.has_page else None
            out.append({"title": e.title or e.document, "locator": e.locator,
                        "href": f"{root}{page}#{anchor(e.locator)}" if page else None})
        return out

    def _value(self, value: str, root: str) -> dict:
        if value in self.facts.classes or value in self.has_page:
            return {"text": f"{self.zh(value)}", "href": self.href(value, root)}
        return {"text": value, "href": None}

    def locator_href(self, document: str, locator: str, root: str) -> str | None:
        """Where a footnote points: the locator's anchor on the document's page."""
        if document not in self.has_page:
            return None
        return f"{root}{viz.page_path(document)}" + (f"#{anchor(locator)}" if locator else "")

    def document_meta(self, doc: str, prop: str) -> list[str]:
        """A document's metadata value(s), cited or from the sources graph."""
        return self.facts.values(doc, prop) or self._source_graph_values(doc, prop)

    # -------------------------------------------------------------- pages
    def profile_page(self, node: str) -> str:
        """The reading page of an entity: a zone's infobox and tables, or grouped facts, with footnotes."""
        from graph.profile import profile_context, safe_href

        root = ROOT_FROM_ENTITY
        context = dict(title=self.zh(node), root=root, lang=self.lang, meta=None, cited=None,
                       payload=self._mini_graph(node, root), **profile_context(self, node, root))
        if self.facts.classes.get(node) == "zg:Document":
            doc = self._document_context(node, root)
            doc["meta"] = [(k, v, safe_href(h)) for k, v, h in doc["meta"]]
            doc["cited"] = [(loc, a, [dict(r, subject_href=safe_href(r["subject_href"]),
                                           value_href=safe_href(r["value_href"])) for r in rows])
                            for loc, a, rows in doc["cited"]]
            context.update(doc)
        return viz.render_template("profile.html", **context)

    def _document_context(self, doc: str, root: str) -> dict:
        meta = []
        for key, prop in (("title", "dcterms:title"), ("issued", "dcterms:issued"), ("number", "dcterms:identifier"),
                          ("issuer", "dcterms:publisher"), ("author", "dcterms:creator"), ("kind", "zg:documentKind"),
                          ("in", "dcterms:bibliographicCitation"), ("url", "foaf:page"), ("date note", "zg:dateNote"),
                          ("note", "dcterms:description")):
            for value in self.facts.values(doc, prop) or self._source_graph_values(doc, prop):
                if prop == "foaf:page":
                    meta.append((key, value, value if value.startswith(("http://", "https://")) else None))
                elif prop in ("dcterms:publisher", "zg:documentKind"):
                    meta.append((key, self.zh(value), self.href(value, root)))
                else:
                    meta.append((key, value, None))
        cited: dict[str, list[dict]] = defaultdict(list)
        for s, p, o, locator in self.cites.get(doc, ()):
            v = self._value(o, root)
            cited[locator].append({"subject": self.zh(s), "subject_href": self.href(s, root),
                                   "property": p, "value": v["text"], "value_href": v["href"]})
        groups = [(loc, anchor(loc), sorted(rows, key=lambda r: (r["subject"], r["property"], r["value"],
                                                                     r["subject_href"] or "", r["value_href"] or "")))
                  for loc, rows in sorted(cited.items())]
        return {"meta": meta, "cited": groups, "cited_count": sum(len(r) for _, _, r in groups)}

    def _source_graph_values(self, doc: str, prop: str) -> list[str]:
        """Metadata of source documents lives in zgg:sources (uncited by design)."""
        rows = self.kg.select(f"SELECT ?v WHERE {{ GRAPH zgg:sources {{ ?d {prop} ?v }} }} ORDER BY ?v",
                              {"d": ox.NamedNode(ns.iri(doc))}).rows
        return [ns.curie(v.value) if isinstance(v, ox.NamedNode) else v.value for (v,) in rows]

    def _mini_graph(self, node: str, root: str) -> dict | None:
        if node not in self.hops:
            return None
        near = [node] + sorted(self.hops.neighbors(node))[: MINI_GRAPH_MAX - 1]
        g = self.hops.subgraph(near)  # a view: copying it for every page cost more than reading it
        if g.number_of_edges() == 0:
            return None
        return viz.pyvis_payload(viz.view_data(self.kg, g, viz.radial(g, node), root), self.lang)

    def index_page(self, views: list[dict]) -> str:
        root = ""
        zones = []
        for z in self.facts.subjects_of_class("zg:DemonstrationZone"):
            members = []
            for m in self.facts.subjects_of_class("zg:Membership"):
                if z in self.facts.values(m, "zg:zone"):
                    for r in self.facts.values(m, "zg:member"):
                        end = self.facts.values(m, "zg:endDate")
                        undated = not self.facts.values(m, "zg:startDate")
                        members.append({"text": self.zh(r), "href": self.href(r, root),
                                        "note": f"(–{end[0]})" if end else "(start undated)" if undated else ""})
            zones.append({
                "zh": self.zh(z), "en": self.en(z), "href": self.href(z, root), "view": f"views/{view_file('zone', z)}",
                "provinces": [self.zh(p) for p in self.facts.values(z, "zg:province")],
                "dates": self.facts.values(z, "zg:approvalDate"),
                "members": sorted({m["text"]: m for m in members}.values(), key=lambda m: m["text"]),
                "industries": [{"text": self.zh(i), "href": self.href(i, root)} for i in self.facts.values(z, "zg:targetIndustry")],
            })
        zones.sort(key=lambda z: (min(z["dates"], default="9999"), z["zh"]))
        groups = defaultdict(list)
        search = []
        for e in self.entities:
            cls = self.facts.classes.get(e, "")
            entry = {"zh": self.zh(e), "en": self.en(e), "href": viz.page_path(e)}
            groups[cls].append(entry)
            names = [entry["zh"], entry["en"], e, *self.alt[e]]
            terms = " ".join(names + [f for n in names for f in pinyin_forms(n)]).lower()
            search.append({"zh": entry["zh"], "en": entry["en"], "cls": cls, "page": entry["href"], "terms": terms})
        # best matches first: zones, then regions and industries, shorter names before longer
        rank = {c: i for i, c in enumerate(viz.CLASS_STYLE)}
        search.sort(key=lambda e: (rank.get(e["cls"], 99), len(e["zh"]), e["page"]))
        n_docs = len(groups.get("zg:Document", []))
        summary = (f"{len(zones)} zones, {len(self.entities)} entities, {n_docs} documents. "
                   "Every statement links to the place in the document it comes from.")
        return viz.render_template("index.html", title="国家级承接产业转移示范区", root=root, lang=self.lang,
                                   zones=zones, views=views, groups=sorted(groups.items()), search=search,
                                   summary=summary)

    # -------------------------------------------------------------- views
    def views(self) -> list[tuple[str, str, nx.MultiGraph, dict | None, str]]:
        """(file, title, graph, positions or None, description) for every view."""
        out = [("overview.html", "总览 Overview", viz.overview(self.kg), None,
                "Zones, their member regions, provinces, parks, source regions and target industries."),
               ("flow.html", "转移流 Transfer flows", viz.flow(self.kg), None,
                "Source regions → industries → zones and cities → parks → projects; links labelled by industry, "
                "declared dashed, realised solid.")]
        g, pos = viz.geo(self.kg)
        out.append(("geo.html", "地图 Geographic view", g, pos,
                    ("Zones on a map of China's provincial-level units: member cities shaded in their zone's colour, "
                     "declared source regions linked by arcs.")))
        for z in self.facts.subjects_of_class("zg:DemonstrationZone"):
            out.append((view_file("zone", z), f"{self.zh(z)} · depth 2", viz.neighbourhood(self.kg, z, 2),
                        None, "The zone and everything within two hops."))
        for ind in self.facts.subjects_of_class("zg:Industry"):
            if any(self.hops.nodes[m]["cls"] != "zg:Industry" for m in self.hops.neighbors(ind)) if ind in self.hops else False:
                out.append((view_file("industry", ind), f"{self.zh(ind)} · industry",
                            viz.industry_view(self.kg, ind), None, "Who receives this industry (and narrower ones), and from where."))
        return out

    def build(self, site: Path) -> list[str]:
        from graph.worker import Beside

        written = []
        viz.copy_assets(site)
        written += [f"assets/{p.name}" for p in sorted((site / "assets").iterdir())]
        # Two processes share the pages, one core each (a page needs only what is built above it);
        # the second also draws the views. Every file is the same whichever process writes it.
        pages = self.entities
        other = Beside(self.kg, lambda kg: (self._write_views(site), self._write_pages(site, pages[1::2])))
        try:
            self._write_pages(site, pages[0::2])
            view_index = other.result()[0]
        finally:
            other.cancel()
        written += [v["href"] for v in view_index] + [viz.page_path(node) for node in pages]
        written += self.reference_pages(site)
        from graph import sankey

        viz.write(site / "views" / "flow-sankey.html", viz.render_template(
            "sankey.html", title="转移流 Transfer flows", root=ROOT_FROM_VIEW, lang=self.lang,
            **sankey.layout(self, ROOT_FROM_VIEW)))
        written.append("views/flow-sankey.html")
        viz.write(site / "index.html", self.index_page(view_index[:3] + sorted(view_index[3:], key=lambda v: v["href"])))
        written.append("index.html")
        return written

    def _write_views(self, site: Path) -> list[dict]:
        """Every view's page; (href, title, node count) of each, for the index."""
        view_index = []
        for name, title, g, pos, desc in self.views():
            html = viz.render_view(self.kg, g, title, ROOT_FROM_VIEW, self.lang, pos, desc, edge_labels=name == "flow.html",
                                   basemap=name == "geo.html")
            viz.write(site / "views" / name, html)
            view_index.append({"href": f"views/{name}", "title": title, "nodes": g.number_of_nodes()})
        return view_index

    def _write_pages(self, site: Path, nodes: list[str]) -> None:
        for node in nodes:
            viz.write(site / viz.page_path(node), self.profile_page(node))

    def reference_pages(self, site: Path) -> list[str]:
        """timeline.html, ontology.html and downloads.html at the site's root."""
        from graph import pages

        root = ""
        viz.write(site / "timeline.html", viz.render_template(
            "timeline.html", title="时间线 Timeline", root=root, lang=self.lang, **pages.timeline_context(self, root)))
        viz.write(site / "ontology.html", viz.render_template(
            "ontology.html", title="本体 Ontology", root=root, lang=self.lang, **pages.ontology_context(self)))
        # the exports sit beside the site folder (exports/site/ next to exports/*.ttl …)
        viz.write(site / "downloads.html", viz.render_template(
            "downloads.html", title="下载 Downloads", root=root, lang=self.lang,
            **pages.downloads_context(site.parent, DATA_LICENSE, site.name)))
        return ["timeline.html", "ontology.html", "downloads.html"]


def build_site(kg: KnowledgeGraph, site: Path, lang: str = "zh") -> list[str]:
    return SiteBuilder(kg, lang).build(site)
