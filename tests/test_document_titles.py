"""Every document has a dcterms:title; a title this project devised is bracketed and flagged.

The source join (fact -> citation -> document -> title) is only as complete as the titles are, so
SHACL requires one on every zg:Document. Where no source shows a document's own title, the project
gives a devised title (library practice, RDA 2.3.2.11): a plain description in ［full-width
brackets］, marked zg:titleDevised true so it can never pass for the official title."""

import graph
from tests.conftest import FIXTURES, make_root


def _title_problems(tmp_path):
    root = make_root(tmp_path, FIXTURES / "document-titles.trig")
    problems = graph.validate(graph.load(root)).problems
    return {p.entity: p for p in problems if p.check == "shacl" and p.entity in {
        "doc:untitled", "doc:bracketed-unflagged", "doc:flagged-unbracketed"}}


def test_a_document_without_a_title_is_a_violation_that_says_how_to_fix_it(tmp_path):
    problem = _title_problems(tmp_path)["doc:untitled"]
    assert problem.property == "dcterms:title"
    assert problem.severity == "violation"
    assert "zg:titleDevised" in problem.message and "［" in problem.message
    assert problem.file == "data/document-titles.trig"


def test_the_fixture_breaks_only_the_title_rule(tmp_path):
    root = make_root(tmp_path, FIXTURES / "document-titles.trig")
    problems = graph.validate(graph.load(root)).problems
    assert sorted((p.check, p.entity) for p in problems) == [
        ("shacl", "doc:bracketed-unflagged"), ("shacl", "doc:flagged-unbracketed"), ("shacl", "doc:untitled")]


def test_bracketed_titles_and_the_devised_flag_go_together(tmp_path):
    problems = _title_problems(tmp_path)
    # a devised-looking title that is not flagged, and a flag on a title that looks official
    assert {"doc:bracketed-unflagged", "doc:flagged-unbracketed"} <= set(problems)
    for entity in ("doc:bracketed-unflagged", "doc:flagged-unbracketed"):
        assert "zg:titleDevised" in problems[entity].message


def test_a_flagged_bracketed_title_is_valid(mini):
    # the mini fixture's reply is known only by reference and carries a devised title
    titles = graph.query(mini, "SELECT ?t ?f WHERE { doc:fixture-reply dcterms:title ?t ; zg:titleDevised ?f }")
    assert [(t.value, f.value) for t, f in titles.rows] == [("［测试复函（2020年12月9日）］", "true")]
    assert graph.validate(mini).problems == []
