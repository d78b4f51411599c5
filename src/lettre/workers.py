"""Many files read by one forked process per core: how many, and how they share the work.

`check` and `list` read every file of a big folder the same way: in chunks, in order, by
forked workers that inherit the caller's state (the configuration, what it loaded) and
send back small plain records, never items.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 4

# the chunk's work of the running `in_chunks`: inherited by the forked workers, never pickled
_WORK: list[Callable[[Any], list[Any]]] = []


def worker_count() -> int:
    """How many processes share a job: one per core this process may use, up to 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def can_fork() -> bool:
    """Whether workers can be forked (they inherit what this process loaded)."""
    import multiprocessing  # only where work is shared

    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def shared_with_workers() -> Iterator[None]:
    """What this process holds stays shared with the workers it forks meanwhile: the
    collector would otherwise touch every inherited object in each worker, and the kernel
    copy its pages."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def in_chunks(
    work: Callable[[tuple[T, ...]], list[R]],
    things: Sequence[T],
    chunk: int,
    parallel_from: int,
    workers: int | None = None,
) -> Generator[R, None, None]:
    """`work`'s results for `things`, `chunk` at a time, in order, as they come: in forked
    workers when there are at least `parallel_from` things and more than one core, else
    here. `work` may be any callable (a closure too): the workers inherit it."""
    count = worker_count() if workers is None else workers
    chunks = [tuple(things[i : i + chunk]) for i in range(0, len(things), chunk)]
    if len(things) < parallel_from or count < 2 or not can_fork():
        for part in chunks:
            yield from work(part)
        return
    import multiprocessing

    _WORK[:] = [work]
    try:
        with shared_with_workers(), multiprocessing.get_context("fork").Pool(count) as pool:
            for results in pool.imap(_run, chunks):
                yield from results
    finally:
        _WORK.clear()


def _run(part: tuple[Any, ...]) -> list[Any]:
    return _WORK[0](part)
