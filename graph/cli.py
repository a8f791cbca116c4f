"""The ``zonegraph`` command line: parse options, call one library function, format, translate errors.

Exit codes: 0 success; 1 validation problems (``validate``, ``build``); 2 the command could not run
(malformed data file with file:line:column, bad SPARQL, unknown entity/query/root, bad option).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from graph import __version__, api
from graph.errors import ZonegraphError
from graph.output import FORMATS, render


class Group(click.Group):
    """Turns library errors into a message and the documented exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ZonegraphError as err:
            click.echo(f"Error: {err}", err=True)
            ctx.exit(err.exit_code)


def output_options(func):
    """--format and --lang, shared by every row-returning command."""

    @click.option("--format", "-F", "fmt", type=click.Choice(FORMATS),
                  help="Row format [default: table on a terminal, csv otherwise].")
    @click.option("--lang", type=click.Choice(api.LANGS), default="zh", show_default=True,
                  help="Language of labels in the output.")
    @functools.wraps(func)
    def wrapper(*args, fmt=None, **kwargs):
        if fmt is None:
            fmt = "table" if sys.stdout.isatty() else "csv"
        return func(*args, fmt=fmt, **kwargs)

    return wrapper


def _kg(ctx: click.Context):
    obj = ctx.find_root().obj
    if obj.get("kg") is None:
        obj["kg"] = api.load(obj.get("root"))
    return obj["kg"]


def _echo_rows(columns, rows, fmt):
    click.echo(render(columns, rows, fmt), nl=False)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zonegraph")
@click.option("--root", type=click.Path(file_okay=False), envvar="ZONEGRAPH_ROOT",
              help="Project folder holding ontology.ttl and data/ [default: nearest upward, or the installed copy].")
@click.pass_context
def cli(ctx: click.Context, root):
    """Query, check and export the cited graph of national industrial transfer demonstration zones."""
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


@cli.command()
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL shapes (SPARQL checks only; faster).")
@click.option("--warnings", "show_warnings", is_flag=True, help="Also list warnings (they never fail validation).")
@output_options
@click.pass_context
def validate(ctx, no_shacl, show_warnings, fmt, lang):
    """Check the data: shapes, SPARQL checks, dates and citation coverage (exit 1 on any problem).

    Example: zonegraph validate -F table
    """
    report = api.validate(_kg(ctx), shacl=not no_shacl)
    if report.problems or (show_warnings and report.warnings):
        _echo_rows(report.COLUMNS, report.rows(warnings=show_warnings), fmt)
    click.echo(
        f"{len(report.problems)} problem(s), {len(report.warnings)} warning(s)"
        f"{'' if show_warnings or not report.warnings else ' (--warnings lists them)'}; citation coverage "
        f"{report.cited_statements}/{report.fact_statements} fact statements ({report.coverage:.2%}).",
        err=True,
    )
    ctx.exit(0 if report.conforms else 1)


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        if "=" not in item:
            raise click.BadParameter(f"{item!r}: write NAME=VALUE", param_hint="--param")
        key, value = item.split("=", 1)
        params[key.strip()] = value
    return params


@cli.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "file", type=click.Path(exists=True, dir_okay=False), help="Read the query from FILE.")
@click.option("-n", "--name", help="Run a named query (see `zonegraph queries`).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter, e.g. -p zone=辽西北 (repeatable).")
@click.option("--as-of", "as_of", type=int, metavar="YEAR",
              help="Bind the year of queries that take one (e.g. members-as-of); ?year in inline queries.")
@output_options
@click.pass_context
def query(ctx, sparql, file, name, params, as_of, fmt, lang):
    """Run SPARQL (inline, from a file, or by name) over the union of all graphs.

    Example: zonegraph query -n zone-members -p zone=zone:liaoxibei
    """
    given = [x for x in (sparql, file, name) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: an inline SPARQL query, -f FILE, or -n NAME")
    kg = _kg(ctx)
    bound = _parse_params(params)
    if as_of is not None:
        if name:
            from graph.queries import get_query

            if "year" not in {p.name for p in get_query(name).params}:
                raise click.UsageError(f"query {name!r} takes no year; --as-of works with queries that do "
                                       "(see `zonegraph queries`)")
        bound["year"] = str(as_of)
    if name:
        result = api.run_named_query(kg, name, bound, lang=lang)
    else:
        text = Path(file).read_text(encoding="utf-8") if file else sparql
        result = api.query(kg, text, bound, lang=lang, source=file or "query")
    if isinstance(result, bool):
        click.echo("true" if result else "false")
    elif isinstance(result, list):
        click.echo("".join(f"{t} .\n" for t in sorted(map(str, result))), nl=False)
    else:
        _echo_rows(result.columns, [list(r.values()) for r in result.values()], fmt)


@cli.command()
@output_options
def queries(fmt, lang):
    """List the named queries with what each answers and the parameters it takes.

    Example: zonegraph queries -F markdown
    """
    from graph.queries import named_queries

    rows = []
    for q in named_queries().values():
        params = ", ".join(f"{p.name}{'' if p.required else '?'}" for p in q.params)
        rows.append([q.name, q.summary, params])
    _echo_rows(["name", "summary", "params"], rows, fmt)


@cli.command()
@click.argument("entity")
@click.option("--as-of", "as_of", type=int, metavar="YEAR",
              help="Leave out memberships, zones, documents and projects not in force on 31 Dec of YEAR.")
@click.option("--width", type=int, metavar="COLUMNS",
              help="Width of the table view [default: the terminal's].")
@output_options
@click.pass_context
def show(ctx, entity, as_of, width, fmt, lang):
    """Show ENTITY (IRI, CURIE or any name): its names, class and every fact, grouped, with sources.

    Example: zonegraph show 辽西北承接产业转移示范区
    """
    import shutil

    from graph import reading

    if fmt == "table":
        r = api.reading(_kg(ctx), entity, lang=lang, as_of=as_of)
        click.echo(reading.render(r, width or shutil.get_terminal_size((100, 24)).columns), nl=False)
        return
    _, columns, rows = api.show(_kg(ctx), entity, lang=lang, as_of=as_of)
    _echo_rows(columns, rows, fmt)


@cli.command()
@click.argument("text")
@click.option("--limit", default=50, show_default=True, help="At most this many matches.")
@output_options
@click.pass_context
def search(ctx, text, limit, fmt, lang):
    """Find entities by Chinese or English name, short name, code or pinyin; best matches first.

    Example: zonegraph search siping
    """
    columns, rows = api.search(_kg(ctx), text, limit)
    _echo_rows(columns, rows, fmt)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print everything as one JSON document.")
@output_options
@click.pass_context
def stats(ctx, as_json, fmt, lang):
    """Counts per class and relation, citation coverage, and per-zone completeness.

    Example: zonegraph stats -F markdown
    """
    from graph.stats import completeness_table

    st = api.stats(_kg(ctx))
    if as_json:
        click.echo(json.dumps(st, ensure_ascii=False, indent=2, sort_keys=True))
        return
    click.echo(f"citation coverage: {st['cited_statements']}/{st['fact_statements']} "
               f"({st['citation_coverage']:.2%}); {st['citations']} citations in "
               f"{st['source_documents']} source documents\n")
    _echo_rows(["class", "entities"], sorted(st["classes"].items()), fmt)
    click.echo()
    _echo_rows(["property", "statements"], sorted(st["properties"].items()), fmt)
    click.echo()
    _echo_rows(*completeness_table(st["zones"]), fmt)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default="exports", show_default=True,
              help="Folder to write the exports into (replaced atomically).")
@click.option("--bom", is_flag=True, help="Start CSV files with a UTF-8 byte-order mark (for Excel).")
@click.pass_context
def build(ctx, out, bom):
    """Validate, then regenerate every export (RDF, CSV, JSON-LD, VoID, stats) into --out.

    Example: zonegraph build --out exports
    """
    kg = _kg(ctx)
    if out == "exports" and ctx.find_root().obj.get("root") is None:
        out = str(kg.root / "exports")
    result = api.build(kg, out, bom=bom)
    click.echo(f"wrote {len(result.files)} files ({result.triples} triples, {result.quads} quads) to {result.out}")
    for name in result.files:
        click.echo(f"  {result.out / name}")


@cli.command()
@click.option("--view", type=click.Choice(("overview", "zone", "industry", "flow", "geo")), default="overview",
              show_default=True, help="Which view to draw.")
@click.option("--focus", help="Entity at the centre (for --view zone, or any entity's neighbourhood).")
@click.option("--depth", default=2, show_default=True, help="Hops around --focus.")
@click.option("--industry", help="Industry for --view industry.")
@click.option("--as-of", "as_of", type=int, metavar="YEAR", help="Only links in force on 31 December of YEAR.")
@click.option("--lang", type=click.Choice(api.LANGS), default="zh", show_default=True, help="Language of node labels.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="zonegraph-view.html", show_default=True,
              help="HTML file to write; its assets go into an assets/ folder beside it, nothing elsewhere.")
@click.option("--open", "open_", is_flag=True, help="Open the file in the default browser.")
@click.pass_context
def viz(ctx, view, focus, depth, industry, as_of, lang, output, open_):
    """Draw an interactive network view (offline HTML) of the graph or part of it.

    Example: zonegraph viz --view zone --focus 辽西北 --depth 2 -o liaoxibei.html
    """
    from graph.viz import write_view

    try:
        path = write_view(_kg(ctx), output, view, focus, depth, industry, as_of, lang)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    click.echo(f"wrote {path} (assets in {path.parent / 'assets'})")
    if open_:
        import webbrowser

        webbrowser.open(path.as_uri())


TRACE_FORMATS = ("table", "json", "csv", "tsv", "markdown", "html")


@cli.command()
@click.option("--from", "source", required=True, help="Start: macro-region, province, city, zone, park, enterprise or industry.")
@click.option("--to", "target", help="End (same kinds); without it, every project, park and zone within reach.")
@click.option("--industry", help="Only chains that carry this industry (or a narrower one).")
@click.option("--as-of", "as_of", type=int, metavar="YEAR", help="Only links in force on 31 December of YEAR.")
@click.option("--declared", "mode", flag_value="declared", help="Only declared links (plans, reports) besides structure.")
@click.option("--realised", "mode", flag_value="realised", help="Only realised links (projects) besides structure.")
@click.option("--max-hops", default=5, show_default=True, help="Longest chain to look for.")
@click.option("--limit", default=10, show_default=True, help="Show at most this many chains.")
@click.option("--format", "-F", "fmt", type=click.Choice(TRACE_FORMATS),
              help="table (default on a terminal), json, csv, tsv, markdown or html [default: csv when piped].")
@click.option("--lang", type=click.Choice(api.LANGS), default="zh", show_default=True, help="Language of labels.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.pass_context
def trace(ctx, source, target, industry, as_of, mode, max_hops, limit, fmt, lang, output):
    """Trace transfer chains from one entity to another, every hop with its date and citation.

    Example: zonegraph trace --from 京津冀 --to 朝阳市 --industry 新材料
    """
    from graph import tracing as tr

    kg = _kg(ctx)
    fmt = fmt or ("table" if sys.stdout.isatty() and not output else "csv")
    result = api.trace(kg, source, target, industry, as_of, mode, max_hops, limit)
    if fmt == "json":
        text = json.dumps(tr.as_json(kg, result), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = tr.as_html(kg, result, lang)
    else:
        text = render(*tr.hop_rows(kg, result.paths or result.partial, lang), fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if not result.paths:
        where = f" to {result.target}" if result.target else ""
        shown = "the nearest partial chains are shown" if result.partial else "nothing within reach"
        click.echo(f"No chain from {result.source}{where} within {max_hops} hops; {shown}.", err=True)
    elif output:
        click.echo(f"wrote {len(result.paths)} chain(s) to {output}", err=True)


@cli.command()
@click.option("--as-of", "as_of", type=int, metavar="YEAR", help="Only links in force on 31 December of YEAR.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False), help="Also write each table as CSV into this folder.")
@output_options
@click.pass_context
def analyze(ctx, as_of, csv_dir, fmt, lang):
    """Network analytics: most-targeted industries, flows, zone similarity, centrality, components.

    Example: zonegraph analyze --as-of 2021 --csv analysis/
    """
    import re

    tables = api.analyze(_kg(ctx), lang=lang, as_of=as_of)
    for title, columns, rows in tables:
        click.echo(f"## {title} ({len(rows)} rows)\n")
        _echo_rows(columns, rows, fmt)
        click.echo()
        if csv_dir:
            Path(csv_dir).mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
            (Path(csv_dir) / f"{slug}.csv").write_text(render(columns, rows, "csv"), encoding="utf-8")


@cli.command()
@click.option("--copies", default=1, show_default=True,
              help="Replicate the data this many times (renamed IRIs) to measure a larger graph.")
@click.option("--repeat", default=3, show_default=True, help="Runs per measurement; the median is shown.")
@click.option("--no-rdflib", is_flag=True, help="Time pyoxigraph only (rdflib takes minutes at --copies 10).")
@output_options
@click.pass_context
def bench(ctx, copies, repeat, no_rdflib, fmt, lang):
    """Time loading and every named query in pyoxigraph (our engine) against rdflib, with ratios;
    with --copies N also each query's growth (its time at N copies over its time at one).

    Example: zonegraph bench --copies 10 -F markdown
    """
    from graph.bench import run

    total, timings = run(_kg(ctx), copies=copies, repeat=repeat, rdflib=not no_rdflib)
    rows = [[t.task, f"{t.oxigraph_ms:.1f}", "-" if t.rdflib_ms != t.rdflib_ms else f"{t.rdflib_ms:.1f}",
             "-" if t.ratio != t.ratio else f"{t.ratio:.0f}x", "" if t.growth is None else f"{t.growth:.1f}x",
             t.rows] for t in timings]
    _echo_rows(["task", "pyoxigraph_ms", "rdflib_ms", "rdflib/pyoxigraph", f"growth_at_{copies}_copies",
                "rows"], rows, fmt)


@cli.command("bench-viz")
@click.option("--sizes", default="1000,5000,20000", show_default=True, help="Synthetic graph sizes (nodes).")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for a page to draw.")
@click.option("--chromium", default="/usr/bin/chromium", show_default=True, envvar="ZONEGRAPH_CHROMIUM",
              help="Chromium executable (Debian's package).")
@click.option("--no-pyvis", is_flag=True, help="Skip pyvis's default output (it is the slow side).")
@output_options
@click.pass_context
def bench_viz(ctx, sizes, timeout, chromium, no_pyvis, fmt, lang):
    """Time network views to first draw in headless Chromium, ours against pyvis's defaults.

    Example: zonegraph bench-viz --sizes 1000,5000,20000 -F markdown
    """
    from graph import benchviz

    try:
        numbers = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter("give whole numbers separated by commas", param_hint="--sizes") from None
    if not Path(chromium).exists():
        raise click.UsageError(f"no Chromium at {chromium}: run `sh .ci/browser` or pass --chromium")
    results = benchviz.run(_kg(ctx), numbers, timeout, chromium, include_pyvis=not no_pyvis)
    _echo_rows(*benchviz.rows(results, timeout), fmt)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--document", metavar="IRI",
              help="The document the text is (IRI, CURIE or name); the draft cites it. Default: a draft document.")
@click.option("--out", type=click.Path(dir_okay=False), help="Also write the proposed facts as draft TriG to this file.")
@output_options
@click.pass_context
def curate(ctx, file, document, out, fmt, lang):
    """List the known entities, new candidates and proposed facts in a Chinese policy text.

    Example: zonegraph curate notice.txt --out draft.trig -F markdown
    """
    columns, rows, draft = api.curate(_kg(ctx), file, document)
    if out:
        Path(out).write_text(draft, encoding="utf-8")
    _echo_rows(columns, rows, fmt)


def main():
    cli(prog_name="zonegraph")
