"""Pinyin of Chinese names, for search (e.g. 辽西北 -> "liaoxibei", "liao xi bei").

Two things per name: the *common reading* that is shown (pypinyin's phrase-aware reading, so
示范区 is "shifanqu" and 重庆 "chongqing"), and every *form* that matches. Place names are full of
heteronyms, so the forms also keep the other readings of each character (up to MAX_FORMS
combinations): a user typing "zhaoyang" still finds 朝阳 although it is shown as "chaoyang".

Importing pypinyin's phrase table costs about 0.3 s, more than a whole search, so the readings are
kept in a small cache file (text -> readings) and pypinyin is imported only for names not in it.
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import json
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable

MAX_FORMS = 16
# Pinyin is for finding names: a text longer than this (a description, or a hostile multi-megabyte
# label that validate rejects) gets no reading, so it can neither slow a search nor bloat the cache.
MAX_TEXT = 100

# Place-name readings that pypinyin's phrase table gets wrong (it reads 朝阳 as zhaoyang, "morning
# sun"; the cities are Chaoyang). Same list of heteronyms as graph/regions.py's STEMS_EN.
PLACE_READINGS = {
    "朝阳": ["cháo", "yáng"], "长治": ["cháng", "zhì"], "都匀": ["dū", "yún"], "单县": ["shàn", "xiàn"],
    "六安": ["lù", "ān"],
}
# Bump when the way readings are computed changes, so old cache files are not reused.
_VERSION = "2:" + hashlib.sha1(json.dumps(PLACE_READINGS, sort_keys=True).encode()).hexdigest()[:8]


def has_han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@lru_cache(maxsize=1)
def _pypinyin():
    import pypinyin

    pypinyin.load_phrases_dict({k: [[s] for s in v] for k, v in PLACE_READINGS.items()})
    return pypinyin


def compute(text: str) -> tuple[str, tuple[str, ...]]:
    """``(common reading, forms)`` of ``text``; ``("", ())`` when it has no Chinese characters.

    The reading joins the syllables ("hefeishi"); forms hold it with and without spaces first,
    then heteronym combinations.
    """
    if not has_han(text):
        return "", ()
    p = _pypinyin()
    common = [s for s in p.lazy_pinyin(text, style=p.Style.NORMAL) if s.strip()]
    pieces = [s for s in _PIECES.findall(text) if s.strip()]
    if len(pieces) == len(common):
        # each character's own readings, not the phrase's: 朝阳 is read chaoyang but zhaoyang matches
        choices = [list(dict.fromkeys([c, *(_char_readings(t) if has_han(t) else [])]))
                   for c, t in zip(common, pieces)]
    else:  # segmentations differ: keep only the common reading
        choices = [[c] for c in common]
    forms: list[str] = []
    for combo in itertools.islice(itertools.product(*choices), MAX_FORMS):
        forms += ["".join(combo), " ".join(x.strip() for x in combo)]
    return "".join(common), tuple(dict.fromkeys(f.lower() for f in forms))


_PIECES = re.compile(r"[\u4e00-\u9fff]|[^\u4e00-\u9fff]+")


@lru_cache(maxsize=None)
def _char_readings(char: str) -> list[str]:
    p = _pypinyin()
    return p.pinyin(char, style=p.Style.NORMAL, heteronym=True)[0]


def pinyin_forms(text: str) -> tuple[str, ...]:
    """Every matchable pinyin form of ``text`` (common reading first)."""
    return readings([text]).get(text, ("", ()))[1]


def reading(text: str) -> str:
    """The common reading of ``text`` ("hefeishi" for 合肥市); "" without Chinese characters."""
    return readings([text]).get(text, ("", ()))[0]


_memory: dict[str, tuple[str, tuple[str, ...]]] = {}
_state = {"loaded": False, "dirty": False}


def cache_path() -> Path | None:
    """Where readings are kept between runs: $ZONEGRAPH_CACHE, else the user's cache folder.
    ZONEGRAPH_CACHE=off (or empty) keeps them in memory only."""
    env = os.environ.get("ZONEGRAPH_CACHE")
    if env is not None:
        return None if env.strip() in ("", "off", "0") else Path(env) / "pinyin.json"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zonegraph" / "pinyin.json"


def readings(texts: Iterable[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Readings of every text with Chinese characters: ``{text: (common reading, forms)}``.

    Computed once per text per process. The cache file is read at the first miss and rewritten
    once at exit if anything new was computed, which spares later processes the pypinyin import;
    a cache that cannot be read or written is ignored (it only saves time).
    """
    wanted = sorted({t for t in texts if len(t) <= MAX_TEXT and has_han(t)})
    missing = [t for t in wanted if t not in _memory]
    if missing and not _state["loaded"]:
        _state["loaded"] = True
        cached = _read_cache(cache_path())
        for t in missing:  # only what this graph names: the cache never grows past one graph's names
            if t in cached:
                _memory[t] = cached[t]
        missing = [t for t in missing if t not in _memory]
    if missing:
        for t in missing:
            _memory[t] = compute(t)
        if not _state["dirty"]:
            _state["dirty"] = True
            atexit.register(flush)
    return {t: _memory[t] for t in wanted}


def flush() -> None:
    """Write the readings this process used to the cache file: the names of the graphs it loaded,
    not everything any earlier run saw, so the file stays the size of one graph's names."""
    path = cache_path()
    if _state["dirty"] and path is not None:
        _write_cache(path, dict(_memory))
    _state["dirty"] = False


def _read_cache(path: Path | None) -> dict[str, tuple[str, tuple[str, ...]]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return {}
    return {t: (r[0], tuple(r[1])) for t, r in data.get("readings", {}).items()}


def _write_cache(path: Path, entries: dict[str, tuple[str, tuple[str, ...]]]) -> None:
    body = json.dumps({"version": _VERSION, "readings": {t: [r, list(f)] for t, (r, f) in sorted(entries.items())}},
                      ensure_ascii=False, separators=(",", ":"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # write then rename: a concurrent reader never sees half a file
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pinyin-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, path)
    except OSError:
        pass
