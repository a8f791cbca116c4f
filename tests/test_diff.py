"""`zonegraph diff`: changes in data terms between two releases, with citations and documents."""

from pathlib import Path

from click.testing import CliRunner

from graph.cli import cli
from graph.diff import COLUMNS, diff, load_release, markdown

ROOT = Path(__file__).resolve().parents[1]
HEAD = """<https://w3id.org/zonegraph/id/cite/a> <https://w3id.org/zonegraph/def/document> <https://w3id.org/zonegraph/id/doc/d1> <https://w3id.org/zonegraph/id/graph/sources> .
<https://w3id.org/zonegraph/id/cite/a> <https://w3id.org/zonegraph/def/locator> "§1" <https://w3id.org/zonegraph/id/graph/sources> .
<https://w3id.org/zonegraph/id/cite/b> <https://w3id.org/zonegraph/def/document> <https://w3id.org/zonegraph/id/doc/d2> <https://w3id.org/zonegraph/id/graph/sources> .
<https://w3id.org/zonegraph/id/cite/b> <https://w3id.org/zonegraph/def/locator> "§2" <https://w3id.org/zonegraph/id/graph/sources> .
"""
Z = "<https://w3id.org/zonegraph/id/zone/z>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/zonegraph/def/DemonstrationZone>"
LABEL = '<http://www.w3.org/2000/01/rdf-schema#label> "测试区"@zh'
DATE = "<https://w3id.org/zonegraph/def/approvalDate>"
A, B = "<https://w3id.org/zonegraph/id/cite/a>", "<https://w3id.org/zonegraph/id/cite/b>"


def _release(folder: Path, lines: list[str]) -> Path:
    folder.mkdir()
    (folder / "zonegraph.nq").write_text(HEAD + "".join(f"{line} .\n" for line in lines), encoding="utf-8")
    return folder


def test_entities_and_facts_added_removed_changed_with_sources(tmp_path):
    old = _release(tmp_path / "old", [f"{Z} {TYPE} {A}", f"{Z} {LABEL} {A}", f'{Z} {DATE} "2012" {A}',
                                      f"<https://w3id.org/zonegraph/id/zone/gone> {TYPE} {A}"])
    new = _release(tmp_path / "new", [f"{Z} {TYPE} {A}", f"{Z} {LABEL} {B}", f'{Z} {DATE} "2013" {B}',
                                      f"<https://w3id.org/zonegraph/id/zone/new> {TYPE} {B}"])
    rows = [dict(zip(COLUMNS, r)) for r in diff(load_release(str(old)), load_release(str(new)))]
    kinds = {(r["entity"], r["change"], r["property"]) for r in rows}
    assert ("zone:new", "entity added", "rdf:type") in kinds
    assert ("zone:gone", "entity removed", "rdf:type") in kinds
    (changed,) = [r for r in rows if r["change"] == "fact changed"]
    assert (changed["entity"], changed["label"], changed["property"]) == ("zone:z", "测试区", "zg:approvalDate")
    assert (changed["old"], changed["new"]) == ('"2012"', '"2013"')
    assert changed["citations"] == "cite:b" and changed["documents"] == "doc:d2 §2"
    (recited,) = [r for r in rows if r["change"] == "citations changed"]
    assert recited["property"] == "rdfs:label" and recited["documents"] == "doc:d2 §2"
    assert "doc:d1 §1" in recited["old"]
    md = markdown(diff(load_release(str(old)), load_release(str(new))), "old", "new")
    assert "| fact changed | 1 |" in md and '"2012" → "2013"' in md


def test_identical_releases_have_no_changes(tmp_path):
    old = _release(tmp_path / "old", [f"{Z} {TYPE} {A}"])
    new = _release(tmp_path / "new", [f"{Z} {TYPE} {A}"])
    assert diff(load_release(str(old)), load_release(str(new))) == []


def test_git_revisions_of_the_real_history():
    # ad8234f is the previous release; since then the sources gained the askci.com page and its publisher.
    rows = [dict(zip(COLUMNS, r)) for r in diff(load_release("ad8234f", ROOT), load_release(str(ROOT), ROOT))]
    added = {r["entity"] for r in rows if r["change"] == "entity added"}
    assert {"agent:site-askci", "doc:askci-2021-04-21-liaoning-14th-fyp"} <= added
    alt = [r for r in rows if r["entity"] == "agent:miit" and r["property"] == "skos:altLabel"]
    assert alt and alt[0]["new"] == '"工信部"@zh' and alt[0]["documents"].startswith("doc:teniang-2011-11-15-directory")


def test_cli_errors_on_an_unknown_release(tmp_path):
    result = CliRunner().invoke(cli, ["diff", "no-such-revision", str(tmp_path)])
    assert result.exit_code == 2 and "no-such-revision" in result.output and "Traceback" not in result.output


def test_committed_changelog_is_fresh():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    title = text.splitlines()[0].removeprefix("# ")
    rows = diff(load_release("ad8234f", ROOT), load_release(str(ROOT), ROOT))
    fix = f'zonegraph diff ad8234f . --title "{title}" -o CHANGELOG.md'
    assert text == markdown(rows, "ad8234f", ".", title), f"CHANGELOG.md is stale: run `{fix}`"
    assert "agent:site-askci" in text


def test_cli_writes_markdown_and_tsv(tmp_path):
    runner = CliRunner()
    old = _release(tmp_path / "old", [f"{Z} {TYPE} {A}"])
    new = _release(tmp_path / "new", [f"{Z} {TYPE} {A}", f'{Z} {DATE} "2013" {B}'])
    result = runner.invoke(cli, ["diff", str(old), str(new), "-F", "tsv"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split("\t") == COLUMNS
    assert lines[1].split("\t") == ["zone:z", "", "fact added", "zg:approvalDate", "", '"2013"', "cite:b", "doc:d2 §2"]
    out = tmp_path / "CHANGES.md"
    result = runner.invoke(cli, ["diff", str(old), str(new), "--title", "T", "-o", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("# T\n")
