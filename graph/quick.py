"""The ``zonegraph`` entry point: a named query answered without loading the command line.

``zonegraph query -n NAME`` is what scripts, notebooks and do-files run most. On the curated data
the engine answers it in a few milliseconds, while importing click and the CLI took 35 ms, three
times the bare open-and-query. So this entry point reads those arguments itself and calls the
library functions ``zonegraph query`` calls: the same rows, bytes, messages and exit codes
(tests/test_quick.py runs both side by side). It answers only

    [--root DIR] query (-n|--name) NAME [(-F|--format) FORMAT] [--lang zh|en]

over a fresh store; any other argument, a store that must be (re)written, an unknown name or
root, or ``ZONEGRAPH_STORE=memory`` go to the full CLI, which then does what it always does.
Its query worker is forked first thing (:class:`graph.standby.Standby`), so that the engine opens
the store while this process imports and checks the store is fresh.
"""

from __future__ import annotations

import os
import sys

# After `query`: option -> the key it sets. Only options whose value is a plain word.
_OPTIONS = {"-n": "name", "--name": "name", "-F": "fmt", "--format": "fmt", "--lang": "lang"}
_LANGS = ("zh", "en")  # graph.api.LANGS (not imported here: that is what this module avoids)


def main() -> None:
    code = run(sys.argv[1:])
    if code is None:
        from graph.cli import main as full

        full()
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = 0
    # The answer is written and flushed; tearing the interpreter down would take a cold query
    # another 5 ms (the query worker already ended the same way).
    os._exit(code)


def parse(argv: list[str]) -> dict[str, str | None] | None:
    """``{"root", "name", "fmt", "lang"}`` when ``argv`` is a named query this path answers, else None."""
    got: dict[str, str | None] = {"root": None, "name": None, "fmt": None, "lang": None}
    words = list(argv)
    if words[:1] == ["--root"] and len(words) > 1:
        got["root"], words = words[1], words[2:]
    elif words[:1] and words[0].startswith("--root="):
        got["root"], words = words[0][len("--root="):], words[1:]
    if words[:1] != ["query"]:
        return None
    words = words[1:]
    while words:
        word = words.pop(0)
        option, value = word.split("=", 1) if word.startswith("--") and "=" in word else (word, None)
        if option not in _OPTIONS and word[:2] in ("-n", "-F") and len(word) > 2:
            option, value = word[:2], word[2:]  # -nzones, -Fcsv
        if option not in _OPTIONS:
            return None
        if value is None:
            if not words:
                return None
            value = words.pop(0)
        key = _OPTIONS[option]
        if got[key] is not None or not value or value.startswith("-"):
            return None  # repeated, empty or option-like: the CLI says what it makes of that
        got[key] = value
    if not got["name"] or got["lang"] not in (None, *_LANGS):
        return None
    return got


def run(argv: list[str]) -> int | None:
    """Answer ``argv`` and return the exit code, or None (having written nothing) to leave it to the CLI."""
    got = parse(argv)
    if got is None or os.environ.get("ZONEGRAPH_STORE", "").strip().lower() in ("memory", "off", "0"):
        return None
    from graph.standby import Standby

    try:
        standby = Standby()
    except OSError:  # no fork() (Windows), or no process to spare: the usual worker, later
        standby = None
    if standby is not None:
        from graph import persist
        from graph.errors import ZonegraphError

        try:
            standby.guess(persist.recorded_store(got["root"]))
        except ZonegraphError:  # no root: the CLI will say so
            standby.guess(None)
    try:
        return _answer(got, standby)
    except KeyboardInterrupt as err:  # Ctrl-C before the query started
        from graph.errors import report

        return report(err, "query")
    finally:
        if standby is not None:
            standby.cancel()


def _answer(got: dict[str, str | None], standby) -> int | None:
    from graph import persist
    from graph.errors import ZonegraphError, report
    from graph.output import FORMATS
    from graph.queries import QUERY_DIR

    if got["fmt"] not in (None, *FORMATS) or not os.path.isfile(os.path.join(QUERY_DIR, got["name"] + ".rq")):
        return None
    try:
        opened = persist.open_graph(got["root"], build=False)
    except ZonegraphError:
        return None
    if opened is None:
        return None
    kg = opened[0]
    # --format's default, as the CLI's: a table on a terminal, CSV into a pipe or a file
    fmt = got["fmt"] or ("table" if sys.stdout.isatty() else "csv")
    try:
        from graph.api import DEFAULT_MEMORY_MB, stream_named_query
        from graph.output import write_answer

        with stream_named_query(kg, got["name"], {}, lang=got["lang"] or "zh", memory_mb=DEFAULT_MEMORY_MB,
                                standby=standby) as result:
            result.on_wait = sys.stdout.flush
            write_answer(result.kind, result.boolean if result.kind == "ask" else result, fmt,
                         sys.stdout.write, result.columns)
        sys.stdout.flush()
    except (ZonegraphError, BrokenPipeError, KeyboardInterrupt) as err:
        return report(err, "query")
    return 0
