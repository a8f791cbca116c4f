"""Pinyin forms of Chinese names, for search (e.g. 辽西北 -> "liaoxibei", "liao xi bei").

Place names are full of heteronyms (朝阳 is Chaoyang, not Zhaoyang), so every reading of each
character is kept, up to a small number of combinations.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

MAX_FORMS = 16


@lru_cache(maxsize=None)
def pinyin_forms(text: str) -> tuple[str, ...]:
    if not any("\u4e00" <= c <= "\u9fff" for c in text):
        return ()
    from pypinyin import Style, pinyin

    readings = [r for r in pinyin(text, style=Style.NORMAL, heteronym=True) if r and r[0].strip()]
    forms: list[str] = []
    for combo in itertools.islice(itertools.product(*readings), MAX_FORMS):
        forms += ["".join(combo), " ".join(combo)]
    return tuple(dict.fromkeys(forms))
