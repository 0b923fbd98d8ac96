"""The hand-over between the listings and the converter: bounded per listing, the longest listing served first."""

from __future__ import annotations

import threading

import pytest

from alibaba_jupiterone.pipeline.handoff import Handoff


def test_the_producer_that_handed_over_most_is_served_first_each_in_order():
    handoff = Handoff(depth=3, stop=threading.Event())
    handoff.put("small", "s1")
    for item in ("b1", "b2", "b3"):
        handoff.put("big", item)

    taken = [handoff.get() for _ in range(4)]

    assert taken == [("big", "b1"), ("big", "b2"), ("big", "b3"), ("small", "s1")]


def test_a_producer_at_its_depth_waits_for_the_consumer_and_the_others_do_not():
    handoff = Handoff(depth=1, stop=threading.Event())
    handoff.put("a", 1)
    blocked = threading.Thread(target=handoff.put, args=("a", 2))
    blocked.start()
    blocked.join(timeout=0.3)
    assert blocked.is_alive(), "a second item of the same producer waits"
    assert handoff.put("b", 1), "another producer is not held up"

    assert handoff.get() == ("a", 1)
    blocked.join(timeout=5)

    assert not blocked.is_alive()
    assert sorted(handoff.get() for _ in range(2)) == [("a", 2), ("b", 1)]


def test_stop_releases_a_waiting_producer_and_refuses_new_items():
    stop = threading.Event()
    handoff = Handoff(depth=1, stop=stop)
    handoff.put("a", 1)
    results = []
    waiting = threading.Thread(target=lambda: results.append(handoff.put("a", 2)))
    waiting.start()

    stop.set()
    waiting.join(timeout=5)

    assert results == [False]
    assert handoff.put("b", 1) is False
    assert handoff.get() == ("a", 1)


def test_depth_must_be_positive():
    with pytest.raises(ValueError, match="depth"):
        Handoff(depth=0, stop=threading.Event())
