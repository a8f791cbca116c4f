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

import json
import os
import time
from collections import namedtuple
from pathlib import Path

import pyoxigraph as ox

from graph.errors import ZonegraphError
from graph.paths import data_file_names, find_root

# Bump when what goes into the store changes (not the data: the digest covers that).
FORMAT = "1"
CACHE_DIR = ".zonegraph"


class StoreError(ZonegraphError):
    """The store folder cannot be written or opened."""


# path, digest, built: True when this call wrote it, False when a fresh one was found
StoreInfo = namedtuple("StoreInfo", "path digest built")


def digest(root: Path, names: list[str] | None = None, record=None) -> str:
    """A short hash of everything the store is made from.

    Hashing every byte of the data costs ~0.1 s at 100x the curated data, on every command; so the
    hash is kept in ``<cache>/manifest.json`` with each file's size and modification time, and
    reused while none of them changed (as git's index does). A file modified within
    :data:`RACY_SECONDS` of the manifest being written is hashed again: its edit may share the
    recorded time. ``names``: the data files relative to ``root`` (:func:`data_file_names`);
    ``record(digest)``: whether a digest just computed goes into the manifest (default: always)."""
    names = ["ontology.ttl", *(data_file_names(root) if names is None else names)]
    stats = {}
    for name in names:
        try:
            st = os.stat(os.path.join(root, name))
        except OSError:
            stats = None
            break
        stats[name] = [st.st_size, st.st_mtime_ns]
    manifest = cache_dir(root) / "manifest.json"
    if stats is not None:
        try:
            known = json.loads(manifest.read_text(encoding="utf-8"))
            if (known.get("key") == _key() and known.get("files") == stats
                    and max(m for _, m in stats.values()) < known["written_ns"] - RACY_SECONDS * 1e9):
                return known["digest"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    import hashlib

    h = hashlib.sha256()
    h.update(_key().encode())
    for name in names:
        h.update(name.encode() + b"\0")
        h.update((root / name).read_bytes())
        h.update(b"\0")
    value = h.hexdigest()[:16]
    if stats is not None and (record is None or record(value)):
        _write_manifest(manifest, {"key": _key(), "digest": value, "written_ns": time.time_ns(), "files": stats})
    return value


RACY_SECONDS = 2


def _recorded_files(base: Path) -> dict:
    try:
        return json.loads((base / "manifest.json").read_text(encoding="utf-8")).get("files") or {}
    except (OSError, ValueError, AttributeError):
        return {}


def recorded_store(root: str | os.PathLike[str] | Path | None = None) -> str | None:
    """The store the manifest last recorded for ``root``, if it is on disk: most likely the fresh
    one, without listing or statting the data files (a guess; :func:`open_graph` decides)."""
    base = cache_dir(find_root(root))
    try:
        path = base / f"store-{json.loads((base / 'manifest.json').read_text(encoding='utf-8'))['digest']}"
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(path) if (path / "CURRENT").is_file() else None


def _key() -> str:
    return f"format {FORMAT}\npyoxigraph {ox.__version__}\n"


def _write_manifest(manifest: Path, content: dict) -> None:
    """Best effort, atomic: a manifest that cannot be written only means hashing next time."""
    import tempfile

    try:
        manifest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", dir=manifest.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(content, out)
        os.replace(tmp, manifest)
    except OSError:
        pass


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
    return _ensure(find_root(root), log)[0]


def _ensure(root: Path, log=None, progress=None, names: list[str] | None = None, build: bool = True):
    """(info, the graph loaded in memory to write the store, or None when a fresh one was found);
    None when the store is stale and ``build`` is false.
    ``names``: the data files (relative), when the caller listed them already."""
    base = cache_dir(root)
    before = _recorded_files(base)
    # Without building, a stale digest is not recorded: the command that rebuilds reads the
    # manifest to say which files changed.
    d = digest(root, names, None if build else lambda value: (base / f"store-{value}" / "CURRENT").is_file())
    path = base / f"store-{d}"
    if (path / "CURRENT").is_file():
        return StoreInfo(path, d, built=False), None
    if not build:
        return None
    stale = sorted(p.name for p in base.glob("store-*")) if base.is_dir() else []
    if stale and log:  # a first store is written silently; a rebuild is said, with its cause
        after = _recorded_files(base)
        changed = sorted(f for f in set(before) | set(after) if before.get(f) != after.get(f)) if before else []
        cause = (", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
                 + (" changed" if changed else "")) or "the data changed"
        log(f"rebuilding the store: {cause} since {', '.join(stale)} ({path})")
    kg = write_store(root, path, progress)
    import shutil

    for name in stale:
        shutil.rmtree(base / name, ignore_errors=True)
    return StoreInfo(path, d, built=True), kg


def write_store(root: Path, path: Path, progress=None):
    """Load ``root`` (with the usual parse errors naming file:line), write it to ``path`` and
    return the loaded in-memory graph. Atomic: built in a temporary sibling and renamed, so a
    crash leaves the previous store or none, never half of one."""
    import shutil
    import tempfile

    from graph.store import KnowledgeGraph

    kg = KnowledgeGraph.load(root, progress=progress)
    if progress:
        progress(f"writing the store {path}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    except OSError as err:
        raise StoreError(f"{path.parent}: cannot write the store there ({err}); "
                         "set ZONEGRAPH_CACHE to a writable folder, or ZONEGRAPH_STORE=memory.") from None
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
    return kg


def open_read_only(path: Path) -> ox.Store:
    """Open a written store for reading (several processes may do so at once)."""
    try:
        return ox.Store.read_only(str(path))
    except OSError as err:
        raise StoreError(f"{path}: cannot open the store ({err}); delete the folder to rebuild it.") from None


def open_graph(root: str | os.PathLike[str] | Path | None = None, *, log=None, progress=None, build: bool = True):
    """``(kg, info)``: a :class:`graph.store.KnowledgeGraph` over the fresh persistent store,
    written first when a data file changed (then ``kg`` is the graph just loaded, in memory), or
    None then if ``build`` is false. Opening a fresh store costs milliseconds whatever its size
    (it is opened on first use); which file states what is read from the data files only if a
    message needs it."""
    from graph.store import KnowledgeGraph

    root = find_root(root)
    names = data_file_names(root)
    ensured = _ensure(root, log, progress, names, build)
    if ensured is None:
        return None
    info, loaded = ensured
    if loaded is not None:
        kg = loaded
    else:
        kg = KnowledgeGraph(root)
        kg.store_later(lambda: open_read_only(info.path))
        if progress:
            progress(f"using the store {info.path} (the data is unchanged since it was written)")
        # Paths made only if asked for (which file states what): a Path per file costs 30 ms at 100x
        kg.files_later(lambda: [root / "ontology.ttl", *(root / n for n in names)])
        kg._union_done = True
    kg.store_path = info.path
    return kg, info


def memory_only() -> bool:
    """``ZONEGRAPH_STORE=memory``: every command parses the data into memory, no store on disk
    (a read-only checkout with no writable cache, or a one-off run)."""
    return os.environ.get("ZONEGRAPH_STORE", "").strip().lower() in ("memory", "off", "0")
