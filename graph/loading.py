"""Reading data files before the RDF parser sees them: encodings, byte-order marks, and parser
messages turned into ones that say what to fix.

pyoxigraph reports a GBK file as "Invalid UTF-8 … index 0" and a UTF-8 byte-order mark as an invalid
subject; an undefined prefix names the prefix but not the ones the file does declare.
"""

from __future__ import annotations

import re

from graph import ns
from graph.errors import DataSyntaxError

BOM = b"\xef\xbb\xbf"
# Encodings a Chinese-language file saved by a non-UTF-8 editor is most likely in.
LIKELY_ENCODINGS = (("gb18030", "GB18030/GBK"), ("big5", "Big5"))
# Bytes in one of them often decode in the other too, as rare characters; the decoding with more of
# the commonest characters (simplified and traditional) is the likely one.
COMMON = set("的一是在不了有和人中大为上个国以要年发展经济产业区市省开工新建设项目承接转移示范"
             "為個國發展經濟產業區開設項轉範")


class DataEncodingError(DataSyntaxError):
    """A data file that is not UTF-8."""

    def __init__(self, path: str, line: int, column: int, likely: list[str]):
        self.path, self.line, self.column, self.likely = path, line, column, likely
        self.detail = "not UTF-8"
        also = f"; it also decodes as {', '.join(likely[1:])}" if len(likely) > 1 else ""
        guess = (f"it was most likely saved as {likely[0]}{also}" if likely
                 else "it does not decode as GB18030 or Big5 either")
        source = {"GB18030/GBK": "GB18030", "Big5": "BIG5"}.get(likely[0], "GB18030") if likely else "GB18030"
        Exception.__init__(
            self,
            f"{path}:{line}:{column}: not UTF-8 (first byte that is not valid UTF-8 is here); {guess}.\n"
            f"Save the file as UTF-8, e.g. `iconv -f {source} -t UTF-8 {path} > fixed.trig` and replace it; "
            "nothing was written."
        )


def decode(raw: bytes, rel: str) -> bytes:
    """The file's bytes ready for the parser: UTF-8 checked, a leading byte-order mark dropped
    (Windows editors add one; it carries no data, and dropping it keeps every line number)."""
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        scored = []
        for codec, name in LIKELY_ENCODINGS:
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                continue
            scored.append((-sum(ch in COMMON for ch in text), name))
        likely = [name for _, name in sorted(scored)]
        raise DataEncodingError(rel, line, column, likely) from None
    return raw


_UNDECLARED = re.compile(r"^The prefix (\S*): has not been declared")
_DECLARED = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([^\s:]*):", re.IGNORECASE | re.MULTILINE)
MAX_DETAIL = 300  # parser messages can list whole Unicode ranges; the position says enough


def explain(detail: str, raw: bytes) -> str:
    """A clearer parser message: an undefined prefix gets the declared ones and the IRI to declare."""
    m = _UNDECLARED.match(detail)
    if m:
        prefix = m.group(1)
        declared = sorted(set(_DECLARED.findall(raw.decode("utf-8", errors="replace"))))
        listed = ", ".join(f"{p}:" for p in declared) if declared else "none"
        known = ns.PREFIXES.get(prefix)
        fix = (f"add `@prefix {prefix}: <{known}> .` at the top of the file" if known
               else f"declare it with `@prefix {prefix}: <…> .` or use one of the declared prefixes "
                    "(the project's prefixes are listed in data/README.md)")
        return f"prefix {prefix}: is used but not declared in this file (declared: {listed}); {fix}"
    if len(detail) > MAX_DETAIL:
        return detail[:MAX_DETAIL] + " …"
    return detail
