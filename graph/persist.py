"""The persistent on-disk store: the dataset written once into an Oxigraph (RocksDB) folder that
``zonegraph serve`` serves and any engine-side reader can open without re-parsing the data.

Layout: ``<root>/.zonegraph/store-<digest>/`` (out of git), where the digest covers the ontology,
every data file (path and bytes), the pyoxigraph version and :data:`FORMAT` — a changed data file
gives a new folder, so a fresh store is found by one ``stat`` and never patched in place.

Contents are exactly those of :meth:`graph.store.KnowledgeGraph.load`: every citation graph, the
sources/editorial/vocabulary graphs, the ontology graph, and the union of all graphs as a *set*
in the default graph (:func:`graph.store.materialise_union`), so an engine that queries the
default graph sees each triple once.

Written atomically: the store is built in a temporary sibling folder and renamed into place, so
a reader (or a crashed build) never sees half a store.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.errors import ZonegraphError
from graph.paths import data_files, find_root

# Bump when what goes into the store changes (not the data: the digest covers that).
FORMAT = "1"
CACHE_DIR = ".zonegraph"


class StoreError(ZonegraphError):
    """The store folder cannot be written or opened."""


@dataclass
class StoreInfo:
    path: Path
    digest: str
    built: bool  # True when this call wrote it, False when a fresh one was found


def digest(root: Path) -> str:
    """A short hash of everything the store is made from."""
    h = hashlib.sha256()
    h.update(f"format {FORMAT}\npyoxigraph {ox.__version__}\n".encode())
    for path in [root / "ontology.ttl", *data_files(root)]:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def cache_dir(root: Path) -> Path:
    """``$ZONEGRAPH_CACHE`` if set to a folder, else ``<root>/.zonegraph`` (the installed copy's root
    may be read-only: then ``~/.cache/zonegraph``). ``ZONEGRAPH_CACHE=off`` turns off only the
    pinyin cache (graph.pinyin): a store is needed to serve, so it then goes to the default place."""
    env = os.environ.get("ZONEGRAPH_CACHE", "").strip()
    if env and env not in ("off", "0"):
        return Path(env).expanduser().resolve()
    local = root / CACHE_DIR
    if os.access(root, os.W_OK) or local.is_dir():
        return local
    return Path.home() / ".cache" / "zonegraph"


def store_path(root: str | os.PathLike[str] | Path | None = None) -> Path:
    root = find_root(root)
    return cache_dir(root) / f"store-{digest(root)}"


def ensure_store(root: str | os.PathLike[str] | Path | None = None, *, log=None) -> StoreInfo:
    """Return the fresh store of ``root``, writing it first when the data changed.

    ``log(message)`` is told when a store is (re)built and why."""
    root = find_root(root)
    d = digest(root)
    base = cache_dir(root)
    path = base / f"store-{d}"
    if (path / "CURRENT").is_file():
        return StoreInfo(path, d, built=False)
    stale = sorted(p.name for p in base.glob("store-*")) if base.is_dir() else []
    if log:
        log(f"writing the store {path} ("
            + ("a data file changed since " + ", ".join(stale) if stale else "none yet") + ")")
    write_store(root, path)
    for name in stale:
        shutil.rmtree(base / name, ignore_errors=True)
    return StoreInfo(path, d, built=True)


def write_store(root: Path, path: Path) -> Path:
    """Load ``root`` (with the usual parse errors naming file:line) and write it to ``path``."""
    from graph.store import KnowledgeGraph

    kg = KnowledgeGraph.load(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as err:
        raise StoreError(f"{path.parent}: cannot write the store there ({err}); "
                         "set ZONEGRAPH_CACHE to a writable folder.") from None
    try:
        disk = ox.Store(str(tmp))
        disk.bulk_extend(kg.store)
        disk.flush()
        del disk  # closes RocksDB (releases its LOCK) before the rename
        try:
            tmp.rename(path)
        except OSError:
            if not (path / "CURRENT").is_file():  # another process may have won the race
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def open_read_only(path: Path) -> ox.Store:
    """Open a written store for reading (several processes may do so at once)."""
    try:
        return ox.Store.read_only(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the store ({err}); delete the folder to rebuild it.") from None


def open_graph(root: str | os.PathLike[str] | Path | None = None, *, log=None):
    """A :class:`graph.store.KnowledgeGraph` over the fresh persistent store (written first if
    needed): queries, names and labels without re-parsing the data. ``files_of`` is empty."""
    from graph.store import KnowledgeGraph

    info = ensure_store(root, log=log)
    kg = KnowledgeGraph(find_root(root))
    kg.store = open_read_only(info.path)
    return kg, info
