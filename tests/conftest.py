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


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Debian's, through Playwright): two sync
    Playwright instances cannot run at once, so every browser test module shares this one."""
    from tests.test_browser import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `sh .ci/browser` (installs Debian's chromium and "
                    "fonts-noto-cjk) or set ZONEGRAPH_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
