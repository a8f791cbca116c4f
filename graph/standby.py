"""A query worker forked before its query is known (``graph.quick``).

A process that will run one query over a store on disk forks its worker first thing, then tells it
which store it will most likely use (:meth:`Standby.guess`, e.g. from
:func:`graph.persist.recorded_store`): while the process goes on importing, checking that the
store is fresh and reading its query, the worker imports the engine and opens that store.
:func:`graph.worker.stream` then hands the worker its query, which it runs as the workers
``stream`` forks do (same rows, limits and errors). A wrong guess only costs the worker a second
open. This module imports only the standard library's basics, so the fork comes first.
"""

from __future__ import annotations

import marshal
import os
import signal


class Standby:
    """One query's worker, forked now; tell it a :meth:`guess`, then hand it a query
    (:func:`graph.worker.stream` does) or :meth:`cancel` it. Messages go down one pipe, each a
    4-byte length and a marshalled tuple."""

    def __init__(self):
        if not hasattr(os, "fork"):
            raise OSError("no fork() here: queries run in-process")
        job_read, self._job = os.pipe()
        answer, answer_write = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            for fd in (job_read, self._job, answer, answer_write):
                os.close(fd)
            raise
        if pid == 0:  # child: never returns
            os.close(self._job)
            os.close(answer)
            _run(job_read, answer_write, parent)
        os.close(job_read)
        os.close(answer_write)
        self._pid: int | None = pid
        self._answer: int | None = answer

    def guess(self, path: str | None) -> None:
        """Tell the worker which store to open while the caller goes on (None: wait for the query)."""
        self._send(("guess", path))

    def _send(self, message: tuple) -> None:
        data = marshal.dumps(message)
        view = memoryview(len(data).to_bytes(4, "big") + data)
        try:
            while view:
                view = view[os.write(self._job, view):]
        except BrokenPipeError:
            pass  # the worker died: its answer pipe ends at once, and the reader says so

    def hand(self, kg, sparql: str, params: dict | None, source: str, limit: int | None,
             memory_mb: int | None) -> tuple[int, int]:
        """Send the worker its query: (its pid, the pipe its answer comes on), for the reader."""
        from graph.worker import _encode

        if self._pid is None or kg.store_path is None:
            raise ValueError("a standby worker runs one query, over a store on disk")
        self._send(("job", str(kg.store_path), sparql, {k: _encode(v) for k, v in (params or {}).items()},
                    source, limit, memory_mb))
        os.close(self._job)
        handed = (self._pid, self._answer)
        self._pid = self._answer = None
        return handed

    def cancel(self) -> None:
        """Stop the worker if it was not handed a query."""
        if self._pid is None:
            return
        os.close(self._job)
        os.close(self._answer)
        try:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        self._pid = self._answer = None


def _read(fd: int) -> tuple | None:
    """The next message on ``fd``, or None at its end."""
    data = b""
    size = None
    while size is None or len(data) < size:
        chunk = os.read(fd, (4 if size is None else size) - len(data))
        if not chunk:
            return None
        data += chunk
        if size is None and len(data) == 4:
            size, data = int.from_bytes(data, "big"), b""
    return marshal.loads(data)


def _run(job_fd: int, fd: int, parent: int) -> None:
    code = 0
    try:
        import pyoxigraph as ox

        from graph import worker
        from graph.store import KnowledgeGraph

        worker._become_child(None, parent, (0, 1, 2))
        opened = store = None
        message = _read(job_fd)
        if message is not None and message[0] == "guess":
            if message[1]:
                try:
                    store, opened = ox.Store.read_only(message[1]), message[1]
                except OSError:  # a guess only; the query names its store
                    pass
            message = _read(job_fd)
        if message is None:  # the caller went another way
            return
        _, path, sparql, params, source, limit, memory_mb = message
        kg = KnowledgeGraph(None)
        kg.store_path = path
        worker._child(kg, sparql, {k: worker._decode(v) for k, v in params.items()}, source, limit, fd, parent,
                      memory_mb, standby_open=lambda: store if path == opened else ox.Store.read_only(path))
    except BaseException:  # noqa: BLE001 - the child must never return into the parent's code
        code = 70
    finally:
        os._exit(code)
