"""Bounded SPARQL: run a query in a forked child so that it can be stopped.

pyoxigraph evaluates a query in Rust without returning to Python (one ``next()`` of a cross
product can run for hours), so neither a Python timeout nor Ctrl-C reaches it. After the graph is
loaded we ``fork()``: the child shares the loaded store copy-on-write (no reload; the fork itself
takes about 1.5 ms here, and the pages the query writes to are copied as it runs), runs the query and streams rows back over a pipe in small marshalled batches; the parent reads them
with a deadline and kills the child on timeout, Ctrl-C, ``--limit`` or a closed stdout. The pipe's
back-pressure keeps the child from running ahead of a slow reader, so memory stays bounded for
any query the engine itself can stream (ORDER BY, GROUP BY and DISTINCT still collect in the
engine; the deadline bounds those).

Where ``fork`` is missing (Windows) the query runs in-process: same rows, no timeout. A host with
threads of its own (a server) forks too; a child that inherits a lock held by another thread would
wait forever, which the timeout then ends.
"""

from __future__ import annotations

import faulthandler
import functools
import marshal
import os
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator

import pyoxigraph as ox

from graph.errors import QueryCrashed, QueryInterrupted, QueryTimeout, ZonegraphError

_HEADER = struct.Struct("!I")
# The first row goes out at once (a user watching a terminal sees it); then rows are batched
# for throughput, but never held longer than this after the previous batch.
_FLUSH_SECONDS = 0.05
_BATCH_ROWS = 1000

CAN_FORK = hasattr(os, "fork") and sys.platform != "win32"


def _encode(term: object) -> object:
    # Plain tuples serialise 4x faster than pyoxigraph terms (10k rows: 25 ms vs 110 ms with pickle),
    # and marshal (built in, no import) takes them.
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return (0, term.value)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if term.language:
        return (2, term.value, term.language)
    return (3, term.value, term.datatype.value)


@functools.lru_cache(maxsize=1 << 16)  # rows of a large result share most of their terms
def _decode(cell: object) -> object:
    if cell is None:
        return None
    kind = cell[0]
    if kind == 0:
        return ox.NamedNode(cell[1])
    if kind == 1:
        return ox.BlankNode(cell[1])
    if kind == 2:
        return ox.Literal(cell[1], language=cell[2])
    return ox.Literal(cell[1], datatype=ox.NamedNode(cell[2]))


class QueryStream:
    """The answer of one query, read as it is computed. Use it as a context manager.

    ``kind`` is ``"select"`` (iterate for tuples of pyoxigraph terms, in ``columns`` order; unbound
    is None), ``"ask"`` (``boolean``) or ``"graph"`` (iterate for pyoxigraph triples). Leaving the
    ``with`` block stops the query if it is still running.
    """

    kind: str
    columns: list[str]
    boolean: bool | None
    # Called before waiting for the engine: the CLI flushes stdout there, so rows already
    # written reach a pipe (`| head`) at once without a flush per row.
    on_wait: Callable[[], object] | None = None

    # Applied to each SELECT row as it arrives (named queries sort their multi-valued cells).
    transform: Callable[[list[str], tuple], tuple] | None = None

    _rows: Iterator[object] | None = None

    def __iter__(self) -> Iterator[object]:
        # One iterator per stream: the rows are read once, and a second loop continues the first.
        if self._rows is None:
            rows = self._generate()
            if self.transform is not None and self.kind == "select":
                rows = (self.transform(self.columns, row) for row in rows)
            self._rows = rows
        return self._rows

    def __next__(self) -> object:
        return next(iter(self))

    def _generate(self) -> Iterator[object]:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> "QueryStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _InProcess(QueryStream):
    def __init__(self, kg, sparql: str, params: dict | None, source: str, limit: int | None):
        result = kg._run(sparql, params, source)
        self.limit, self.boolean, self.columns = limit, None, []
        if isinstance(result, ox.QuerySolutions):
            self.kind, self.columns, self._it = "select", [v.value for v in result.variables], map(tuple, result)
        elif isinstance(result, ox.QueryBoolean):
            self.kind, self.boolean, self._it = "ask", bool(result), iter(())
        else:
            self.kind, self._it = "graph", iter(result)

    def _generate(self):
        for i, item in enumerate(self._it):
            if self.limit is not None and i >= self.limit:
                return
            yield item


class _Forked(QueryStream):
    def __init__(self, kg, sparql: str, params: dict | None, source: str, timeout: float | None,
                 limit: int | None, memory_mb: int | None, standby=None):
        self.source, self.timeout, self.memory_mb = source, timeout, memory_mb
        self.boolean, self.columns = None, []
        self._buf = bytearray()
        if standby is not None:
            pid, read_fd = standby.hand(kg, sparql, params, source, limit, memory_mb)
        else:
            read_fd, write_fd = os.pipe()
            parent = os.getpid()
            try:
                pid = os.fork()
            except OSError as err:  # EAGAIN/ENOMEM: too many processes or too little memory
                os.close(read_fd)
                os.close(write_fd)
                raise QueryCrashed(source, f"could not start the query worker ({err.strerror}); "
                                           "free some memory or processes and run it again") from None
            if pid == 0:  # child: never returns
                os.close(read_fd)
                _child(kg, sparql, params, source, limit, write_fd, parent, memory_mb)
            os.close(write_fd)
        self._pid: int | None = pid
        self._fd: int | None = read_fd
        self._deadline = None if not timeout else time.monotonic() + timeout
        try:
            head = self._frame()
            if head[0] == "error":
                raise _error(head)
            self.kind = head[0]
            if self.kind == "select":
                self.columns = head[1]
            elif self.kind == "ask":
                self.boolean = head[1]
        except BaseException:
            self.close()
            raise

    def _generate(self):
        if self.kind == "ask":
            return
        try:
            while True:
                frame = self._frame()
                if frame[0] == "end":
                    self._finish()
                    break
                if frame[0] == "error":
                    raise _error(frame)
                if self.kind == "select":
                    for row in frame[1]:
                        yield tuple(_decode(c) for c in row)
                else:
                    for s, p, o in frame[1]:
                        yield ox.Triple(_decode(s), _decode(p), _decode(o))
        finally:
            self.close()

    def _frame(self) -> tuple:
        size = None
        while True:
            if size is None and len(self._buf) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self._buf)
            if size is not None and len(self._buf) >= _HEADER.size + size:
                data = bytes(self._buf[_HEADER.size:_HEADER.size + size])
                del self._buf[:_HEADER.size + size]
                return marshal.loads(data)
            self._fill()

    def _fill(self) -> None:
        if self._fd is None:
            raise QueryCrashed(self.source, "the query was already stopped")
        try:
            if self.on_wait is not None:
                self.on_wait()
            wait = None if self._deadline is None else max(0.0, self._deadline - time.monotonic())
            ready, _, _ = select.select([self._fd], [], [], wait)
        except KeyboardInterrupt:
            self.close()
            raise QueryInterrupted(self.source) from None
        if not ready:
            self.close()
            raise QueryTimeout(self.source, self.timeout or 0)
        chunk = os.read(self._fd, 1 << 16)
        if not chunk:
            status = self._reap()
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT:
                raise QueryInterrupted(self.source)
            raise QueryCrashed(self.source, _describe(status, self.memory_mb))
        self._buf += chunk

    def _reap(self) -> int:
        status = 0
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._pid is not None:
            try:
                _, status = os.waitpid(self._pid, 0)
            except ChildProcessError:  # reaped elsewhere (a host application ignoring SIGCHLD)
                pass
            self._pid = None
        return status

    def _finish(self) -> None:
        """The child said "end" and exits by itself; tearing down its copy of the address space
        takes a few ms, so do not wait for it: the next query reaps it (or init does, once we exit)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._pid is not None:
            try:
                if os.waitpid(self._pid, os.WNOHANG)[0] == 0:
                    _exiting.append(self._pid)
            except ChildProcessError:
                pass
            self._pid = None

    def close(self) -> None:
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._reap()


# Children that had finished their work but not yet exited when last seen.
_exiting: list[int] = []


def reap_finished(block: bool = False) -> None:
    """Collect workers that finished (see :meth:`_Forked._finish`); ``block`` waits for them."""
    for pid in list(_exiting):
        try:
            done = os.waitpid(pid, 0 if block else os.WNOHANG)[0]
        except ChildProcessError:
            done = pid
        if done:
            _exiting.remove(pid)


def _error(frame: tuple) -> ZonegraphError:
    """The child's error again, with its type (so callers can catch UnknownPrefix etc.) and message."""
    from graph import errors

    cls = getattr(errors, frame[1], None)
    if not (isinstance(cls, type) and issubclass(cls, ZonegraphError)):
        cls = ZonegraphError
    return errors.rebuild(cls, frame[2])


def _describe(status: int, memory_mb: int | None) -> str:
    if not os.WIFSIGNALED(status):
        return f"the query worker stopped unexpectedly (exit status {os.waitstatus_to_exitcode(status)})"
    # An allocation past RLIMIT_AS aborts the Rust engine; the kernel's OOM killer sends SIGKILL.
    sig = signal.Signals(os.WTERMSIG(status)).name
    limit = f"its memory limit ({memory_mb} MB above the loaded graph)" if memory_mb else "the machine's memory"
    return (f"the query engine stopped ({sig}), most likely at {limit}: narrow the query "
            f"(anchor the patterns on a class or an IRI, add LIMIT, avoid ORDER BY/GROUP BY over huge joins)")


def _child(kg, sparql, params, source, limit, fd, parent, memory_mb, standby_open=None) -> None:
    """Run the query and send its answer over ``fd``. ``standby_open``: this is a standby worker,
    set up already; it returns the store to query (failing as a fresh worker's reopening fails)."""
    def send(message: tuple) -> None:
        data = marshal.dumps(message)
        view = memoryview(_HEADER.pack(len(data)) + data)
        while view:
            view = view[os.write(fd, view):]

    code = 0
    try:
        if standby_open is None:
            _become_child(kg, parent, (0, 1, 2))
        else:
            kg.store = standby_open()
        if memory_mb:
            _limit_memory(memory_mb)

        try:
            result = kg._run(sparql, params, source)
        except ZonegraphError as err:
            send(("error", type(err).__name__, str(err)))
            return
        if isinstance(result, ox.QueryBoolean):
            send(("ask", bool(result)))
            return
        if isinstance(result, ox.QuerySolutions):
            send(("select", [v.value for v in result.variables]))
            encode = lambda sol: tuple(map(_encode, sol))  # noqa: E731
        else:
            send(("graph",))
            encode = lambda t: (_encode(t.subject), _encode(t.predicate), _encode(t.object))  # noqa: E731
        batch: list = []
        last = 0.0
        count = 0
        try:
            for item in result:
                if limit is not None and count >= limit:
                    break
                batch.append(encode(item))
                count += 1
                now = time.monotonic()
                if len(batch) >= _BATCH_ROWS or now - last >= _FLUSH_SECONDS:
                    send(("rows", batch))
                    batch, last = [], now
        except (OSError, SyntaxError, ValueError) as err:  # evaluation errors surface while iterating
            send(("rows", batch))
            error = kg._query_error(err, sparql, params, source)
            send(("error", type(error).__name__, str(error)))
            return
        if batch:
            send(("rows", batch))
        send(("end",))
    except BrokenPipeError:
        pass  # the parent stopped reading (limit, closed stdout): nothing more to do
    except BaseException as exc:  # noqa: BLE001 - the child must never return into the parent's code
        code = 70
        try:
            what = "ran out of memory" if isinstance(exc, MemoryError) else f"failed ({type(exc).__name__}: {exc})"
            send(("error", "QueryCrashed", f"{source}: the query worker {what}; narrow the query"))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


def _become_child(kg, parent: int, silenced: tuple[int, ...]) -> None:
    """What a forked child does first, before any work of its own (``kg`` None: no store to reopen)."""
    # The parent's stdin/stdout (and stderr for a query): holding them would delay the EOF that a
    # reader of its output (`| head`, a test harness) waits for until this process has exited.
    devnull = os.open(os.devnull, os.O_RDWR)
    for std in silenced:
        os.dup2(devnull, std)
    # A query stopped by the memory cap aborts this process on purpose; a fault handler that
    # pytest (or the user) enabled would print the parent's stack on its own copy of stderr.
    faulthandler.disable()
    # Ctrl-C goes to the whole foreground process group: let it end the child at once
    # (Python's own handler would wait for the engine to return to Python).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    if kg is not None and kg.store_path is not None:
        # A store on disk: open our own read-only handle rather than use the parent's RocksDB
        # one across fork() (its background threads and locks do not survive a fork).
        kg.store = ox.Store.read_only(str(kg.store_path))


def _limit_memory(memory_mb: int) -> None:
    """Cap the child's address space at its current size plus ``memory_mb``: a query that would
    swallow the machine (ORDER BY over a cross product) fails its allocation and dies instead."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = size + memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills the child if the parent dies (e.g. SIGKILL), so no query is orphaned."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


DEFAULT_MEMORY_MB = 2048  # see graph.api.DEFAULT_MEMORY_MB


def stream(kg, sparql: str, params: dict | None = None, *, source: str = "query",
           timeout: float | None = None, limit: int | None = None,
           memory_mb: int | None = DEFAULT_MEMORY_MB, standby=None) -> QueryStream:
    """Start ``sparql`` over ``kg`` and return a :class:`QueryStream` of its answer.

    ``timeout`` (seconds, None or 0 for none) bounds the whole query, rows included;
    ``limit`` stops after that many rows; ``memory_mb`` caps what the query may allocate (Linux;
    None for no cap) and a query past it fails with :class:`QueryCrashed` (exit 2).
    Raises :class:`QueryTimeout` (exit 3) or :class:`QueryInterrupted` (exit 130) from the
    iteration when the query is stopped. ``standby``: a :class:`graph.standby.Standby` worker to run it in.
    """
    if CAN_FORK:
        reap_finished()
        return _Forked(kg, sparql, params, source, timeout, limit, memory_mb, standby)
    return _InProcess(kg, sparql, params, source, limit)


class Beside:
    """``fn(kg)`` computed in a forked child while this process goes on with other work; its value
    (picklable) is collected by :meth:`result`. On a machine with two cores, two scans of a large
    graph take the time of the longer one. Where ``fork`` is missing, ``fn`` runs in
    :meth:`result`, in this process. An exception in the child is raised again here."""

    def __init__(self, kg, fn: Callable[[object], object]):
        self._kg, self._fn, self._pid = kg, fn, None
        if not CAN_FORK:
            return
        read, write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and never return into the parent's code
            code = 0
            try:
                os.close(read)
                _become_child(kg, parent, (0, 1))  # stderr stays: progress lines of the work go there
                try:
                    message = ("value", fn(kg))
                except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
                    message = ("error", exc)
                import pickle

                data = pickle.dumps(message)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
            except BaseException:  # noqa: BLE001
                code = 70
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self):
        if self._pid is None:
            return self._fn(self._kg)
        import pickle

        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if not data:
            how = (f"signal {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status)
                   else f"exit status {os.waitstatus_to_exitcode(status)}")
            raise QueryCrashed(f"a worker process ended without an answer ({how}); most likely it ran out of memory")
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child if its value was not collected (the caller's own work failed)."""
        if self._pid is not None:
            pid, self._pid = self._pid, None
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            os.close(self._read)
