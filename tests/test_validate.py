"""Every check catches its own broken fixture, names the file, and the real data is clean."""

import csv
import io

import pytest

import graph
from graph.errors import DataSyntaxError
from graph.queries import CHECK_DIR
from tests.conftest import BROKEN, make_root

# Checks in Python with a broken fixture that adds to the mini graph; empty-graph and stray-file
# are about the data folder itself and are tested in test_hostile.py.
PY_CHECKS = ["impossible-date", "shacl", "date-after-source", "future-date", "unsafe-iri", "overlong-value"]
CHECKS = sorted([p.stem for p in CHECK_DIR.glob("*.rq")] + PY_CHECKS)


def test_mini_fixture_is_clean(mini):
    report = graph.validate(mini)
    assert report.problems == []
    assert report.conforms and report.coverage == 1.0


def test_every_check_has_a_broken_fixture():
    assert sorted(p.stem for p in BROKEN.glob("*.trig")) == CHECKS


@pytest.mark.parametrize("check", CHECKS)
def test_check_reports_its_broken_fixture(tmp_path, check):
    root = make_root(tmp_path, BROKEN / f"{check}.trig")
    report = graph.validate(graph.load(root))
    hits = [p for p in report.problems if p.check == check]
    assert hits, f"{check} found nothing; problems were: {report.problems}"
    assert not report.conforms
    for p in hits:
        assert p.entity, p
        assert p.message, p
    # The problem names the data file the offending statement comes from.
    assert any(f"data/{check}.trig" in p.file for p in hits), hits


def test_uncited_statement_lowers_coverage(tmp_path):
    report = graph.validate(graph.load(make_root(tmp_path, BROKEN / "uncited-statement.trig")))
    assert report.coverage < 1.0
    assert report.fact_statements - report.cited_statements == 1


def test_specific_problems_are_named(tmp_path):
    root = make_root(tmp_path, BROKEN / "unknown-region.trig", BROKEN / "impossible-date.trig",
                     BROKEN / "undefined-entity.trig", BROKEN / "missing-label.trig")
    problems = graph.validate(graph.load(root)).problems
    found = {(p.check, p.entity, p.property, p.value) for p in problems}
    assert ("unknown-region", "region:999999", "zg:member", "mem:testzone--999999") in found
    assert ("impossible-date", "doc:fixture-reply", "dcterms:issued", "2021-02-30") in found
    assert ("undefined-entity", "agent:nobody", "zg:approvedBy", "zone:testzone") in found
    assert ("missing-label", "ind:nolabel", "rdfs:label", "en") in found
    files = {p.check: p.file for p in problems}
    assert files["unknown-region"] == "data/unknown-region.trig"
    assert files["impossible-date"] == "data/impossible-date.trig"  # not mini.trig, which also describes it
    assert files["undefined-entity"] == "data/undefined-entity.trig"


def test_malformed_trig_names_file_line_and_column(tmp_path):
    root = make_root(tmp_path, BROKEN / "malformed.trig.txt")
    with pytest.raises(DataSyntaxError) as err:
        graph.load(root)
    assert err.value.path == "data/malformed.trig"
    assert err.value.line == 6
    assert err.value.column is not None
    assert str(err.value).startswith("data/malformed.trig:6:")


def test_real_data_validates_with_full_citation_coverage(kg):
    report = graph.validate(kg)
    assert report.problems == [], "\n".join(map(str, report.problems[:20]))
    assert report.fact_statements > 1000
    assert report.coverage == 1.0


def test_cli_exit_codes(run, tmp_path):
    assert run("validate").exit_code == 0
    bad = run("validate", "-F", "tsv", root=make_root(tmp_path, BROKEN / "shacl.trig"))
    assert bad.exit_code == 1
    assert "mem:testzone--nostart" in bad.stdout
    assert "data/shacl.trig" in bad.stdout
    assert "citation coverage" in bad.stderr


def test_cli_malformed_data_exits_2_without_traceback(run, tmp_path):
    result = run("validate", root=make_root(tmp_path / "m", BROKEN / "malformed.trig.txt"))
    assert result.exit_code == 2
    assert "data/malformed.trig:6:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_warnings_are_reported_but_do_not_fail(tmp_path, run):
    from tests.conftest import FIXTURES

    root = make_root(tmp_path, FIXTURES / "warning-project.trig")
    report = graph.validate(graph.load(root))
    assert report.conforms and report.problems == []
    assert [(w.entity, w.property) for w in report.warnings] == [("proj:noindustry", "zg:industry")]
    result = run("validate", "--warnings", "-F", "csv", root=root)
    assert result.exit_code == 0
    assert "proj:noindustry,zg:industry" in result.stdout and result.stdout.rstrip().endswith("warning")
    assert "0 problem(s), 1 warning(s)" in result.stderr


def test_undated_membership_with_a_date_note(tmp_path, run):
    """A member no source dates is valid with a date note, listed by zone-members with an empty
    start, and left out of everything --as-of (nothing says it held that year)."""
    from graph.entities import facts
    from graph.network import to_networkx
    from tests.conftest import FIXTURES

    root = make_root(tmp_path, FIXTURES / "undated-membership.trig")
    kg = graph.load(root)
    assert graph.validate(kg).problems == []
    members = run("query", "-n", "zone-members", "-p", "zone=zone:testzone", "-F", "csv", root=root)
    rows = {r["member"]: r for r in csv.DictReader(io.StringIO(members.stdout))}
    assert rows["region:110000"]["starts"] == ""
    assert rows["region:110000"]["date_notes"].startswith("No source read gives")
    assert rows["region:211300"]["starts"] == "2020-12-09"
    as_of = run("query", "-n", "members-as-of", "--as-of", "2021", "-F", "csv", root=root).stdout
    assert "region:211300" in as_of and "region:110000" not in as_of
    zone = "https://w3id.org/zonegraph/id/zone/testzone"
    assert "mem:testzone--110000" in {row[2] for row in facts(kg, zone)[1]}
    in_2021 = {row[2] for row in facts(kg, zone, as_of=2021)[1]}
    assert "mem:testzone--110000" not in in_2021 and "mem:testzone--211300" in in_2021
    assert to_networkx(kg).has_edge("zone:testzone", "region:110000")
    assert not to_networkx(kg, as_of=2021).has_edge("zone:testzone", "region:110000")
    assert to_networkx(kg, as_of=2021).has_edge("zone:testzone", "region:211300")


@pytest.mark.parametrize("extra", [None, "shacl", "impossible-date"])
def test_shacl_engine_gives_pyshacls_report(tmp_path, kg, extra):
    """pyshacl-turbo (the engine validate uses) reports exactly what pySHACL reports on the project's
    shapes: on the real data (72 warnings today), a fixture breaking shapes, and invalid dates."""
    import importlib

    v = importlib.import_module("graph.validate")
    target = kg if extra is None else graph.load(make_root(tmp_path, BROKEN / f"{extra}.trig"))
    turbo, reference = v.run_shacl(target), v.run_shacl(target, engine="pyshacl")
    assert sorted(turbo) == sorted(reference)
    assert turbo or extra == "impossible-date"


PLAIN_CHECKS = BROKEN.parent / "plain-checks"
REWRITTEN = sorted(p.stem for p in PLAIN_CHECKS.glob("*.rq"))


def _check_rows(kg, text: str, check: str) -> set:
    rows = set(kg.select(text).rows)
    # SAMPLE picks any one statement: only the entity (and for terms, how it is used) is compared
    keep = {"undeclared-graph": 1, "undeclared-term": 2}.get(check, 3)
    return {row[:keep] for row in rows}


@pytest.mark.parametrize("check", REWRITTEN)
def test_rewritten_check_reports_what_its_plain_form_reports(tmp_path, check):
    """The checks that test each term once (graph/checks) report exactly what their plain form,
    one test per statement (tests/fixtures/plain-checks), reports: on a fixture with their edge
    cases (an undeclared class, an entity of two types, an IRI as label, untyped values and
    subjects, blank nodes) and on every broken fixture together."""
    from graph.queries import named_queries
    from tests.conftest import FIXTURES

    fast, plain = named_queries(CHECK_DIR)[check], named_queries(PLAIN_CHECKS)[check]
    edge = graph.load(make_root(tmp_path / "edge", FIXTURES / "rewritten-checks.trig"))
    assert _check_rows(edge, fast.text, check) == _check_rows(edge, plain.text, check)
    assert _check_rows(edge, plain.text, check), f"the fixture has no case for {check}"
    every = graph.load(make_root(tmp_path / "every", *BROKEN.glob("*.trig")))
    assert _check_rows(every, fast.text, check) == _check_rows(every, plain.text, check)


def test_rewritten_checks_name_the_edge_cases(tmp_path):
    from tests.conftest import FIXTURES

    problems = graph.validate(graph.load(make_root(tmp_path, FIXTURES / "rewritten-checks.trig"))).problems
    found = {(p.check, p.entity, p.property, p.value) for p in problems}
    assert ("undeclared-term", "zg:MadeUpClass", "(used as class)", "zone:testzone") in found
    assert ("missing-label", "ind:twotypes", "rdfs:label", "en") in found
    assert ("missing-label", "ind:twotypes", "rdfs:label", "zh") not in found
    assert ("missing-label", "ind:iri-label", "rdfs:label", "zh") not in found
    assert ("undefined-entity", "zone:nowhere", "zg:plan", "zone:testzone") in found
    assert ("unknown-region", "region:888888", "zg:province", "zone:testzone") in found
    assert ("untyped-subject", "zone:untyped", "zg:zone", "zone:testzone") in found
    assert {p.check for p in problems if p.entity == "cite:not-declared"} == {"undeclared-graph"}
    assert sum(p.check == "blank-node" for p in problems) >= 1
    assert {p.file for p in problems if p.check in ("undefined-entity", "unknown-region", "untyped-subject")} \
        == {"data/rewritten-checks.trig"}
