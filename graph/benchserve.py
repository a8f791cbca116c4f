"""``zonegraph bench-serve``: a bounded load on ``serve`` over loopback.

The mix is every named query with its documented example (and without its optional parameters),
repeated in a fixed order; a few runaway queries (a three-way cross product) run alongside, one at
a time, and must end in the timeout status. Reported: latency percentiles of the normal requests,
errors (must be 0), what the runaways got, and the ratio of served to in-process time per query
(the in-process time is measured on the same on-disk store, so the ratio is the protocol's cost
plus queueing under load).
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from graph import remote
from graph.api import named_text
from graph.queries import named_queries

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class LoadResult:
    requests: int
    clients: int
    seconds: float
    latencies_ms: list[float]
    errors: list[str]
    runaway_statuses: list[int]
    runaway_ms: list[float]
    ratios: dict[str, float] = field(default_factory=dict)
    in_process_ms: dict[str, float] = field(default_factory=dict)
    sequential_ms: dict[str, float] = field(default_factory=dict)  # one client, no load: protocol cost

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def workload(kg) -> list[tuple[str, str]]:
    """(label, standalone SPARQL) for every named query run: example, and bare when it differs."""
    out = []
    for name, q in named_queries().items():
        for run, params in q.runs():
            label = name if run == "example" else f"{name} ({run})"
            out.append((label, remote.standalone(named_text(kg, name, params))))
    return out


def _post(url: str, sparql: str, timeout: float) -> tuple[int, float]:
    body = urllib.parse.urlencode({"query": sparql}).encode()
    req = urllib.request.Request(url, data=body, headers={"Accept": remote.JSON_RESULTS})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        err.read()
        status = err.code
    return status, (time.perf_counter() - t) * 1000


def run(kg, url: str, requests: int = 2000, clients: int = 16, runaways: int = 4,
        timeout: float = 5.0, repeat: int = 5) -> LoadResult:
    mix = workload(kg)
    in_process = {}
    for label, text in mix:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            list(kg.store.query(text))
            times.append((time.perf_counter() - t) * 1000)
        in_process[label] = statistics.median(times)
    sequential = {}
    for label, text in mix:
        sequential[label] = statistics.median(_post(url, text, timeout * 4)[1] for _ in range(repeat))
    plan = [mix[i % len(mix)] for i in range(requests)]
    per_query: dict[str, list[float]] = {label: [] for label, _ in mix}
    latencies, errors = [], []
    lock = threading.Lock()
    run_status, run_ms = [], []

    def one(item):
        label, text = item
        status, ms = _post(url, text, timeout * 4)
        with lock:
            latencies.append(ms)
            per_query[label].append(ms)
            if status != 200:
                errors.append(f"{label}: HTTP {status}")

    def runaway_client():
        for _ in range(runaways):  # one at a time: a runaway holds one engine until the timeout
            status, ms = _post(url, RUNAWAY, timeout * 4)
            run_status.append(status)
            run_ms.append(ms)

    start = time.perf_counter()
    side = threading.Thread(target=runaway_client)
    side.start()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, plan))
    side.join()
    seconds = time.perf_counter() - start
    ratios = {label: statistics.median(ms) / max(in_process[label], 1e-3)
              for label, ms in per_query.items() if ms}
    return LoadResult(requests, clients, seconds, latencies, errors, run_status, run_ms, ratios, in_process, sequential)


def rows(result: LoadResult, timeout: float) -> tuple[list[str], list[list]]:
    ratios = sorted(result.ratios.values())
    total_in = sum(result.in_process_ms[label] for label in result.ratios)
    served_p50 = {label: r * result.in_process_ms[label] for label, r in result.ratios.items()}
    seq = sorted(result.sequential_ms[k] / max(result.in_process_ms[k], 1e-3) for k in result.sequential_ms)
    seq_total = sum(result.sequential_ms.values())
    table = [
        ["one client, no load: served / in-process, per query (median)",
         f"{statistics.median(seq):.2f}x (min {seq[0]:.2f}x, max {seq[-1]:.2f}x)"],
        ["one client, no load: whole mix", f"{seq_total / max(total_in, 1e-3):.2f}x "
                                           f"({seq_total:.0f} ms vs {total_in:.0f} ms per pass)"],
        ["requests", f"{result.requests} from {len(result.ratios)} named-query runs, {result.clients} clients"],
        ["wall time", f"{result.seconds:.1f} s ({result.requests / result.seconds:.0f} requests/s)"],
        ["latency p50", f"{result.pct(50):.1f} ms"],
        ["latency p99", f"{result.pct(99):.1f} ms"],
        ["errors", f"{len(result.errors)}" + (f" ({'; '.join(sorted(set(result.errors))[:5])})" if result.errors else "")],
        ["runaway queries", ", ".join(f"HTTP {s} after {ms / 1000:.1f} s" for s, ms in
                                      zip(result.runaway_statuses, result.runaway_ms)) + f" (timeout {timeout:g} s)"],
        ["under load: served / in-process, per query (median)", f"{statistics.median(ratios):.1f}x "
                                                     f"(min {ratios[0]:.1f}x, max {ratios[-1]:.1f}x)"],
        ["under load: served / in-process, whole mix", f"{sum(served_p50.values()) / max(total_in, 1e-3):.1f}x "
                                           f"({sum(served_p50.values()):.0f} ms vs {total_in:.0f} ms per pass)"],
    ]
    return ["measure", "value"], table
