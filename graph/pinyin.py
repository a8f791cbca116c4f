"""Pinyin forms of Chinese names, for search (e.g. 辽西北 -> "liaoxibei", "liao xi bei")."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def pinyin_forms(text: str) -> tuple[str, ...]:
    if not any("\u4e00" <= c <= "\u9fff" for c in text):
        return ()
    from pypinyin import lazy_pinyin

    syllables = [s for s in lazy_pinyin(text) if s.strip()]
    return ("".join(syllables), " ".join(syllables))
