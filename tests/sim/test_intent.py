"""Shopper intent: drawn by inverse CDF so a readier mix gives a readier intent on the same draw,
and sessions that only talk end before any merchant is asked, yet still cost inference."""

from __future__ import annotations

import json
import random

from agent_checkout.sim.intent import BY_NAME, INTENTS, draw_intent
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import ChannelSpec, load_scenario


def test_each_intent_is_at_least_as_ready_as_the_one_before() -> None:
    for before, after in zip(INTENTS, INTENTS[1:], strict=False):
        assert after.leaves_without_search <= before.leaves_without_search
        assert after.outside_utility_shift <= before.outside_utility_shift


def test_the_same_draw_gives_a_readier_intent_under_a_readier_mix() -> None:
    cautious = {"researching": 0.9, "comparing": 0.1}
    keen = {"researching": 0.5, "comparing": 0.2, "ready_to_buy": 0.3}
    order = [intent.name for intent in INTENTS]
    for seed in range(200):
        a = draw_intent(cautious, random.Random(seed))
        b = draw_intent(keen, random.Random(seed))
        assert order.index(b.name) >= order.index(a.name)
    assert draw_intent({"gift_with_deadline": 1}, random.Random(1)) is BY_NAME["gift_with_deadline"]


def test_talk_without_shopping_costs_inference_in_an_assistant_only() -> None:
    """Every researching session that leaves costs its 3 chat turns at the agent's cost per
    step (600 micro-dollars); on the shop's own site the same sessions cost nothing."""
    scenario = load_scenario("channel-mix")
    runs = {}
    for channel in ("ai_in_chat", "direct"):
        only = scenario.model_copy(
            update={
                "channels": {channel: ChannelSpec(share=1, intents={"researching": 1})},
                "arrivals": scenario.arrivals.model_copy(update={"sessions": 400}),
            }
        )
        runs[channel] = run_scenario(only, seed=4).summary
    chat, site = runs["ai_in_chat"], runs["direct"]
    left = chat["outcomes"]["left_without_searching"]
    assert left == site["outcomes"]["left_without_searching"]  # the same draws
    assert 300 < left < 400
    searched = 400 - left
    assert chat["funnel"]["searched"] == searched
    # Leavers: 3 turns each; searchers: 3 turns plus their graph steps.
    assert chat["agent_steps"] >= 3 * 400 + 3 * searched
    assert chat["inference_fx"]["usd_micros"] == chat["agent_steps"] * 600
    assert chat["channels"]["ai_in_chat"]["intents"] == {
        "researching": {"sessions": 400, "orders": chat["orders"]}
    }
    assert site["agent_steps"] == 0 and site["inference_cost"] == 0


def test_a_session_that_only_talked_leaves_a_trace(tmp_path) -> None:
    scenario = load_scenario("channel-mix").model_copy(
        update={
            "channels": {"ai_in_chat": ChannelSpec(share=1, intents={"researching": 1})},
            "arrivals": load_scenario("channel-mix").arrivals.model_copy(update={"sessions": 20}),
        }
    )
    result = run_scenario(scenario, seed=4, out=tmp_path, trace=range(20))
    assert result.untraced == []
    ends = [
        json.loads((tmp_path / f"trace-s{i:07d}.jsonl").read_text().splitlines()[-1])
        for i in range(20)
    ]
    left = [end for end in ends if end["outcome"] == "left_without_searching"]
    assert len(left) == result.summary["outcomes"]["left_without_searching"] > 0
    assert all(end["steps"] == 3 and end["inference_micros"] == 1800 for end in left)
    assert {end["channel"] for end in ends} == {"ai_in_chat"}
