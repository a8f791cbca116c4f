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
    """All TriG files under ``data/``, in a stable order."""
    return sorted((root / "data").rglob("*.trig"))
