from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import graph
from graph.cli import cli

# The pinyin cache lives in the user's cache folder; the suite loads many throw-away graphs and
# must neither read a stale cache nor leave one behind (tests of the cache set their own folder).
os.environ["ZONEGRAPH_CACHE"] = "off"

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BROKEN = FIXTURES / "broken"


@pytest.fixture(scope="session")
def kg():
    """The real graph: ontology.ttl + data/ of this checkout."""
    return graph.load(REPO)


def make_root(tmp_path: Path, *extra: Path) -> Path:
    """A project root holding the real ontology, the mini data set and any extra data files."""
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    shutil.copy(REPO / "ontology.ttl", root / "ontology.ttl")
    shutil.copy(FIXTURES / "mini" / "data" / "mini.trig", root / "data" / "mini.trig")
    for path in extra:
        shutil.copy(path, root / "data" / (path.name.removesuffix(".txt")))
    return root


@pytest.fixture
def mini_root(tmp_path):
    return make_root(tmp_path)


@pytest.fixture
def mini(mini_root):
    return graph.load(mini_root)


@pytest.fixture
def run():
    """Invoke the CLI like a user would; returns the click Result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def invoke(*args, root=None, **kwargs):
        argv = (["--root", str(root)] if root else ["--root", str(REPO)]) + [str(a) for a in args]
        return runner.invoke(cli, argv, catch_exceptions=False, **kwargs)

    return invoke
