"""Safe builds and hostile data (issue 10): every case the issue lists, each a test that failed on the
code before the fix, then property-based fuzzing of labels, dates and IRIs through validate and build.
Hostile input must end in a report or one clean error (a ZonegraphError, exit 1 or 2), never a
traceback."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import graph
from graph import loading
from graph.build import MARKER, NotAnExportFolder, OutputNotWritable, build
from graph.errors import DataSyntaxError, ValidationFailed, ZonegraphError
from graph.validate import MAX_LABEL, validate
from tests.conftest import FIXTURES, REPO, make_root

PREFIXES = (FIXTURES / "broken" / "impossible-date.trig").read_text(encoding="utf-8").split("\n\n")[0] + "\n\n"


def add_data(root: Path, name: str, body: str, prefixes: bool = True) -> Path:
    path = root / "data" / name
    path.write_text((PREFIXES if prefixes else "") + body, encoding="utf-8")
    return path


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ----------------------------------------------------------------------------- 2. safe builds

def test_build_with_root_writes_into_that_roots_exports(tmp_path, run, monkeypatch):
    """`cd A && zonegraph --root B build` used to write into A/exports."""
    here = make_root(tmp_path / "here")
    other = make_root(tmp_path / "other")
    monkeypatch.chdir(here)
    result = run("build", root=other)
    assert result.exit_code == 0, result.stderr
    assert (other / "exports" / "zonegraph.nt").is_file()
    assert not (here / "exports").exists()


def test_library_build_defaults_to_the_roots_exports(tmp_path, monkeypatch, mini, mini_root):
    monkeypatch.chdir(tmp_path)
    result = graph.build(mini)
    assert result.out == mini_root / "exports" and (result.out / MARKER).is_file()


def test_build_refuses_to_replace_a_folder_that_is_not_an_export(tmp_path, run, mini_root):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_bytes(b"years of work")
    result = run("build", "--out", home, root=mini_root)
    assert result.exit_code == 2
    assert "not a previous zonegraph export" in result.stderr and "Traceback" not in result.stderr
    assert tree(home) == {"thesis.docx": b"years of work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "root"]


def test_build_replaces_a_previous_export_and_an_empty_folder(tmp_path, mini):
    empty = tmp_path / "empty"
    empty.mkdir()
    graph.build(mini, empty)
    assert (empty / MARKER).is_file() and (empty / "site" / "index.html").is_file()
    graph.build(mini, empty)  # now a previous export: replaced again
    assert (empty / "zonegraph.nt").is_file()


def test_export_written_before_the_marker_is_still_replaced(tmp_path, mini):
    """Exports committed before the marker existed carry a void.ttl describing this dataset."""
    out = tmp_path / "out"
    graph.build(mini, out)
    (out / MARKER).unlink()
    graph.build(mini, out)
    assert (out / MARKER).is_file()


def test_the_committed_exports_carry_the_marker():
    assert (REPO / "exports" / MARKER).is_file(), "run `zonegraph build` and commit exports/"


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_exports_keep_the_users_umask(tmp_path, mini, umask):
    """The build used to leave exports/ at mode 0700 (tempfile.mkdtemp), unreadable by a web server."""
    old = os.umask(umask)
    try:
        out = tmp_path / "out"
        graph.build(mini, out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((out / "site").stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((out / "zonegraph.nt").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((out / "site" / "index.html").stat().st_mode) == 0o666 & ~umask


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_next_build_removes_folders_left_by_killed_builds(tmp_path, mini):
    out = tmp_path / "exports"
    killed = tmp_path / f".exports.building-{_dead_pid()}-0badc0de"  # SIGKILL half-way through
    killed.mkdir()
    (killed / "zonegraph.nt").write_text("half\n", encoding="utf-8")
    legacy = tmp_path / ".exports.k7_x2q9z"  # what older versions (tempfile.mkdtemp) left
    (legacy / "site").mkdir(parents=True)
    running = tmp_path / f".exports.building-{os.getppid()}-00000000"
    running.mkdir()  # a build whose process still runs is left alone
    unrelated = tmp_path / ".exports.notes"
    unrelated.mkdir()
    graph.build(mini, out)
    assert not killed.exists() and not legacy.exists()
    assert running.exists() and unrelated.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".exports.")) == [
        running.name, unrelated.name]


def test_sigterm_during_a_build_leaves_no_temporary_folder(tmp_path, monkeypatch, mini):
    out = tmp_path / "out"
    graph.build(mini, out)
    before = tree(out)
    calls = {"n": 0}
    real = Path.write_text

    def terminated(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            os.kill(os.getpid(), signal.SIGTERM)  # e.g. a CI job cancelled mid-build
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", terminated)
    with pytest.raises(SystemExit) as stopped:
        graph.build(mini, out)
    assert stopped.value.code == 128 + signal.SIGTERM
    monkeypatch.undo()
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "root"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handler restored


def test_unwritable_target_is_one_message_and_exit_2(tmp_path, run, mini_root):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = run("build", "--out", blocker / "exports", root=mini_root)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot write the exports to ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_failure_while_replacing_keeps_the_previous_exports(tmp_path, monkeypatch, mini):
    """A read-only file system or a full disk fails the final rename: one error, old exports kept."""
    out = tmp_path / "out"
    graph.build(mini, out)
    before = tree(out)
    real = os.replace

    def read_only(src, dst):
        if ".building-" in Path(src).name:
            raise OSError(30, "Read-only file system", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(OutputNotWritable) as err:
        graph.build(mini, out)
    monkeypatch.undo()
    assert "Read-only file system" in str(err.value) and "previous exports there are untouched" in str(err.value)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "root"]


def test_viz_to_an_unwritable_path_is_one_message(tmp_path, run, mini_root):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = run("viz", "-o", blocker / "view.html", root=mini_root)
    assert result.exit_code == 2 and result.stderr.startswith("Error: cannot write ")
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permission bits")
def test_read_only_out_is_refused(tmp_path, run, mini, mini_root):
    out = tmp_path / "out"
    graph.build(mini, out)
    out.chmod(0o555)
    try:
        result = run("build", "--out", out, root=mini_root)
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2 and "cannot write the exports" in result.stderr


def test_folder_without_write_permission_is_refused_before_any_work(tmp_path, monkeypatch, mini):
    """What a non-root user sees for a chmod 555 --out (root bypasses permission bits, hence the patch)."""
    out = tmp_path / "out"
    graph.build(mini, out)
    before = tree(out)
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == out else real(path, mode))
    monkeypatch.setattr(sys.modules["graph.build"], "validate", lambda *a, **k: pytest.fail("validated first"))
    with pytest.raises(OutputNotWritable) as err:
        graph.build(mini, out)
    assert f"({out})" in str(err.value) and "Permission denied" in str(err.value)
    assert tree(out) == before


def _tty_run(args, cwd):
    """Run the CLI with stderr on a pseudo-terminal (as in an interactive shell); return stderr."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "graph", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=slave, env={**os.environ, "PYTHONPATH": str(REPO)})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait()
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_long_commands_print_stages_on_a_terminal_and_nothing_in_a_pipe(tmp_path, mini_root):
    code, err = _tty_run(["--root", mini_root, "build", "--out", tmp_path / "out"], tmp_path)
    assert code == 0, err
    for stage in ("loading 1 data file from", "running the SHACL shapes", "wrote the site:", "created "):
        assert stage in err, err
    assert re.search(r"wrote \d+ export files", err), err
    code, err = _tty_run(["--root", mini_root, "validate"], tmp_path)
    assert code == 0 and "checked 92 fact statements: 0 problem(s)" in err, err
    piped = subprocess.run([sys.executable, "-m", "graph", "--root", str(mini_root), "validate"],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert piped.returncode == 0
    assert piped.stderr.strip().splitlines() == [
        "0 problem(s), 0 warning(s); citation coverage 92/92 fact statements (100.00%)."]


def test_bench_reports_progress_to_a_callback(mini, monkeypatch):
    import graph.bench
    from graph.queries import named_queries

    one = {name: q for name, q in named_queries().items() if name == "zones"}  # runs on the mini graph
    monkeypatch.setattr(graph.bench, "named_queries", lambda: one)
    lines = []
    graph.bench.run(mini, repeat=1, progress=lines.append)
    assert lines[0].startswith("loading ") and any(line.startswith("query 1/") for line in lines)


# ----------------------------------------------------------------------------- 3. hostile data

def test_empty_data_folder_fails_validation_and_build(tmp_path, run):
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "ontology.ttl", root)
    result = run("validate", "-F", "csv", root=root)
    assert result.exit_code == 1 and result.stdout.startswith("check,") and "\nempty-graph,data/," in result.stdout
    result = run("build", "--out", tmp_path / "out", root=root)
    assert result.exit_code == 1 and "build refused" in result.stderr
    assert not (tmp_path / "out").exists()


def test_impossible_dates_are_one_row_each_without_a_traceback(tmp_path, run, mini_root, caplog):
    add_data(mini_root, "dates.trig", 'cite:fixture--s1 { zone:testzone zg:approvalDate '
                                      '"2023-02-30"^^xsd:date , "2020/12/09"^^xsd:date . }\n')
    result = run("validate", "-F", "tsv", root=mini_root)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr + result.stdout
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert sorted((r[0], r[1], r[3], r[4]) for r in rows) == [
        ("impossible-date", "zone:testzone", "2020/12/09", "data/dates.trig"),
        ("impossible-date", "zone:testzone", "2023-02-30", "data/dates.trig")]
    built = run("build", "--out", mini_root / "out", root=mini_root)
    assert built.exit_code == 1 and "Traceback" not in built.stderr
    no_logged_tracebacks(caplog)


def test_real_plan_targets_are_not_future_or_after_source_problems(kg):
    """Seed 004 (2023) states targets for 2025: zg:refPeriod of an observation, outside the rule."""
    problems = [p for p in validate(kg, shacl=False).problems if p.check in ("future-date", "date-after-source")]
    assert problems == []
    rows = kg.select('SELECT ?o WHERE { ?o zg:refPeriod ?y FILTER(STR(?y) = "2025") } LIMIT 1').rows
    assert rows, "the real data has a 2025 target; the test would prove nothing without it"


def test_future_date_compares_with_the_given_today(tmp_path):
    import datetime as dt

    root = make_root(tmp_path)
    add_data(root, "soon.trig", 'cite:fixture--s1 { mem:testzone--211300 zg:startDate "2030-05"^^xsd:gYearMonth . }\n')
    kg = graph.load(root)
    checks = lambda today: {p.check for p in validate(kg, shacl=False, today=today).problems}  # noqa: E731
    assert "future-date" in checks(dt.date(2030, 4, 30))
    assert "future-date" not in checks(dt.date(2030, 5, 1))


def test_overlong_label_is_rejected_before_the_slow_checks(tmp_path, monkeypatch, run):
    """A 5 MB label made validate take 30 s, search 97 s and build 111 s. The length check finds it
    with len() alone, and no later check reads it (shown here: SHACL and SPARQL checks never run)."""
    v = sys.modules["graph.validate"]  # (graph.validate is also the name of the function)

    root = make_root(tmp_path)
    label = "长" * (5 * 1024 * 1024 // 3)
    add_data(root, "big.trig", f'cite:fixture--s1 {{ zone:testzone rdfs:label "{label}"@zh . }}\n')

    def must_not_run(*args, **kwargs):
        raise AssertionError("a slow check ran over the 5 MB label")

    monkeypatch.setattr(v, "run_shacl", must_not_run)
    monkeypatch.setattr(v, "run_sparql_checks", must_not_run)
    report = graph.validate(graph.load(root))
    assert [(p.check, p.entity, p.property, p.file) for p in report.problems] == [
        ("overlong-value", "zone:testzone", "rdfs:label", "data/big.trig")]
    assert report.problems[0].value.endswith(f"… ({len(label):,} characters)") and len(report.problems[0].value) < 160
    assert f"limit for a label is {MAX_LABEL}" in report.problems[0].message
    assert report.skipped
    monkeypatch.undo()
    result = run("build", "--out", tmp_path / "out", root=root)
    assert result.exit_code == 1 and "build refused" in result.stderr


def test_real_values_are_well_under_the_limits(kg):
    from graph.validate import check_lengths

    assert check_lengths(kg) == []


def test_overlong_iri_is_reported(tmp_path):
    root = make_root(tmp_path)
    add_data(root, "iri.trig", f'cite:fixture--s1 {{ zone:testzone zg:targetIndustry ind:{"x" * 3000} . }}\n')
    problems = graph.validate(graph.load(root)).problems
    assert [(p.check, p.entity, p.file) for p in problems] == [("overlong-value", "zone:testzone", "data/iri.trig")]


def test_non_utf8_file_is_named_with_its_likely_encoding(tmp_path, run):
    root = make_root(tmp_path)
    text = (FIXTURES / "mini" / "data" / "mini.trig").read_text(encoding="utf-8")
    (root / "data" / "mini.trig").write_bytes(text.encode("gb18030"))
    result = run("validate", root=root)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if any(ord(c) > 127 for c in ln))
    assert result.stderr.startswith(f"Error: data/mini.trig:{line}:")
    assert "not UTF-8" in result.stderr and "most likely saved as GB18030/GBK" in result.stderr
    assert "iconv -f GB18030 -t UTF-8 data/mini.trig" in result.stderr


def test_big5_file_is_named_as_big5(tmp_path):
    root = make_root(tmp_path)
    add_data(root, "big5.trig", "", prefixes=False)
    body = PREFIXES + 'cite:fixture--s1 { zone:testzone skos:altLabel "臺灣產業轉移示範區測試"@zh . }\n'
    (root / "data" / "big5.trig").write_bytes(body.encode("big5"))
    with pytest.raises(loading.DataEncodingError) as err:
        graph.load(root)
    assert err.value.likely[0] == "Big5" and err.value.path == "data/big5.trig"


def test_utf8_bom_is_accepted(tmp_path):
    root = make_root(tmp_path)
    path = root / "data" / "mini.trig"
    path.write_bytes(loading.BOM + path.read_bytes())
    report = graph.validate(graph.load(root))
    assert report.conforms and report.problems == []


def test_undefined_prefix_names_it_and_lists_the_declared_ones(tmp_path, run):
    root = make_root(tmp_path)
    add_data(root, "prefix.trig", "@prefix zg: <https://w3id.org/zonegraph/def/> .\n"
                                  "@prefix cite: <https://w3id.org/zonegraph/id/cite/> .\n"
                                  "@prefix zone: <https://w3id.org/zonegraph/id/zone/> .\n\n"
                                  "cite:fixture--s1 { zone:testzone zg:province region:210000 . }\n", prefixes=False)
    result = run("validate", root=root)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: data/prefix.trig:5:")
    assert "prefix region: is used but not declared in this file (declared: cite:, zg:, zone:)" in result.stderr
    assert "@prefix region: <https://w3id.org/zonegraph/id/region/> ." in result.stderr


def test_undefined_entity_names_the_file_that_mentions_it(tmp_path):
    """mini.trig describes zone:testzone too, but only other.trig mentions agent:nobody."""
    root = make_root(tmp_path)
    add_data(root, "other.trig", "cite:fixture--s2 { zone:testzone zg:approvedBy agent:nobody . }\n")
    hits = [p for p in graph.validate(graph.load(root)).problems if p.check == "undefined-entity"]
    assert [(p.entity, p.value, p.file) for p in hits] == [("agent:nobody", "zone:testzone", "data/other.trig")]


@pytest.mark.parametrize("name, severity", [("zones.ttl", "violation"), ("zone.trig.bak", "violation"),
                                            ("ZONE.TRIG", "violation"), ("notes.txt", "warning")])
def test_stray_file_in_data_is_reported(tmp_path, name, severity):
    root = make_root(tmp_path)
    (root / "data" / "sub").mkdir()
    (root / "data" / "sub" / name).write_text("zone:x a zg:DemonstrationZone .\n", encoding="utf-8")
    (root / "data" / "README.md").write_text("docs\n", encoding="utf-8")
    (root / "data" / ".gitkeep").write_text("", encoding="utf-8")
    report = graph.validate(graph.load(root))
    found = [p for p in report.problems + report.warnings if p.check == "stray-file"]
    assert [(p.entity, p.severity) for p in found] == [(f"data/sub/{name}", severity)]
    assert report.conforms == (severity == "warning")


def test_real_data_folder_has_no_stray_files(kg):
    from graph.paths import stray_files

    assert stray_files(kg.root) == []


# ----------------------------------------------------------------------------- links in HTML

UNSAFE = ("javascript:", "data:", "file:")


def _hrefs(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    return [a.get("href", "") for a in soup.find_all(href=True)]


def _unsafe(hrefs) -> list[str]:
    return [h for h in hrefs if h.strip().lower().startswith(UNSAFE) or h.lower().lstrip().startswith(" ")]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The hostile-links fixture built without validation (validate rejects it): what the HTML
    writers do when bad links reach them anyway."""
    tmp = tmp_path_factory.mktemp("links")
    root = make_root(tmp, FIXTURES / "hostile-links.trig")
    kg = graph.load(root)
    out = tmp / "out"
    build(kg, out, check=False)
    return kg, root, out


def test_hostile_links_fail_validation(hostile_site):
    kg, _, _ = hostile_site
    hits = sorted((p.entity, p.value) for p in graph.validate(kg).problems if p.check == "unsafe-iri")
    assert hits == [("doc:link-data", "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg=="),
                    ("doc:link-file", "file:///etc/passwd"), ("doc:link-js", "javascript:window.__xss=1"),
                    ("doc:link-js-case", "JaVaScRiPt:window.__xss=1"),
                    ("doc:link-literal", " javascript:window.__xss=1")]
    with pytest.raises(ValidationFailed):
        graph.build(kg, hostile_site[2].parent / "refused")


def test_site_pages_link_only_http_and_relative_urls(hostile_site):
    _, _, out = hostile_site
    pages = sorted((out / "site").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert _unsafe(_hrefs(html)) == [], page
    doc_page = (out / "site" / "e" / "doc" / "link-js.html").read_text(encoding="utf-8")
    assert "javascript:window.__xss=1" in doc_page  # shown as text, not as a link
    view = (out / "site" / "views" / "zone-testzone.html").read_text(encoding="utf-8")
    assert '"url":"javascript:' not in view and '"url":"data:' not in view and '"url":"file:' not in view


def test_trace_html_links_only_http_urls(hostile_site, run):
    _, root, _ = hostile_site
    result = run("trace", "--from", "macro:jingjinji", "--to", "zone:testzone", "-F", "html", root=root)
    assert result.exit_code == 0, result.stderr
    assert "脚本链接" in result.stdout  # the hop's evidence is listed …
    assert _unsafe(_hrefs(result.stdout)) == []  # … but none of its hostile URLs is a link
    assert all(h.startswith(("http://", "https://")) for h in _hrefs(result.stdout))


def test_viz_links_only_http_urls(hostile_site, tmp_path):
    from graph.viz import write_view

    kg, _, _ = hostile_site
    path = write_view(kg, tmp_path / "v.html", "zone", "zone:testzone")
    html = path.read_text(encoding="utf-8")
    assert _unsafe(_hrefs(html)) == []
    for scheme in UNSAFE:
        assert f'"url":"{scheme}' not in html.lower()


@pytest.mark.parametrize("url, safe", [
    ("https://www.ndrc.gov.cn/x.html", True), ("http://a.b/c?d=1#e", True), ("../../e/doc/x.html#loc-1", True),
    ("views/overview.html", True), ("#loc-abc", True), ("javascript:alert(9)", False), ("JAVASCRIPT:alert(9)", False),
    (" javascript:alert(9)", False), ("java\tscript:alert(9)", False), ("data:text/html,x", False),
    ("file:///etc/passwd", False), ("//evil.example/x", False), ("\\\\evil\\x", False), ("vbscript:x", False),
    ("", False), (None, False)])
def test_safe_href(url, safe):
    from graph.viz import safe_href

    assert (safe_href(url) is not None and safe_href(url) == url) is safe


CHROMIUM = os.environ.get("ZONEGRAPH_CHROMIUM", "/usr/bin/chromium")

# Run in a child process: test_browser.py keeps a Playwright session open for the whole run, and a
# second sync session cannot start in the same process.
_DOM_SCRIPT = r"""
import json, sys
from playwright.sync_api import sync_playwright
chromium, paths = sys.argv[1], json.loads(sys.argv[2])
out = []
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=["--headless=new", "--no-sandbox", "--disable-gpu"])
    for path in paths:
        page = browser.new_page()
        page.goto("file://" + path)
        page.wait_for_load_state("load")
        details = None
        if page.evaluate("!!document.getElementById('network')"):
            page.wait_for_function("document.body.hasAttribute('data-drawn')", timeout=15000)
            page.evaluate("window.zgNetwork.selectNodes(['zone:testzone'])")
            page.evaluate("window.zgNetwork.emit('click', {nodes: ['zone:testzone'], edges: []})")
            details = page.locator("#details").inner_text()
        hrefs = page.evaluate("[...document.querySelectorAll('[href]')].map(e => e.getAttribute('href'))")
        out.append({"hrefs": hrefs, "xss": page.evaluate("window.__xss === undefined ? null : window.__xss"),
                    "details": details})
        page.close()
    browser.close()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (sh .ci/browser installs it)")
    return CHROMIUM


def dom_hrefs(chromium: str, paths: list[Path]) -> list[list[str]]:
    """Open each page in Chromium; on a network view, click the test zone so its details panel lists
    every hop's sources with their URLs. Returns the hrefs in each DOM; fails if any payload ran."""
    import json

    done = subprocess.run([sys.executable, "-c", _DOM_SCRIPT, chromium, json.dumps([str(p) for p in paths])],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    for path, r in zip(paths, results):
        assert r["xss"] is None, path
        if r["details"] is not None:  # the panel lists the hop's hostile sources: the check is not vacuous
            assert "脚本链接" in r["details"], (path, r["details"][:300])
    return [r["hrefs"] for r in results]


def test_no_javascript_href_in_the_dom(hostile_site, tmp_path, chromium):
    """In Chromium: no element of any page carries a javascript:, data: or file: link."""
    from graph import tracing

    kg, root, out = hostile_site
    trace_html = tmp_path / "trace.html"
    trace_html.write_text(tracing.as_html(kg, graph.trace(kg, "macro:jingjinji", "zone:testzone")), encoding="utf-8")
    pages = [out / "site" / "e" / "doc" / "link-js.html", out / "site" / "e" / "doc" / "link-literal.html",
             out / "site" / "e" / "zone" / "testzone.html", out / "site" / "views" / "zone-testzone.html", trace_html]
    for path, hrefs in zip(pages, dom_hrefs(chromium, pages)):
        assert _unsafe(hrefs) == [], (path, _unsafe(hrefs))


def test_site_js_refuses_unsafe_urls_on_its_own(hostile_site, tmp_path, monkeypatch, chromium):
    """The page's script checks links again: with Python's filter switched off, the raw hostile
    URLs reach the page's JSON, and still none becomes a link (a leading space used to slip through)."""
    viz = sys.modules["graph.viz"]
    kg, _, _ = hostile_site
    monkeypatch.setattr(viz, "safe_href", lambda url: url)
    html = viz.render_view(kg, viz.neighbourhood(kg, "zone:testzone", 1), "raw", "#", assets="assets/")
    assert '"url":" javascript:window.__xss=1"' in html
    viz.copy_assets(tmp_path)
    (tmp_path / "raw.html").write_text(html, encoding="utf-8")
    [hrefs] = dom_hrefs(chromium, [tmp_path / "raw.html"])
    assert _unsafe(hrefs) == [], _unsafe(hrefs)


# ----------------------------------------------------------------------------- 5. fuzzing

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _turtle_string(text: str) -> str:
    """A Turtle string literal for any text (what a careful editor would write)."""
    import pyoxigraph as ox

    return str(ox.Literal(text))


def no_logged_tracebacks(caplog) -> None:
    """Under pytest, log records do not reach stderr: a library that logs a traceback (rdflib does,
    for each literal it cannot convert) shows up here instead."""
    logged = [r.getMessage()[:200] for r in caplog.records if r.exc_info]
    caplog.clear()
    assert logged == []


def _clean_outcome(root: Path, shacl: bool = False):
    """Load and validate: a report, or one ZonegraphError (then None). Anything else fails the test."""
    try:
        kg = graph.load(root)
    except ZonegraphError as err:
        assert str(err) and "Traceback" not in str(err)
        return None
    report = validate(kg, shacl=shacl)
    for p in report.problems + report.warnings:
        assert p.check and p.message
        assert len(p.value) < 200  # never the whole hostile value
    return report


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory):
    return make_root(tmp_path_factory.mktemp("fuzz"))


@FUZZ
@given(label=st.text(min_size=0, max_size=600))
@example(label="长" * (MAX_LABEL + 1))
@example(label='"\\\n<script>\u0000\ufeff\U0001F600')
def test_fuzz_labels(fuzz_root, caplog, label):
    literal = _turtle_string(label)
    add_data(fuzz_root, "fuzz.trig", f"cite:fixture--s1 {{ zone:testzone skos:altLabel {literal}@zh . }}\n")
    report = _clean_outcome(fuzz_root, shacl=True)
    no_logged_tracebacks(caplog)
    assert report is not None  # a correctly escaped label always loads
    assert any(p.check == "overlong-value" for p in report.problems) == (len(label) > MAX_LABEL)


@FUZZ
@given(raw=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_fuzz_raw_label_syntax(fuzz_root, raw):
    """Unescaped text between the quotes: may not even parse, which must be a clean syntax error."""
    add_data(fuzz_root, "fuzz.trig", f'cite:fixture--s1 {{ zone:testzone skos:altLabel "{raw}"@zh . }}\n')
    _clean_outcome(fuzz_root)


DATE_TYPES = st.sampled_from(["xsd:date", "xsd:gYearMonth", "xsd:gYear"])
DATE_TEXT = st.one_of(
    st.text(max_size=30),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(-50, 99999), st.integers(0, 13)),
    st.dates().map(lambda d: d.isoformat()), st.dates().map(lambda d: d.strftime("%Y/%m/%d")))


@FUZZ
@example(value="2023-02-30", datatype="xsd:date", prop="zg:approvalDate")
@example(value="2020/12/09", datatype="xsd:date", prop="dcterms:issued")
@given(value=DATE_TEXT, datatype=DATE_TYPES,
       prop=st.sampled_from(["zg:approvalDate", "zg:startDate", "zg:endDate", "zg:refPeriod", "dcterms:issued"]))
def test_fuzz_dates(fuzz_root, caplog, value, datatype, prop):
    subject = {"dcterms:issued": "doc:fixture-reply", "zg:refPeriod": "obs:test-projects",
               "zg:approvalDate": "zone:testzone"}.get(prop, "mem:testzone--211300")
    add_data(fuzz_root, "fuzz.trig", f"cite:fixture--s2 {{ {subject} {prop} {_turtle_string(value)}^^{datatype} . }}\n")
    _clean_outcome(fuzz_root, shacl=True)
    no_logged_tracebacks(caplog)


BASE = "https://w3id.org/zonegraph/id/"
IRI_TEXT = st.one_of(
    st.text(max_size=60),
    st.builds(lambda s, rest: f"{s}:{rest}", st.sampled_from(["javascript", "JavaScript", "data", "file", "http",
                                                              "https", "vbscript", "ftp", "mailto", ""]),
              st.text(max_size=40)))


@FUZZ
@example(iri="javascript:alert(9)")
@example(iri="file:///etc/passwd")
@given(iri=IRI_TEXT)
def test_fuzz_iris(fuzz_root, iri):
    add_data(fuzz_root, "fuzz.trig", f"zgg:sources {{ doc:fixture foaf:page <{iri}> . }}\n")
    report = _clean_outcome(fuzz_root)
    if report is not None:  # it parsed; a relative IRI resolves against the project's (https) base
        import pyoxigraph as ox

        triple = f"<{BASE}x> <{BASE}y> <{iri}> .".encode("utf-8")
        page = next(iter(ox.parse(triple, format=ox.RdfFormat.TURTLE, base_iri=BASE))).object.value
        flagged = any(p.check == "unsafe-iri" for p in report.problems)
        assert flagged == (not page.lower().startswith(("http://", "https://"))), (iri, page)


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(label=st.text(min_size=1, max_size=80), iri=IRI_TEXT, date=DATE_TEXT)
def test_fuzz_cli_build_never_prints_a_traceback(fuzz_root, run, caplog, label, iri, date):
    add_data(fuzz_root, "fuzz.trig",
             f"cite:fixture--s1 {{ zone:testzone skos:altLabel {_turtle_string(label)}@zh ; "
             f"zg:approvalDate {_turtle_string(date)}^^xsd:date . }}\n"
             f"zgg:sources {{ doc:fixture foaf:page <{iri}> . }}\n")
    out = fuzz_root / "out"
    result = run("build", "--out", out, root=fuzz_root)
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.stdout + result.stderr
    no_logged_tracebacks(caplog)
    if result.exit_code == 0:
        for page in (out / "site").rglob("*.html"):
            assert _unsafe(_hrefs(page.read_text(encoding="utf-8"))) == [], page


def test_errors_in_this_module_are_zonegraph_errors():
    for cls in (NotAnExportFolder, OutputNotWritable, loading.DataEncodingError, DataSyntaxError):
        assert issubclass(cls, ZonegraphError) and cls.exit_code == 2


@pytest.mark.parametrize("args", [
    ["trace", "--from", "京津冀", "--to", "朝阳市", "-F", "csv", "-o"],
    ["analyze", "-F", "csv", "--csv"],
    ["diff", "ad8234f", ".", "-o"],
])
def test_unwritable_output_of_any_command_is_one_message(run, tmp_path, args):
    """trace -o, analyze --csv and diff -o into a path through a file: exit 2, no traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = run(*args, blocker / "out" / "x.csv")
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
