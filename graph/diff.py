"""``zonegraph diff OLD NEW``: what changed between two releases, in data terms.

A release is an export folder (its ``zonegraph.nq``) or a git revision of a checkout (its ``data/``
and ``ontology.ttl`` loaded as that revision committed them, so committed exports need not be fresh).
The comparison is per entity: entities added and removed; facts added, removed and changed (one
value replaced by another for the same property); facts whose citations changed. Every row names the
citations and their documents (``doc:X locator``) on the side that holds the fact.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import ns
from graph.errors import ZonegraphError

RDF_TYPE = ns.RDF_TYPE
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
COLUMNS = ["entity", "label", "change", "property", "old", "new", "citations", "documents"]
CHANGE_ORDER = {"entity added": 0, "entity removed": 1, "fact added": 2, "fact removed": 3,
                "fact changed": 4, "citations changed": 5}


class ReleaseNotFound(ZonegraphError):
    pass


@dataclass
class Release:
    name: str
    facts: dict[tuple[str, str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    cites: dict[str, str] = field(default_factory=dict)  # citation CURIE -> "doc:X locator"
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, str] = field(default_factory=dict)


def _term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return ns.curie(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return f'"{t.value}"@{t.language}'
        dt = t.datatype.value
        if dt.endswith("#string"):
            return f'"{t.value}"'
        return f'"{t.value}"^^{ns.curie(dt)}'
    return str(t)


def _from_quads(name: str, quads) -> Release:
    rel = Release(name)
    sources = ns.BASE + "graph/sources"
    doc_of, loc_of = {}, {}
    quads = list(quads)
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == sources:
            if q.predicate.value == ns.VOCAB + "document":
                doc_of[q.subject.value] = ns.curie(q.object.value)
            elif q.predicate.value == ns.VOCAB + "locator":
                loc_of[q.subject.value] = q.object.value
    for c, d in doc_of.items():
        rel.cites[ns.curie(c)] = f"{d} {loc_of.get(c, '')}".strip()
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode) or q.graph_name.value == ns.ONTOLOGY_GRAPH:
            continue
        s = q.subject.value if isinstance(q.subject, ox.NamedNode) else None
        if s is None or s in doc_of:  # citation records are reported through the facts they back
            continue
        g = q.graph_name.value
        if q.predicate.value == LABEL and isinstance(q.object, ox.Literal) and q.object.language == "zh":
            if s not in rel.labels or q.object.value < rel.labels[s]:
                rel.labels[s] = q.object.value
        if q.predicate.value == RDF_TYPE:
            rel.types[ns.curie(s)].add(ns.curie(q.object.value))
        rel.facts[(ns.curie(s), ns.curie(q.predicate.value), _term(q.object))].add(
            ns.curie(g))
    rel.labels = {ns.curie(k): v for k, v in rel.labels.items()}
    return rel


def _git(root: Path, spec: str, *args: str, binary: bool = False):
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", b"") or b""
        raise ReleaseNotFound(
            f"{spec!r} is neither an export folder holding zonegraph.nq, nor a checkout, nor a git revision "
            f"of {root}{': ' + detail.decode('utf-8', 'replace').strip() if detail.strip() else ''}. "
            f"Pass an export folder, a checkout folder, or a commit, tag or branch."
        ) from None
    return out.stdout if binary else out.stdout.decode("utf-8")


def load_release(spec: str, root: str | Path | None = None) -> Release:
    """A release from an export folder (``zonegraph.nq``), a checkout folder (its ``data/`` as on disk)
    or a git revision of the checkout ``root``."""
    path = Path(spec)
    from graph.paths import is_root

    if path.is_dir() and is_root(path) and not (path / "zonegraph.nq").is_file():
        from graph.store import KnowledgeGraph

        return _from_quads(spec, KnowledgeGraph.load(path).quads())  # a checkout as it is on disk
    if path.is_dir():
        nq = path / "zonegraph.nq"
        if not nq.is_file():
            raise ReleaseNotFound(f"{path}: no zonegraph.nq there; run `zonegraph build --out {path}` first.")
        return _from_quads(spec, ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS))
    from graph.paths import find_root
    from graph.store import KnowledgeGraph

    root = find_root(root)
    commit = _git(root, spec, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}").strip()
    archive = _git(root, spec, "archive", "--format=tar", commit, "ontology.ttl", "data", binary=True)
    with tempfile.TemporaryDirectory(prefix="zonegraph-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            # The archive is our own git's output; the "data" filter (Python >= 3.11.4) still refuses odd paths.
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # pragma: no cover
                tar.extractall(tmp)
        kg = KnowledgeGraph.load(tmp)
        return _from_quads(spec, kg.quads())


def diff(old: Release, new: Release) -> list[list[str]]:
    """One row per change (see ``COLUMNS``), sorted by entity, kind of change, property and values."""
    rows: list[list[str]] = []

    def label(e):
        return new.labels.get(e) or old.labels.get(e) or ""

    def docs(rel, cites):
        return " | ".join(sorted({rel.cites.get(c, c) for c in cites}))

    for e in sorted(set(new.types) - set(old.types)):
        rows.append([e, label(e), "entity added", "rdf:type", "", " | ".join(sorted(new.types[e])),
                     "", ""])
    for e in sorted(set(old.types) - set(new.types)):
        rows.append([e, label(e), "entity removed", "rdf:type", " | ".join(sorted(old.types[e])), "",
                     "", ""])
    by_sp_old, by_sp_new = defaultdict(set), defaultdict(set)
    for s, p, o in old.facts:
        by_sp_old[(s, p)].add(o)
    for s, p, o in new.facts:
        by_sp_new[(s, p)].add(o)
    for s, p in sorted(set(by_sp_old) | set(by_sp_new)):
        olds, news = by_sp_old.get((s, p), set()), by_sp_new.get((s, p), set())
        gone, came = sorted(olds - news), sorted(news - olds)
        if len(gone) == 1 and len(came) == 1:
            c = new.facts[(s, p, came[0])]
            rows.append([s, label(s), "fact changed", p, gone[0], came[0], " | ".join(sorted(c)), docs(new, c)])
        else:
            for o in came:
                c = new.facts[(s, p, o)]
                rows.append([s, label(s), "fact added", p, "", o, " | ".join(sorted(c)), docs(new, c)])
            for o in gone:
                c = old.facts[(s, p, o)]
                rows.append([s, label(s), "fact removed", p, o, "", " | ".join(sorted(c)), docs(old, c)])
        for o in sorted(olds & news):
            co, cn = old.facts[(s, p, o)], new.facts[(s, p, o)]
            # A citation renamed but pointing at the same document and place is no change to a reader.
            if {old.cites.get(c, c) for c in co} != {new.cites.get(c, c) for c in cn}:
                rows.append([s, label(s), "citations changed", p, f"{o} — {docs(old, co)}", o,
                             " | ".join(sorted(cn)), docs(new, cn)])
    rows.sort(key=lambda r: (r[0], CHANGE_ORDER[r[2]], r[3], r[4], r[5]))
    return rows


def summary(rows: list[list[str]]) -> dict[str, int]:
    counts = {k: 0 for k in CHANGE_ORDER}
    for r in rows:
        counts[r[2]] += 1
    return counts


def tsv(rows: list[list[str]]) -> str:
    clean = lambda v: v.replace("\t", " ").replace("\n", " ")  # noqa: E731
    return "\t".join(COLUMNS) + "\n" + "".join("\t".join(clean(v) for v in r) + "\n" for r in rows)


def _md(v: str) -> str:
    return v.replace("|", "\\|").replace("\n", " ")


def markdown(rows: list[list[str]], old: str, new: str, title: str | None = None) -> str:
    """A changelog: counts, entities added and removed, then the fact changes grouped by entity."""
    out = [f"# {title or f'Changes from {old} to {new}'}", "",
           f"Generated by `zonegraph diff {old} {new}`: what changed in the data, each fact with the "
           "citation and document (`doc:X locator`) that back it.", "",
           "| change | count |", "|---|---|"]
    out += [f"| {k} | {n} |" for k, n in summary(rows).items()]
    for kind in ("entity added", "entity removed"):
        ents = [r for r in rows if r[2] == kind]
        if ents:
            out += ["", f"## Entities {kind.split()[1]} ({len(ents)})", ""]
            out += [f"- {_md(r[1]) or '(no label)'} `{r[0]}` — {_md(r[5] or r[4])}" for r in ents]
    facts = [r for r in rows if r[2] not in ("entity added", "entity removed")]
    if facts:
        out += ["", "## Facts by entity", ""]
        current = None
        for r in facts:
            if r[0] != current:
                current = r[0]
                out += ["", f"### {_md(r[1]) or r[0]} (`{r[0]}`)", ""]
            kind = r[2].split()[1]
            if r[2] == "fact changed":
                what = f"{_md(r[4])} → {_md(r[5])}"
            elif r[2] == "citations changed":
                what = f"{_md(r[5])}, was cited as {_md(r[4].split(' — ', 1)[1])}"
            else:
                what = _md(r[5] or r[4])
            out.append(f"- {kind} `{r[3]}`: {what} — {_md(r[7]) or _md(r[6])}")
    return "\n".join(out) + "\n"
