"""User-facing errors. Each carries the exit code the CLI documents.

Exit codes: 0 success (also when stdout is closed early, e.g. piped to ``head``); 1 the data has
problems (validation violations, build refused); 2 the command could not run (malformed data file,
bad SPARQL, unknown entity, query or root); 3 a query ran past its ``--timeout``; 130 interrupted
(Ctrl-C).
"""

from __future__ import annotations

import os
import sys


class ZonegraphError(Exception):
    """Base class: a problem the user can fix. ``str(err)`` says what and how."""

    exit_code = 2


def rebuild(cls: type[ZonegraphError], message: str) -> ZonegraphError:
    """An error of type ``cls`` with a finished ``message``, bypassing the subclass's own __init__
    (bounded queries send an error from their worker process as its type name and message)."""
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    return err


def quiet_stdout() -> None:
    """Point stdout at /dev/null so that the final flush at exit cannot fail on a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. under CliRunner)
        pass


def report(exc: BaseException, command: str) -> int | None:
    """What the user sees of an error that ends ``command``: one line on stderr and the exit code
    to end with (never a traceback); None for an exception that is not the user's to see."""
    if isinstance(exc, BrokenPipeError):
        # The reader (head, less) has all it wants: that is success, not an error.
        quiet_stdout()
        return 0
    if isinstance(exc, KeyboardInterrupt):
        exc = QueryInterrupted(command)
    if not isinstance(exc, ZonegraphError):
        return None
    sys.stderr.write(f"Error: {exc}\n")
    sys.stderr.flush()
    return exc.exit_code


class RootNotFound(ZonegraphError):
    pass


class DataSyntaxError(ZonegraphError):
    """A data or ontology file does not parse."""

    def __init__(self, path: str, line: int | None, column: int | None, detail: str):
        self.path, self.line, self.column, self.detail = path, line, column, detail
        where = path if line is None else f"{path}:{line}:{column}"
        super().__init__(
            f"{where}: syntax error: {detail}\n"
            f"Fix the file at that position (Turtle/TriG syntax); nothing was written."
        )


class QuerySyntaxError(ZonegraphError):
    """Bad SPARQL. With a position, the message quotes the line and puts a caret under the column."""

    def __init__(self, detail: str, source: str = "query", line: int | None = None,
                 column: int | None = None, excerpt: str = ""):
        where = "" if line is None else f" at line {line}, column {column}"
        super().__init__(f"{source}: SPARQL error{where}: {detail}{excerpt}")


class UnknownPrefix(QuerySyntaxError):
    def __init__(self, prefix: str, known: list[str], source: str = "query", line: int | None = None,
                 column: int | None = None, excerpt: str = ""):
        super().__init__(
            f"unknown prefix '{prefix}:'. Known prefixes: {', '.join(known)}.\n"
            f"Use one of those, or declare it first: PREFIX {prefix}: <http://...>",
            source, line, column, excerpt)


class ReadOnlyGraph(QuerySyntaxError):
    def __init__(self, source: str = "query"):
        ZonegraphError.__init__(
            self,
            f"{source}: the graph is read-only: edit data/ and run zonegraph build "
            f"(SPARQL updates such as INSERT, DELETE, LOAD or CLEAR are refused; "
            f"`zonegraph query` runs SELECT, ASK, CONSTRUCT and DESCRIBE).")


class QueryTimeout(ZonegraphError):
    """A bounded query ran past its deadline and was stopped."""

    exit_code = 3

    def __init__(self, source: str, seconds: float):
        self.seconds = seconds
        longer = max(60, int(seconds * 6))
        super().__init__(
            f"{source}: query stopped after {seconds:g} s: add --timeout {longer} (0 for no limit) "
            f"or narrow it with LIMIT")


class QueryInterrupted(ZonegraphError):
    """Ctrl-C (SIGINT) stopped the command."""

    exit_code = 130

    def __init__(self, source: str = "command"):
        super().__init__(f"{source}: interrupted (Ctrl-C)")


class QueryCrashed(ZonegraphError):
    """The query's worker process died (e.g. killed for running out of memory)."""

    def __init__(self, source: str, detail: str):
        super().__init__(f"{source}: {detail}")


class UnknownQuery(ZonegraphError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(
            f"unknown named query {name!r}. Known queries: {', '.join(known)}\n"
            f"Run `zonegraph queries` to see what each one answers."
        )


class UnknownEntity(ZonegraphError):
    def __init__(self, text: str, suggestions: list[str], ambiguous: bool = False):
        self.suggestions = suggestions
        if ambiguous:
            msg = f"{text!r} matches several entities; name one of them:\n  " + "\n  ".join(suggestions)
        elif suggestions:
            msg = f"no entity called {text!r}. Did you mean:\n  " + "\n  ".join(suggestions)
        else:
            msg = f"no entity called {text!r}; try `zonegraph search TEXT`."
        super().__init__(msg)


class ParameterError(ZonegraphError):
    pass


class ValidationFailed(ZonegraphError):
    """Raised by build when the data does not validate."""

    exit_code = 1
