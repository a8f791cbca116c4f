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

from graph.api import (  # noqa: E402
    analyze,
    build,
    load,
    query,
    run_named_query,
    search,
    stream_named_query,
    stream_query,
    show,
    stats,
    to_networkx,
    trace,
    validate,
)

__all__ = [
    "__version__",
    "analyze",
    "to_networkx",
    "trace",
    "build",
    "load",
    "query",
    "run_named_query",
    "search",
    "stream_named_query",
    "stream_query",
    "show",
    "stats",
    "validate",
]
