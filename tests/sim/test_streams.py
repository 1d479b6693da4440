"""Named streams: ``draws`` gives the very numbers of ``stream(...).random``, made lazily."""

from __future__ import annotations

from agent_checkout.sim.streams import RandomStreams


def test_draws_are_the_stream_s_numbers_in_order():
    streams = RandomStreams(7)
    draw = streams.draws("backoff", 12)
    expected = streams.stream("backoff", 12)
    assert [draw() for _ in range(5)] == [expected.random() for _ in range(5)]
    assert streams.draws("backoff", 13)() == streams.stream("backoff", 13).random()
    assert streams.draws("backoff", 12)() != streams.draws("backoff", 13)()
