"""`zonegraph query -n NAME` answered by graph.quick (no click, a standby worker) must be the CLI's
answer byte for byte: rows, messages and exit codes. Anything else it must leave untouched."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graph import api, persist
from graph.errors import QueryCrashed
from graph.standby import Standby
from tests.conftest import REPO

QUICK = [sys.executable, "-m", "graph"]  # what `zonegraph` runs (graph.quick:main)
FULL = [sys.executable, "-c", "from graph.cli import main; main()"]  # the click CLI alone
# Runs graph.quick.run in a fresh process and says on stderr what it returned and whether click was imported.
PROBE = [sys.executable, "-c", "import sys; from graph import quick; code = quick.run(sys.argv[1:]); "
                               "sys.stdout.flush(); print(repr((code, 'click' in sys.modules)), file=sys.stderr)"]

ANSWERED = [
    ["query", "-n", "zones", "-F", "csv"],
    ["query", "--name=zones", "--format=json", "--lang", "en"],
    ["query", "-nzones", "-Ftsv", "--lang=zh"],
    ["query", "-F", "markdown", "-n", "macro-regions"],
    ["query", "-n", "zones"],  # not a terminal: CSV, as the CLI's default
    ["query", "-n", "zone-documents"],  # a required parameter missing: the same message, exit 2
]
DEFERRED = [
    ["query", "-n", "no-such-query"],
    ["query", "-n", "zones", "-F", "xml"],
    ["query", "-n", "zones", "--lang", "fr"],
    ["query", "-n", "zones", "--limit", "2"],
    ["query", "-n", "zones", "-p", "zone=辽西北"],
    ["query", "-n", "zones", "-n", "zones"],
    ["query", "-n"],
    ["query", "-n", "zones", "--bom"],
    ["queries", "-F", "csv"],
]


def _run(argv, root=REPO, **kwargs):
    return subprocess.run([*argv, "--root", str(root), *kwargs.pop("args")], cwd=REPO, capture_output=True,
                          timeout=120, **kwargs)


@pytest.fixture(scope="module", autouse=True)
def fresh_store():
    persist.ensure_store(REPO)  # a fresh store, as a user who ran anything before has


@pytest.mark.parametrize("args", ANSWERED + DEFERRED, ids=" ".join)
def test_quick_entry_prints_what_the_cli_prints(args):
    quick, full = _run(QUICK, args=args), _run(FULL, args=args)
    assert (quick.returncode, quick.stdout, quick.stderr) == (full.returncode, full.stdout, full.stderr)


def test_the_answers_compared_are_real_ones():
    zones = _run(QUICK, args=["query", "-n", "zones", "-F", "csv"])
    assert zones.returncode == 0 and len(zones.stdout.decode().splitlines()) == 14  # header + 13 zones
    documents = _run(QUICK, args=["query", "-n", "zone-documents"])
    assert documents.returncode == 2 and b"needs --param zone=VALUE" in documents.stderr and not documents.stdout


def _probe(args, root=REPO):
    result = _run(PROBE, root=root, args=args)
    return eval(result.stderr.decode().splitlines()[-1]), result.stdout  # noqa: S307 - our own repr


@pytest.mark.parametrize("args", ANSWERED, ids=" ".join)
def test_named_queries_are_answered_without_importing_click(args):
    (code, click_loaded), _ = _probe(args)
    assert code is not None and not click_loaded


@pytest.mark.parametrize("args", DEFERRED, ids=" ".join)
def test_anything_else_is_left_to_the_cli_with_nothing_written(args):
    (code, _), stdout = _probe(args)
    assert code is None and stdout == b""


def test_a_stale_store_is_left_to_the_cli_which_rebuilds_and_says_so(mini_root):
    args = ["query", "-n", "zones", "-F", "csv"]
    first = _run(QUICK, root=mini_root, args=args)  # no store yet: the CLI writes it
    assert first.returncode == 0 and _probe(args, mini_root)[0][0] == 0
    data = mini_root / "data" / "mini.trig"
    data.write_text(data.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _probe(args, mini_root)[0][0] is None  # stale: not answered from the old store
    second = _run(QUICK, root=mini_root, args=args)
    assert second.returncode == 0 and b"rebuilding the store: data/mini.trig changed" in second.stderr
    assert second.stdout == first.stdout and _probe(args, mini_root)[0][0] == 0


def _rows(kg, standby=None):
    with api.stream_named_query(kg, "zones", standby=standby) as result:
        return list(result)


@pytest.fixture
def stored(mini_root):
    persist.ensure_store(mini_root)
    return persist.open_graph(mini_root, build=False)[0], persist.recorded_store(mini_root)


@pytest.mark.parametrize("guess", ["right", None, "a folder that is no store", "none told"])
def test_a_standby_worker_answers_as_a_fresh_one_whatever_it_guessed(stored, guess, tmp_path):
    kg, right = stored
    expected = _rows(kg)
    assert expected  # the mini data has zones
    standby = Standby()
    if guess != "none told":
        standby.guess(right if guess == "right" else str(tmp_path) if guess else None)
    assert _rows(kg, standby) == expected


def test_a_standby_worker_reports_a_store_it_cannot_open(stored, tmp_path):
    kg, right = stored
    kg.store_path = tmp_path / "gone"
    standby = Standby()
    standby.guess(right)
    with pytest.raises(QueryCrashed, match="the query worker failed"):
        _rows(kg, standby)


def test_a_standby_worker_runs_one_query_and_a_cancelled_one_is_gone(stored):
    kg, right = stored
    used = Standby()
    used.guess(right)
    _rows(kg, used)
    with pytest.raises(ValueError):
        used.hand(kg, "ASK {}", None, "query", None, None)
    spare = Standby()  # not even told a guess
    pid = spare._pid
    spare.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # killed and reaped: no zombie left behind
