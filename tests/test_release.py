"""Release metadata: one version and date, reflected in VoID/DCAT and CITATION.cff; licences stated."""

import re
from pathlib import Path

import pyoxigraph as ox

import graph

ROOT = Path(__file__).resolve().parents[1]


def test_void_carries_version_date_and_licence(kg):
    from graph.build import render_exports

    void = render_exports(kg)["void.ttl"]
    triples = list(ox.parse(void.encode("utf-8"), format=ox.RdfFormat.TURTLE,
                           base_iri="https://w3id.org/zonegraph/exports/"))
    by_p = {t.predicate.value: t.object for t in triples if t.subject.value.endswith("/id/dataset")}
    assert by_p["http://www.w3.org/2002/07/owl#versionInfo"].value == graph.__version__
    issued = by_p["http://purl.org/dc/terms/issued"]
    assert issued.value == graph.RELEASE_DATE and issued.datatype.value.endswith("#date")
    assert by_p["http://purl.org/dc/terms/license"].value == "https://creativecommons.org/licenses/by/4.0/"
    assert "panel_city_year.csv" in void


def test_citation_cff_matches_the_release():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r'^cff-version: 1\.2\.0$', text, re.M)
    assert re.search(rf'^version: "{re.escape(graph.__version__)}"$', text, re.M), \
        "CITATION.cff version differs from graph.__version__: update CITATION.cff"
    assert re.search(rf'^date-released: "{graph.RELEASE_DATE}"$', text, re.M), \
        "CITATION.cff date-released differs from graph.RELEASE_DATE: update CITATION.cff"
    assert re.search(r"^license: CC-BY-4.0$", text, re.M)


def test_licences_are_stated():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## How to cite" in readme and "CC BY 4.0" in readme
