"""Cooperative deadlines (``symbolic.deadline``): nesting, lifting, threads."""

import threading
import time

import pytest

from symbolic.deadline import Deadline, check, left, lifted, until


def test_no_deadline_never_stops():
    assert left() is None
    check()


def test_a_passed_deadline_stops_the_next_check():
    with until(time.monotonic() - 1):
        assert left() < 0
        with pytest.raises(Deadline):
            check()
    check()  # gone with its block


def test_an_inner_deadline_never_extends_an_outer_one():
    now = time.monotonic()
    with until(now - 1):
        with until(now + 100):
            with pytest.raises(Deadline):
                check()
    with until(now + 100):
        with until(now - 1):  # an earlier inner one applies
            with pytest.raises(Deadline):
                check()
        check()  # the outer one again
        assert 99 < left() <= 100


def test_lifted_work_runs_to_the_end():
    with until(time.monotonic() - 1):
        with lifted():
            check()
            assert left() is None
        with pytest.raises(Deadline):
            check()


def test_threads_keep_their_own_deadline():
    seen = []

    def other():
        seen.append(left())
        check()

    with until(time.monotonic() - 1):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen == [None]
