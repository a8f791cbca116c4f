"""Regenerate the generated parts of README.md: the CLI reference (from --help) and the catalogue
of named queries (from their headers). ``python -m graph.docs`` rewrites them in place; a test
fails when README.md is stale."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from graph.cli import cli
from graph.queries import named_queries

README = Path(__file__).resolve().parent.parent / "README.md"


def cli_reference() -> str:
    runner = CliRunner()
    parts = []
    for name in ["", *sorted(cli.commands)]:
        args = [name, "--help"] if name else ["--help"]
        text = runner.invoke(cli, args, prog_name="zonegraph", terminal_width=100).output
        parts.append(f"#### `zonegraph {name}`\n\n```\n{text.rstrip()}\n```\n" if name
                     else f"```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def query_catalogue() -> str:
    lines = ["| name | answers — and what one row asserts | parameters | example |", "|---|---|---|---|"]
    for q in named_queries().values():
        params = "<br>".join(f"`{p.name}` ({p.type}, {'required' if p.required else 'optional'}): {p.description}"
                             for p in q.params) or "—"
        example = f"`{q.examples[0]}`" if q.examples else ""
        answers = f"{q.summary}<br>**One row:** {q.row}"
        lines.append(f"| [`{q.name}`](graph/queries/{q.name}.rq) | {answers} | {params} | {example} |")
    return "\n".join(lines) + "\n"


def completeness() -> str:
    import graph
    from graph.output import render as render_rows
    from graph.stats import completeness_table, zone_completeness

    kg = graph.load(README.parent)
    return render_rows(*completeness_table(zone_completeness(kg)), "markdown")


def query_samples(rows_shown: int = 5) -> str:
    """The first rows each named query returns for its documented example, on the real data."""
    import graph
    from graph.output import render as render_rows

    kg = graph.load(README.parent)
    parts = []
    for q in named_queries().values():
        table = graph.run_named_query(kg, q.name, q.example_params())
        rows = [list(r.values()) for r in table.values()]
        shown = render_rows(table.columns, [[_short(v) for v in r] for r in rows[:rows_shown]], "markdown")
        more = f"\n({len(rows)} rows in all)\n" if len(rows) > rows_shown else "\n"
        parts.append(f"<details><summary><code>{q.examples[0]}</code></summary>\n\n{shown}{more}\n</details>\n")
    return "\n".join(parts)


def _short(value, width: int = 60):
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


SECTIONS = {"cli": cli_reference, "queries": query_catalogue, "completeness": completeness,
            "samples": query_samples}


def render(readme: str) -> str:
    for key, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN generated:{key} -->\n).*?(<!-- END generated:{key} -->)", re.S)
        if not pattern.search(readme):
            raise SystemExit(f"README.md lacks the markers for generated:{key}")
        readme = pattern.sub(lambda m: m.group(1) + make() + m.group(2), readme)
    return readme


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in sys.argv:
        sys.exit(0 if new == text else "README.md is stale: run `python -m graph.docs`")
    README.write_text(new, encoding="utf-8")
    print("README.md updated")
