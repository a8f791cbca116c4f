"""The ontology parses, every term is labelled in zh and en and defined, and data uses only its terms."""

import pyoxigraph as ox
import pytest

from graph import ns
from tests.conftest import REPO

DECLARATIONS = ("owl:Class", "owl:ObjectProperty", "owl:DatatypeProperty", "owl:AnnotationProperty")


def _terms(kg):
    table = kg.select(
        "SELECT DISTINCT ?t WHERE { GRAPH zgg:ontology { ?t a ?k } "
        "VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty "
        "zg:DocumentKind zg:ParkLevel zg:ParkType zg:MembershipCoverage zg:ProjectStatus } }")
    return [t.value for (t,) in table.rows]


def test_ontology_parses_and_declares_core_classes(kg):
    terms = {ns.curie(t) for t in _terms(kg)}
    for cls in ("zg:DemonstrationZone", "zg:AdministrativeRegion", "zg:ProvinceLevelRegion",
                "zg:PrefectureLevelRegion", "zg:CountyLevelRegion", "zg:MacroRegion", "zg:DevelopmentZone",
                "zg:Industry", "zg:Document", "zg:Citation", "zg:Agent", "zg:Enterprise",
                "zg:InvestmentProject", "zg:Observation", "zg:Membership", "zg:TransferLink"):
        assert cls in terms, cls


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_term_has_a_label_in_each_language(kg, lang):
    missing = []
    for term in _terms(kg):
        labels = list(kg.store.quads_for_pattern(ox.NamedNode(term), ox.NamedNode(ns.RDFS_LABEL), None,
                                                 ox.NamedNode(ns.ONTOLOGY_GRAPH)))
        if not any(q.object.language == lang for q in labels):
            missing.append(ns.curie(term))
    assert missing == []


def test_every_term_has_a_definition(kg):
    comment = ox.NamedNode(ns.PREFIXES["rdfs"] + "comment")
    missing = [ns.curie(t) for t in _terms(kg)
               if not list(kg.store.quads_for_pattern(ox.NamedNode(t), comment, None))]
    assert missing == []


def test_reused_vocabularies_are_the_standard_ones():
    text = (REPO / "ontology.ttl").read_text(encoding="utf-8")
    for iri in ("http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
                "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/org#",
                "http://www.w3.org/2003/01/geo/wgs84_pos#"):
        assert iri in text


def test_every_property_and_class_used_in_data_is_declared(kg):
    from graph.validate import run_sparql_checks

    undeclared = [p for p in run_sparql_checks(kg) if p.check == "undeclared-term"]
    assert undeclared == [], "\n".join(f"{p.entity} ({p.value}) in {p.file}" for p in undeclared)
