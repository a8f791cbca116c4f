"""User-facing errors. Each carries the exit code the CLI documents.

Exit codes: 0 success; 1 the data has problems (validation violations, build refused);
2 the command could not run (malformed data file, bad SPARQL, unknown entity, query or root).
"""

from __future__ import annotations


class ZonegraphError(Exception):
    """Base class: a problem the user can fix. ``str(err)`` says what and how."""

    exit_code = 2


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
    def __init__(self, detail: str, source: str = "query"):
        super().__init__(f"{source}: SPARQL error: {detail}")


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
