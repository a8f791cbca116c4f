"""zonegraph: a cited RDF knowledge graph of China's national industrial transfer demonstration zones.

Library first; the ``zonegraph`` CLI is a thin layer over these functions::

    import graph
    kg = graph.load()                       # finds the checkout (or the bundled copy)
    rows = graph.query(kg, "SELECT ?z WHERE { ?z a zg:DemonstrationZone }")
    facts = graph.show(kg, "辽西北")
    report = graph.validate(kg)
    graph.build(kg, "exports")
"""

# The one place for the release: the version, its date (written into VoID/DCAT, CITATION.cff is
# checked against both, and the city-year panel runs to this date's year, so a rebuild never depends
# on the wall clock) and the data licence.
__version__ = "0.2.0"
RELEASE_DATE = "2026-11-28"
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CODE_LICENSE = "https://opensource.org/licenses/MIT"

import sys  # noqa: E402
import types  # noqa: E402

# The API is imported on first use (PEP 562), so that `import graph.store` or a command that only
# opens the store does not pay for the whole package: a cold `zonegraph query` is mostly imports.
_API = ("analyze", "build", "load", "open", "query", "run_named_query", "search", "stream_named_query",
        "stream_query", "show", "stats", "to_networkx", "trace", "validate")


def __getattr__(name):
    if name in _API:
        from graph import api

        return getattr(api, name)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


class _Package(types.ModuleType):
    """``graph.build``, ``graph.stats`` and ``graph.validate`` are API functions that share their
    names with submodules; importing such a submodule must not replace the function."""

    def __setattr__(self, name, value):
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "__version__",
    "analyze",
    "to_networkx",
    "trace",
    "build",
    "load",
    "open",
    "query",
    "run_named_query",
    "search",
    "stream_named_query",
    "stream_query",
    "show",
    "stats",
    "validate",
]
