"""The ``zonegraph`` command line: parse options, call one library function, format, translate errors.

Exit codes: 0 success (also when stdout closes early, e.g. ``| head``); 1 validation problems
(``validate``, ``build``); 2 the command could not run (malformed data file with file:line:column,
bad SPARQL, unknown entity/query/root, bad option); 3 a query ran past ``--timeout``;
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from pathlib import Path

import click

from graph import __version__, api
from graph.errors import ZonegraphError, quiet_stdout, report
from graph.output import BOM, FORMATS, render, stream, write_answer


class Group(click.Group):
    """Turns library errors into a message and the documented exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ZonegraphError, BrokenPipeError, KeyboardInterrupt) as err:
            ctx.exit(report(err, ctx.invoked_subcommand or "zonegraph"))


class _Stdout:
    """stdout for rows: starts with a byte-order mark when --bom asks for one (once, before any text)."""

    def __init__(self, bom: bool = False):
        self.bom = bom

    def write(self, text: str) -> None:
        if self.bom:
            text, self.bom = BOM + text, False
        sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def _stdout() -> _Stdout:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return _Stdout()
    return ctx.meta.setdefault("zonegraph.stdout", _Stdout())


def _emit(text: str) -> None:
    _stdout().write(text)


ROWS_HELP = "Row format [default: table on a terminal, csv otherwise]; json is SPARQL 1.1 Query Results JSON."


def output_options(func=None, *, formats: tuple[str, ...] = FORMATS, format_help: str = ROWS_HELP):
    """--format, --lang and --bom, shared by every row-returning command."""

    def decorate(func):
        @click.option("--format", "-F", "fmt", type=click.Choice(formats), help=format_help)
        @click.option("--lang", type=click.Choice(api.LANGS), default="zh", show_default=True,
                      help="Language of labels in the output.")
        @click.option("--bom", is_flag=True,
                      help="Start CSV/TSV output (and files written with it) with a UTF-8 byte-order mark, for Excel.")
        @functools.wraps(func)
        def wrapper(*args, fmt=None, bom=False, **kwargs):
            if fmt is None:
                # a command writing to -o FILE is not writing to the terminal
                fmt = "table" if sys.stdout.isatty() and not kwargs.get("output") else "csv"
            click.get_current_context().meta["zonegraph.stdout"] = _Stdout(bom and fmt in ("csv", "tsv"))
            click.get_current_context().meta["zonegraph.bom"] = bom
            return func(*args, fmt=fmt, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate


def _bom_for(fmt: str) -> str:
    ctx = click.get_current_context(silent=True)
    return BOM if ctx is not None and ctx.meta.get("zonegraph.bom") and fmt in ("csv", "tsv") else ""


def _write_file(path, text: str, option: str) -> None:
    """Write a file a user named with an option: a failure is one message and exit 2, not a traceback."""
    from graph.build import OutputNotWritable

    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8", newline="\n")
    except OSError as err:
        where = f" ({err.filename})" if err.filename else ""
        raise OutputNotWritable(f"cannot write {path}: {err.strerror or err}{where}. "
                                f"Choose a writable path with {option}.") from None


def endpoint_options(func):
    """--endpoint and its credentials: run on a remote SPARQL 1.1 Protocol endpoint instead."""

    @click.option("--endpoint", metavar="URL",
                  help="Run on this SPARQL endpoint (e.g. http://127.0.0.1:7878/query) instead of in-process.")
    @click.option("--user", help="User name for --endpoint (HTTP Basic or Digest).")
    @click.option("--password", envvar="ZONEGRAPH_PASSWORD", help="Password for --user [env: ZONEGRAPH_PASSWORD].")
    @click.option("--default-graph-uri", "default_graph", metavar="IRI",
                  help="Graph holding the union, for engines whose default graph is not (Virtuoso: see README).")
    @functools.wraps(func)
    def wrapper(*args, endpoint=None, user=None, password=None, default_graph=None, **kwargs):
        ep = None
        if endpoint:
            from graph.remote import Endpoint

            ep = Endpoint(endpoint, user, password, default_graph)
        return func(*args, endpoint=ep, **kwargs)

    return wrapper


def _kg(ctx: click.Context, progress=None):
    obj = ctx.find_root().obj
    if obj.get("kg") is None:
        obj["kg"] = api.open(obj.get("root"), progress=progress, log=lambda m: click.echo(m, err=True))
    return obj["kg"]


def _progress():
    """A stage printer for long commands: on a terminal, one line per stage on stderr with the time
    since the start; in a pipe or a file, nothing (stdout and logs stay clean)."""
    if not sys.stderr.isatty():
        return None
    import time

    start = time.perf_counter()

    def say(message: str) -> None:
        click.echo(f"[{time.perf_counter() - start:5.1f}s] {message}", err=True)

    return say


def _echo_rows(columns, rows, fmt):
    stream(columns, rows, fmt, _stdout().write)


def _echo_tables(tables) -> None:
    """Several tables as one JSON document: ``{"tables": [{"title", "head", "results"}, ...]}``,
    each table in the SPARQL results shape that one-table commands print."""
    docs = [{"title": title, **json.loads(render(columns, rows, "json"))} for title, columns, rows in tables]
    _emit(json.dumps({"tables": docs}, ensure_ascii=False, indent=2) + "\n")


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
    progress = _progress()
    report = api.validate(_kg(ctx, progress), shacl=not no_shacl, progress=progress)
    if report.problems or (show_warnings and report.warnings):
        _echo_rows(report.COLUMNS, report.rows(warnings=show_warnings), fmt)
    if report.skipped:
        click.echo(report.skipped + ".", err=True)
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
@click.option("--timeout", type=click.FloatRange(min=0), metavar="SECONDS",
              help=f"Stop the query after SECONDS (exit 3); 0 for no limit [default: {api.DEFAULT_TIMEOUT:g} for "
                   "inline and -f queries, none for named queries].")
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help="Print at most N rows (or triples).")
@click.option("--max-memory", "max_memory", type=click.IntRange(min=0), default=api.DEFAULT_MEMORY_MB,
              show_default=True, metavar="MB",
              help="Stop a query that needs more memory than this beyond the loaded graph (exit 2); 0 for no cap.")
@endpoint_options
@output_options
@click.pass_context
def query(ctx, sparql, file, name, params, as_of, timeout, limit, max_memory, fmt, lang,
          endpoint=None):
    """Run SPARQL (inline, from a file, or by name) over the union of all graphs.

    Rows are printed as they are found; Ctrl-C stops the query at once (exit 130).

    Example: zonegraph query -n zone-members -p zone=zone:liaoxibei
    """
    given = [x for x in (sparql, file, name) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: an inline SPARQL query, -f FILE, or -n NAME")
    kg = _kg(ctx)
    if endpoint and endpoint.default_graph:
        endpoint.named_graphs = sorted(g.value for g in kg.store.named_graphs())
    bound = _parse_params(params)
    if as_of is not None:
        if name:
            from graph.queries import get_query

            if "year" not in {p.name for p in get_query(name).params}:
                raise click.UsageError(f"query {name!r} takes no year; --as-of works with queries that do "
                                       "(see `zonegraph queries`)")
        bound["year"] = str(as_of)
    if endpoint is not None:
        # a remote engine answers whole; the same formats as a local run
        text = None if name else (Path(file).read_text(encoding="utf-8") if file else sparql)
        from graph import remote

        answer = (remote.run_named_query(kg, endpoint, name, bound, lang=lang) if name
                  else remote.query(endpoint, text, bound, lang=lang))
        kind = "ask" if isinstance(answer, bool) else "graph" if isinstance(answer, list) else "select"
        write_answer(kind, answer if kind != "select" else answer.rows, fmt, _stdout().write,
                     getattr(answer, "columns", ()))
        return
    if name:
        result = api.stream_named_query(kg, name, bound, lang=lang, timeout=timeout or None, limit=limit,
                                        memory_mb=max_memory or None)
    else:
        text = Path(file).read_text(encoding="utf-8") if file else sparql
        result = api.stream_query(kg, text, bound, lang=lang, source=file or "query",
                                  timeout=api.DEFAULT_TIMEOUT if timeout is None else timeout or None, limit=limit,
                                  memory_mb=max_memory or None)
    out = _stdout()
    with result:
        result.on_wait = out.flush
        write_answer(result.kind, result.boolean if result.kind == "ask" else result, fmt, out.write, result.columns)


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
        _emit(reading.render(r, width or shutil.get_terminal_size((100, 24)).columns))
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
    coverage = (f"citation coverage: {st['cited_statements']}/{st['fact_statements']} "
                f"({st['citation_coverage']:.2%}); {st['citations']} citations in "
                f"{st['source_documents']} source documents")
    tables = [("classes", ["class", "entities"], sorted(st["classes"].items())),
              ("properties", ["property", "statements"], sorted(st["properties"].items())),
              ("zones", *completeness_table(st["zones"]))]
    if fmt == "json":
        click.echo(coverage, err=True)  # stdout stays one JSON document
        _echo_tables(tables)
        return
    _emit(coverage + "\n\n")
    for i, (_, columns, rows) in enumerate(tables):
        _emit("\n" if i else "")
        _echo_rows(columns, rows, fmt)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder to write the exports into, replaced atomically; only an empty folder or a previous "
                   "export is replaced [default: exports/ in the --root folder].")
@click.option("--bom", is_flag=True, help="Start CSV files with a UTF-8 byte-order mark (for Excel).")
@click.pass_context
def build(ctx, out, bom):
    """Validate, then regenerate every export (RDF, CSV, JSON-LD, VoID, stats) into --out.

    Example: zonegraph build --out exports
    """
    progress = _progress()
    result = api.build(_kg(ctx, progress), out, bom=bom, progress=progress)
    click.echo(f"wrote {len(result.files)} files ({result.triples} triples, {result.quads} quads) to {result.out}")
    for name in result.files:
        click.echo(f"  {result.out / name}")



@cli.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "-F", "fmt", type=click.Choice(["markdown", "tsv"]), default="markdown", show_default=True,
              help="Markdown changelog or one TSV row per change.")
@click.option("--title", help="Heading of the Markdown changelog [default: Changes from OLD to NEW].")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--bom", is_flag=True, help="Start TSV output with a UTF-8 byte-order mark, for Excel.")
@click.pass_context
def diff(ctx, old, new, fmt, title, output, bom):
    """Compare two releases in data terms: entities and facts added, removed, changed, with sources.

    OLD and NEW are export folders (holding zonegraph.nq), checkout folders, or git revisions.
    Example: zonegraph diff ad8234f . --title "zonegraph 0.2.0" -o CHANGELOG.md
    """
    from graph import diff as df

    root = ctx.find_root().obj.get("root")
    rows = df.diff(df.load_release(old, root), df.load_release(new, root))
    text = df.markdown(rows, old, new, title) if fmt == "markdown" else df.tsv(rows)
    if bom and fmt == "tsv":
        text = BOM + text
    if output:
        _write_file(output, text, "-o")
        counts = df.summary(rows)
        click.echo(f"wrote {output}: " + ", ".join(f"{n} {k}" for k, n in counts.items()), err=True)
    else:
        _emit(text)


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
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@output_options(formats=TRACE_FORMATS,
                format_help="table (default on a terminal), json (chains of hops with their evidence), csv, tsv, "
                            "markdown or html [default: csv when piped or written with -o].")
@click.pass_context
def trace(ctx, source, target, industry, as_of, mode, max_hops, limit, fmt, lang, output):
    """Trace transfer chains from one entity to another, every hop with its date and citation.

    Example: zonegraph trace --from 京津冀 --to 朝阳市 --industry 新材料
    """
    from graph import tracing as tr

    kg = _kg(ctx)
    result = api.trace(kg, source, target, industry, as_of, mode, max_hops, limit)
    if fmt == "json":
        text = json.dumps(tr.as_json(kg, result), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "html":
        text = tr.as_html(kg, result, lang)
    else:
        text = render(*tr.hop_rows(kg, result.paths or result.partial, lang), fmt)
    if output:
        _write_file(output, _bom_for(fmt) + text, "-o")
    else:
        _emit(text)
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
    if fmt == "json":
        _echo_tables(tables)
    for title, columns, rows in tables:
        if fmt != "json":
            _emit(f"## {title} ({len(rows)} rows)\n\n")
            _echo_rows(columns, rows, fmt)
            _emit("\n")
        if csv_dir:
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
            _write_file(Path(csv_dir) / f"{slug}.csv", _bom_for("csv") + render(columns, rows, "csv"), "--csv")


@cli.command()
@click.option("--copies", default=1, show_default=True,
              help="Replicate the data this many times (renamed IRIs) to measure a larger graph.")
@click.option("--repeat", default=3, show_default=True, help="Runs per measurement; the median is shown.")
@click.option("--no-rdflib", is_flag=True, help="Time pyoxigraph only (rdflib takes minutes at --copies 10).")
@click.option("--scale", metavar="N,N,...",
              help="Instead: write roots holding the data N times and time every command there as a whole "
                   "process (seconds, peak memory, growth), e.g. --scale 1,10,100.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the --scale roots [default: a temporary folder, removed after].")
@click.option("--budget", type=float, default=1800, show_default=True, metavar="SECONDS",
              help="With --scale: stop a command that runs longer than this (shown as stopped).")
@output_options
@click.pass_context
def bench(ctx, copies, repeat, no_rdflib, scale, workdir, budget, fmt, lang):
    """Time loading and every named query in pyoxigraph (our engine) against rdflib, with ratios;
    with --copies N also each query's growth (its time at N copies over its time at one).
    With --scale, time every command at several sizes of the data instead.

    Example: zonegraph bench --copies 10 -F markdown
    Example: zonegraph bench --scale 1,10,100 -F markdown
    """
    progress = _progress()
    if scale:
        _bench_scale(ctx, scale, workdir, budget, fmt, progress)
        return
    from graph.bench import run

    total, timings = run(_kg(ctx, progress), copies=copies, repeat=repeat, rdflib=not no_rdflib,
                         progress=progress)
    rows = [[t.task, f"{t.oxigraph_ms:.1f}", "-" if t.rdflib_ms != t.rdflib_ms else f"{t.rdflib_ms:.1f}",
             "-" if t.ratio != t.ratio else f"{t.ratio:.0f}x", "" if t.growth is None else f"{t.growth:.1f}x",
             t.rows] for t in timings]
    _echo_rows(["task", "pyoxigraph_ms", "rdflib_ms", "rdflib/pyoxigraph", f"growth_at_{copies}_copies",
                "rows"], rows, fmt)


def _bench_scale(ctx, scale, workdir, budget, fmt, progress):
    import tempfile

    from graph import scalebench

    try:
        scales = [int(x) for x in scale.split(",") if x.strip()]
        if not scales or min(scales) < 1:
            raise ValueError
    except ValueError:
        raise click.BadParameter("give whole numbers of 1 or more separated by commas, e.g. 1,10,100",
                                 param_hint="--scale") from None
    root = ctx.find_root().obj.get("root")
    with tempfile.TemporaryDirectory(prefix="zonegraph-scale-") as tmp:
        from graph.paths import find_root

        runs = scalebench.run(find_root(root), scales, workdir or Path(tmp), progress=progress, budget=budget)
    _echo_rows(*scalebench.table(runs), fmt)


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
    progress = _progress()
    results = benchviz.run(_kg(ctx, progress), numbers, timeout, chromium, include_pyvis=not no_pyvis,
                           progress=progress)
    _echo_rows(*benchviz.rows(results, timeout), fmt)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only unless --public).")
@click.option("--port", default=7878, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--timeout", default=10.0, show_default=True, metavar="SECONDS",
              help="A query with no complete answer by then gets HTTP 504 and its engine is restarted.")
@click.option("--workers", default=2, show_default=True, help="Oxigraph processes answering in parallel.")
@click.option("--public", is_flag=True, help="Allow a --host that is not loopback (anyone who reaches it can query).")
@click.pass_context
def serve(ctx, host, port, timeout, workers, public):
    """Serve the graph read-only over the SPARQL 1.1 Protocol (/query, /store, query page at /).

    Example: zonegraph serve --port 7878 --timeout 10
    """
    from graph import persist, serve as sv

    if not sv.is_loopback(host) and not public:
        raise click.UsageError(f"--host {host} is not loopback: add --public to serve other machines")
    if timeout <= 0 or workers < 1:
        raise click.UsageError("--timeout must be positive and --workers at least 1")
    started = time.monotonic()
    kg, info = persist.open_graph(ctx.find_root().obj.get("root"), log=lambda m: click.echo(m, err=True))
    try:
        server = sv.Server(info.path, sv.page(kg), host, port, timeout, workers)
    except OSError as err:
        raise click.UsageError(f"cannot listen on {host}:{port} ({err.strerror}); pick another --port") from None
    if not sv.is_loopback(host):
        click.echo(f"Warning: listening on {host}, not loopback: anyone who can reach this machine can query "
                   "the graph (read-only).", err=True)
    click.echo(f"serving {info.path.name} at {server.url}/ (query page), {server.url}/query, {server.url}/store; "
               f"timeout {timeout:g} s, {workers} engines; ready in {time.monotonic() - started:.2f} s. "
               "Ctrl-C stops.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol URL, e.g. http://host:7878/store or http://host:8890/sparql-graph-crud-auth.")
@click.option("--user", help="User name (HTTP Basic or Digest).")
@click.option("--password", envvar="ZONEGRAPH_PASSWORD", help="Password for --user [env: ZONEGRAPH_PASSWORD].")
@click.option("--union-graph", metavar="IRI",
              help="Put the union into this named graph instead of the default graph (Virtuoso: see README).")
@click.pass_context
def push(ctx, endpoint, user, password, union_graph):
    """Load the whole dataset into a SPARQL store: every named graph, and the union as the default graph.

    Example: zonegraph push --endpoint http://127.0.0.1:7879/store
    """
    from graph import persist

    kg, info = persist.open_graph(ctx.find_root().obj.get("root"), log=lambda m: click.echo(m, err=True))
    from graph import remote

    result = remote.push(kg.store, endpoint, user, password, union_graph)
    click.echo(f"pushed {result.graphs} named graphs ({result.quads} quads) and the union "
               f"({result.union_triples} triples) into {union_graph or 'the default graph'} at {endpoint}")


@cli.command("bench-serve")
@click.option("--requests", "n_requests", default=2000, show_default=True, help="Requests in the mix.")
@click.option("--clients", default=16, show_default=True, help="Concurrent clients.")
@click.option("--runaways", default=4, show_default=True, help="Runaway queries sent alongside, one at a time.")
@click.option("--timeout", default=5.0, show_default=True, metavar="SECONDS", help="serve's --timeout.")
@click.option("--workers", default=2, show_default=True, help="serve's --workers.")
@output_options
@click.pass_context
def bench_serve(ctx, n_requests, clients, runaways, timeout, workers, fmt, lang):
    """Load `serve` on loopback with the named queries plus runaway queries: latency, errors, ratio.

    Example: zonegraph bench-serve --requests 2000 --clients 16 -F markdown
    """
    from graph import benchserve, persist, serve as sv

    kg, info = persist.open_graph(ctx.find_root().obj.get("root"), log=lambda m: click.echo(m, err=True))
    t = time.monotonic()
    with sv.Server(info.path, "", port=0, timeout=timeout, workers=workers) as server:
        ready = time.monotonic() - t
        result = benchserve.run(kg, server.url + "/query", n_requests, clients, runaways, timeout)
        rss = server.guard.rss_kb() + sv._rss_kb(__import__("os").getpid())
    columns, rows = benchserve.rows(result, timeout)
    rows += [["serve start-up (store fresh)", f"{ready:.2f} s"],
             ["memory after the load (engines + this process)", f"{rss / 1024:.0f} MB"]]
    _echo_rows(columns, rows, fmt)
    if result.errors:
        ctx.exit(1)


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
        _write_file(out, draft, "--out")
    _echo_rows(columns, rows, fmt)


def main():
    try:
        cli(prog_name="zonegraph")
    except SystemExit as exit_:
        # Output still buffered is flushed at exit; if the reader has gone, that is not an error.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_stdout()
        raise exit_
