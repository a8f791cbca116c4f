"""A query worker forked before its query is known (``graph.quick``).

A process that will run one query over a store on disk can fork its worker as soon as it knows
which store it will most likely use (``guess``, e.g. :func:`graph.persist.recorded_store`):
while it goes on importing, checking that the store is fresh and reading its query, the worker
opens that store. :func:`graph.worker.stream` then hands the worker its query, which it runs as
the workers ``stream`` forks do (same rows, limits and errors). A wrong guess only costs the
worker a second open.
"""

from __future__ import annotations

import marshal
import os
import signal


class Standby:
    """One query's worker, forked now; hand it a query (:func:`graph.worker.stream` does) or
    :meth:`cancel` it."""

    def __init__(self, guess: str | None):
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
            _run(guess, job_read, answer_write, parent)
        os.close(job_read)
        os.close(answer_write)
        self._pid: int | None = pid
        self._answer: int | None = answer

    def hand(self, kg, sparql: str, params: dict | None, source: str, limit: int | None,
             memory_mb: int | None) -> tuple[int, int]:
        """Send the worker its query: (its pid, the pipe its answer comes on), for the reader."""
        from graph.worker import _encode

        if self._pid is None or kg.store_path is None:
            raise ValueError("a standby worker runs one query, over a store on disk")
        view = memoryview(marshal.dumps((str(kg.store_path), sparql, {k: _encode(v) for k, v in (params or {}).items()},
                                         source, limit, memory_mb)))
        try:
            while view:
                view = view[os.write(self._job, view):]
        except BrokenPipeError:
            pass  # the worker died: its answer pipe ends at once, and the reader says so
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


def _run(guess, job_fd: int, fd: int, parent: int) -> None:
    code = 0
    try:
        from graph import worker

        worker._become_child(None, parent, (0, 1, 2))
        import pyoxigraph as ox

        opened = store = None
        if guess:
            try:
                store, opened = ox.Store.read_only(guess), guess
            except OSError:  # a guess only; the query names its store
                pass
        chunks = []
        while chunk := os.read(job_fd, 1 << 16):
            chunks.append(chunk)
        if not chunks:  # the caller went another way
            return
        path, sparql, params, source, limit, memory_mb = marshal.loads(b"".join(chunks))
        from graph.store import KnowledgeGraph  # imported by the caller before the fork (graph.quick)

        kg = KnowledgeGraph(None)
        kg.store_path = path
        worker._child(kg, sparql, {k: worker._decode(v) for k, v in params.items()}, source, limit, fd, parent,
                      memory_mb, standby_open=lambda: store if path == opened else ox.Store.read_only(path))
    except BaseException:  # noqa: BLE001 - the child must never return into the parent's code
        code = 70
    finally:
        os._exit(code)
