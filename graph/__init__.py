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

from graph.api import build, load, query, run_named_query, search, show, stats, validate  # noqa: E402

__all__ = [
    "__version__",
    "build",
    "load",
    "query",
    "run_named_query",
    "search",
    "show",
    "stats",
    "validate",
]
