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
    lines = ["| name | answers | parameters | example |", "|---|---|---|---|"]
    for q in named_queries().values():
        params = "<br>".join(f"`{p.name}` ({p.type}, {'required' if p.required else 'optional'}): {p.description}"
                             for p in q.params) or "—"
        example = f"`{q.examples[0]}`" if q.examples else ""
        lines.append(f"| [`{q.name}`](graph/queries/{q.name}.rq) | {q.summary} | {params} | {example} |")
    return "\n".join(lines) + "\n"


def completeness() -> str:
    import graph
    from graph.output import render as render_rows
    from graph.stats import completeness_table, zone_completeness

    kg = graph.load(README.parent)
    return render_rows(*completeness_table(zone_completeness(kg)), "markdown")


SECTIONS = {"cli": cli_reference, "queries": query_catalogue, "completeness": completeness}


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
