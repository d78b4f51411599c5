"""Files read by forked workers (workers.in_chunks): the same results, in order, as here."""

from __future__ import annotations

import os

import pytest

from lettre import workers

pytestmark = pytest.mark.skipif(not workers.can_fork(), reason="no fork on this system")


def _pids_and_values(part: tuple[int, ...]) -> list[tuple[int, int]]:
    return [(os.getpid(), value * value) for value in part]


def test_many_things_are_shared_out_and_come_back_in_order() -> None:
    things = list(range(50))
    results = list(workers.in_chunks(_pids_and_values, things, 4, 10, workers=2))
    assert [value for _pid, value in results] == [n * n for n in things]
    assert os.getpid() not in {pid for pid, _value in results}  # all read by the workers


def test_few_things_are_read_here() -> None:
    results = list(workers.in_chunks(_pids_and_values, [1, 2, 3], 2, 10, workers=2))
    assert results == [(os.getpid(), 1), (os.getpid(), 4), (os.getpid(), 9)]


def test_one_core_reads_here() -> None:
    results = list(workers.in_chunks(_pids_and_values, list(range(30)), 4, 10, workers=1))
    assert {pid for pid, _value in results} == {os.getpid()}


def test_a_closure_reaches_the_workers_unpickled() -> None:
    """The workers inherit the work and what it holds (a lock cannot be pickled)."""
    import threading

    lock = threading.Lock()

    def work(part: tuple[int, ...]) -> list[int]:
        return [value + (lock is not None) for value in part]

    assert list(workers.in_chunks(work, list(range(20)), 3, 5, workers=2)) == list(range(1, 21))
