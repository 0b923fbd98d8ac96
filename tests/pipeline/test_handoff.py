"""The hand-over between the listings and the converter: bounded, the longest listing served first."""

from __future__ import annotations

import threading

import pytest

from alibaba_jupiterone.pipeline.handoff import Handoff


def handoff(depth=3, capacity=10, stop=None):
    return Handoff(depth=depth, capacity=capacity, stop=stop or threading.Event())


def blocks(put, *args) -> threading.Thread:
    """Start ``put(*args)`` in a thread and check that it is still waiting a moment later."""
    thread = threading.Thread(target=put, args=args, daemon=True)
    thread.start()
    thread.join(timeout=0.3)
    assert thread.is_alive(), f"{args} should wait"
    return thread


def test_the_producer_that_handed_over_most_is_served_first_each_in_order():
    point = handoff()
    point.put("small", "s1")
    for item in ("b1", "b2", "b3"):
        point.put("big", item)

    taken = [point.get() for _ in range(4)]

    assert taken == [("big", "b1"), ("big", "b2"), ("big", "b3"), ("small", "s1")]


def test_a_producer_at_its_depth_waits_for_the_consumer_and_the_others_do_not():
    point = handoff(depth=1)
    point.put("a", 1)
    waiting = blocks(point.put, "a", 2)
    assert point.put("b", 1), "another producer is not held up"

    assert point.get() == ("a", 1)
    waiting.join(timeout=5)

    assert not waiting.is_alive()
    assert sorted(point.get() for _ in range(2)) == [("a", 2), ("b", 1)]


def test_at_capacity_only_the_producer_alone_in_the_lead_may_add():
    point = handoff(depth=3, capacity=3)
    point.put("short", 1)
    point.put("long", 1)
    point.put("long", 2)  # at capacity, and "long" leads: 2 handed over against 1
    waiting = blocks(point.put, "short", 2)

    assert point.put("long", 3), "the leading producer goes on up to its depth"
    blocks(point.put, "long", 4)
    for _ in range(3):
        assert point.get()[0] == "long"
    waiting.join(timeout=5)

    assert not waiting.is_alive()


def test_producers_tied_for_the_lead_share_the_capacity():
    point = handoff(depth=3, capacity=2)
    point.put("a", 1)
    point.put("b", 1)

    blocks(point.put, "a", 2)


def test_stop_releases_a_waiting_producer_and_refuses_new_items():
    stop = threading.Event()
    point = handoff(depth=1, stop=stop)
    point.put("a", 1)
    results = []
    waiting = threading.Thread(target=lambda: results.append(point.put("a", 2)))
    waiting.start()

    stop.set()
    waiting.join(timeout=5)

    assert results == [False]
    assert point.put("b", 1) is False
    assert point.get() == ("a", 1)


@pytest.mark.parametrize(("depth", "capacity"), [(0, 1), (1, 0)])
def test_depth_and_capacity_must_be_positive(depth, capacity):
    with pytest.raises(ValueError, match="at least 1"):
        Handoff(depth=depth, capacity=capacity, stop=threading.Event())
