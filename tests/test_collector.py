"""The garbage collector's young generation is larger while broadcasts run, and only while they do."""

from __future__ import annotations

import gc
import threading

from siaran.delivery import collector


def test_threshold_raised_while_a_broadcast_runs_and_restored_after():
    before = gc.get_threshold()
    with collector.fewer_collections():
        assert gc.get_threshold() == (max(before[0], collector.YOUNG), *before[1:])
    assert gc.get_threshold() == before


def test_overlapping_broadcasts_restore_only_when_the_last_ends():
    """Two broadcasts in two threads, the first ending while the second still runs."""
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[tuple[int, ...]] = []

    def first():
        with collector.fewer_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with collector.fewer_collections():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.get_threshold())  # the first has ended: still raised for this one

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [(collector.YOUNG, *before[1:])]
    assert gc.get_threshold() == before


def test_restored_when_the_broadcast_fails():
    before = gc.get_threshold()
    try:
        with collector.fewer_collections():
            raise RuntimeError("provider down")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
