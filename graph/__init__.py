"""zonegraph: a cited RDF knowledge graph of China's national industrial transfer demonstration zones.

Library first; the ``zonegraph`` CLI is a thin layer over these functions::

    import graph
    kg = graph.load()                       # finds the checkout (or the bundled copy)
    rows = graph.query(kg, "SELECT ?z WHERE { ?z a zg:DemonstrationZone }")
    facts = graph.show(kg, "辽西北")
    report = graph.validate(kg)
    graph.build(kg, "exports")
"""

__version__ = "0.1.0"

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
