"""Where the project data lives: --root, $ZONEGRAPH_ROOT, the checkout, or the bundled copy."""

from __future__ import annotations

import os
from pathlib import Path

from graph.errors import RootNotFound

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED = PACKAGE_DIR / "_bundled"


def is_root(path: Path) -> bool:
    return (path / "ontology.ttl").is_file() and (path / "data").is_dir()


def find_root(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """Return the folder holding ``ontology.ttl`` and ``data/``.

    Order: ``explicit`` (``--root``), ``$ZONEGRAPH_ROOT``, the nearest folder upward from ``cwd``,
    the checkout this package was imported from, then the copy installed with the package.
    """
    for label, value in (("--root/ZONEGRAPH_ROOT", explicit), ("ZONEGRAPH_ROOT", os.environ.get("ZONEGRAPH_ROOT"))):
        if value:
            path = Path(value).expanduser().resolve()
            if not is_root(path):
                raise RootNotFound(
                    f"{label}={value}: no ontology.ttl and data/ there; point it at a zonegraph checkout."
                )
            return path
    here = (cwd or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if is_root(candidate):
            return candidate
    for candidate in (PACKAGE_DIR.parent, BUNDLED):
        if is_root(candidate):
            return candidate
    raise RootNotFound(
        "no zonegraph data found: run inside a checkout, or pass --root DIR / set ZONEGRAPH_ROOT."
    )


def data_files(root: Path) -> list[Path]:
    """All TriG files under ``data/``, in a stable order (that of their paths' parts, as sorting
    Paths gives)."""
    return [root / name for name in data_file_names(root)]


def data_file_names(root: Path) -> list[str]:
    """:func:`data_files` as paths relative to ``root`` (``data/…``, '/'-separated), listed with
    os.walk and kept as strings: every command lists them to check the store is fresh, and
    pathlib's rglob, or a Path per file, took 50 ms for the 5,000 files of 100x the data."""
    base = os.path.join(root, "data")
    found = []
    for folder, dirs, names in os.walk(base):
        rel = os.path.relpath(folder, base)
        prefix = () if rel == "." else tuple(rel.split(os.sep))
        found += [(*prefix, n) for n in names if n.endswith(".trig")]
    return ["/".join(("data", *parts)) for parts in sorted(found)]


# Files in data/ that are data in another syntax (or a .trig under another name): their statements
# would silently be missing from the graph, so validate fails on them.
RDF_SUFFIXES = {".ttl", ".nt", ".nq", ".n3", ".rdf", ".owl", ".xml", ".jsonld", ".json", ".trix", ".csv", ".tsv"}
DOC_SUFFIXES = {".md", ".markdown", ".rst"}


def stray_files(root: Path) -> list[tuple[str, bool]]:
    """Files under ``data/`` that ``load`` skips, as (path relative to root, looks like data).

    Documentation (``*.md``) and hidden files (``.gitkeep``, editor state) are not listed."""
    loaded = set(data_files(root))
    out = []
    for path in sorted((root / "data").rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or path in loaded or any(part.startswith(".") for part in rel.parts):
            continue
        suffix = path.suffix.lower()
        if suffix in DOC_SUFFIXES:
            continue
        looks_like_data = suffix in RDF_SUFFIXES or ".trig" in path.name.lower()
        out.append((rel.as_posix(), looks_like_data))
    return out
