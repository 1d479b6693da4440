"""LLMPolicy with fake chat models: structured and JSON replies, validation, fallback, metering.

No network: every model here is one of langchain-core's fakes. The ``fake`` price is $1 per
million input tokens and $2 per million output tokens, so cost in µUSD = input + 2 × output.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeMessagesListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.llm_policy import LLMPolicy, Shortlist, UsageMeter, model_name_of
from agent_checkout.agent.pricing_table import ModelPrice, micros_to_minor, price_for
from agent_checkout.agent.ranking import SponsoredRanking
from agent_checkout.agent.state import Need
from merchants import PaymentProcessor, build_merchants, load_profile
from merchants.acp import Address, Buyer, PaymentMethodCard

from .offers import OFFERS, offer

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
NEED = Need(category="kitchen", query="something to fry eggs in")


def reply(content: str, tokens_in: int, tokens_out: int, **extra: Any) -> AIMessage:
    usage = {
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "total_tokens": tokens_in + tokens_out,
    }
    return AIMessage(content=content, usage_metadata=usage, **extra)


def fake(*messages: AIMessage) -> FakeMessagesListChatModel:
    return FakeMessagesListChatModel(responses=list(messages))


NEUTRAL = ["juniper:jp-1", "northwind:nw-1", "northwind:nw-2", "juniper:jp-2"]


def recommend(policy, excluded=()):
    recs = policy.recommend(OFFERS, need=NEED, budget=8_000, excluded=list(excluded))
    return [r.key for r in recs], recs


class ToolCallingFake(FakeMessagesListChatModel):
    """A fake that "binds tools", so ``with_structured_output`` takes its tool-calling path."""

    def bind_tools(self, tools, **kwargs):
        return self


# -- recommend ---------------------------------------------------------------------------------


def test_json_reply_in_fences_is_validated_against_the_offers():
    content = (
        'Sure!\n```json\n{"product_keys": ["juniper:jp-2", "nobody:x", "nw-1", '
        '"juniper:jp-2", "juniper:jp-1"], "reasons": ["best rated"]}\n```'
    )
    policy = LLMPolicy(fake(reply(content, 700, 35)), limit=2)
    keys, recs = recommend(policy)
    # unknown key ignored, bare id resolved, duplicate dropped, capped at the limit
    assert keys == ["juniper:jp-2", "northwind:nw-1"]
    assert [r.ranking for r in recs] == ["llm", "llm"] and recs[0].rank == 0
    assert recs[0].score == 0.751556  # the neutral score, kept for comparison
    assert (policy.usage.input_tokens, policy.usage.output_tokens) == (700, 35)
    assert policy.usage.fallbacks == 0 and policy.usage.cost_micros == 770


def test_excluded_and_sold_out_offers_cannot_be_picked():
    content = '{"product_keys": ["juniper:jp-1", "acme:gone", "northwind:nw-2"]}'
    policy = LLMPolicy(fake(reply(content, 10, 5)))
    offers = [*OFFERS, offer("acme", "gone", 100, 5.0, availability="out_of_stock")]
    recs = policy.recommend(offers, need=NEED, budget=8_000, excluded=["juniper:jp-1"])
    assert [r.key for r in recs] == ["northwind:nw-2"]


def test_structured_output_path_reads_tool_calls():
    call = {
        "name": "Shortlist",
        "args": {"product_keys": ["northwind:nw-2", "juniper:jp-1"], "reasons": ["a", "b"]},
        "id": "call_1",
    }
    policy = LLMPolicy(ToolCallingFake(responses=[reply("", 500, 20, tool_calls=[call])]))
    keys, _ = recommend(policy)
    assert keys == ["northwind:nw-2", "juniper:jp-1"]
    assert policy.usage.calls[0].fallback is None
    assert policy.usage.cost_micros == 540


@pytest.mark.parametrize(
    "content, why",
    [
        ("I would go with the cast iron one, it is lovely.", "no JSON object"),
        ('{"product_keys": "', "no JSON object"),
        ('{"picks": ["juniper:jp-1"]}', "does not fit Shortlist"),
        ('{"product_keys": ["acme:nothing", "   "]}', "no listed offer"),
        ('{"product_keys": []}', "no listed offer"),
    ],
)
def test_garbage_falls_back_to_neutral_and_is_recorded(content, why):
    policy = LLMPolicy(fake(reply(content, 300, 12)))
    keys, recs = recommend(policy)
    assert keys == NEUTRAL
    assert {r.ranking for r in recs} == {"neutral"}
    (call,) = policy.usage.calls
    assert call.fallback is not None and why in call.fallback
    assert (call.input_tokens, call.output_tokens) == (300, 12)  # paid for all the same
    assert policy.usage.fallbacks == 1 and policy.usage.cost_micros == 324


def test_model_errors_fall_back_too():
    class Broken(FakeMessagesListChatModel):
        def _generate(self, *args, **kwargs):
            raise TimeoutError("model timed out")

    policy = LLMPolicy(Broken(responses=[]), fallback=SponsoredRanking(sponsors={"northwind"}))
    keys, recs = recommend(policy)
    assert keys == ["northwind:nw-1", "juniper:jp-1", "northwind:nw-2", "juniper:jp-2"]
    assert recs[0].ranking == "sponsored"
    assert policy.usage.calls[0].fallback == "model error: TimeoutError: model timed out"
    assert policy.usage.input_tokens == 0


def test_nothing_to_choose_from_costs_no_call():
    policy = LLMPolicy(fake(reply("{}", 1, 1)))
    assert policy.recommend([], need=NEED, budget=8_000, excluded=[]) == []
    assert policy.usage.calls == []


def test_the_model_sees_only_the_best_offers_by_neutral_score():
    model = fake(reply('{"product_keys": ["juniper:jp-2"]}', 50, 5))
    policy = LLMPolicy(model, max_offers=2)
    keys, recs = recommend(policy)  # jp-2 is ranked last neutrally, so it was never shown
    assert keys == NEUTRAL and recs[0].ranking == "neutral"


# -- query -------------------------------------------------------------------------------------


def test_query_comes_from_the_model_or_the_shoppers_words():
    policy = LLMPolicy(
        fake(reply('{"query": "  frying pan "}', 40, 6), reply("pans, I guess", 40, 4))
    )
    assert policy.query(NEED) == "frying pan"
    assert policy.query(NEED) == NEED.query
    assert [c.fallback is None for c in policy.usage.calls] == [True, False]
    assert [c.step for c in policy.usage.calls] == ["query", "query"]


def test_generic_fake_chat_model_works_too():
    policy = LLMPolicy(GenericFakeChatModel(messages=iter([reply('{"query": "pan"}', 9, 2)])))
    assert policy.query(NEED) == "pan"
    assert policy.model_name == "fake" and policy.usage.cost_micros == 13


# -- sessions, pricing -------------------------------------------------------------------------


def test_for_session_gives_each_session_its_own_meter_and_shares_the_model():
    shared = LLMPolicy(fake(reply('{"query": "pan"}', 100, 10)))
    one, two = shared.for_session(), shared.for_session()
    one.query(NEED)
    one.query(NEED)
    two.query(NEED)
    assert one.model is shared.model is two.model
    assert (one.usage.input_tokens, two.usage.input_tokens, shared.usage.calls) == (200, 100, [])
    assert one.usage.prices is shared.usage.prices


def test_unknown_model_costs_nothing_and_is_flagged():
    policy = LLMPolicy(fake(reply('{"query": "pan"}', 1_000, 100)), model_name="mystery-9")
    policy.query(NEED)
    assert policy.usage.cost_micros == 0 and policy.usage.unpriced == {"mystery-9"}


def test_cost_rounds_once_half_even_over_the_session():
    meter = UsageMeter(prices={"m": ModelPrice.usd("0.15", "0.60")})
    policy = LLMPolicy(fake(reply('{"query": "pan"}', 10, 0)), model_name="m", usage=meter)
    policy.query(NEED)  # 1.5 µUSD
    assert meter.cost_micros == 2
    policy.query(NEED)  # 3.0 µUSD: per-call rounding would have said 4
    assert meter.cost_micros == 3 and meter.unpriced == frozenset()


def test_price_table():
    assert price_for("openai:gpt-4o-mini-2024-07-18") == ModelPrice.usd("0.15", "0.60")
    assert price_for("ollama:llama3.1") == ModelPrice(0, 0)
    assert price_for("gpt-4.1-nano") is None  # a different model, not a dated gpt-4.1
    assert micros_to_minor(1_234_567) == 123 and micros_to_minor(15_000) == 2
    with pytest.raises(ValueError, match="at most 6 decimals"):
        ModelPrice.usd("0.0000001", "1")
    assert model_name_of(fake()) == "fake"


@pytest.mark.skipif(importlib.util.find_spec("langchain") is not None, reason="langchain installed")
def test_string_model_without_langchain_says_what_to_install():
    with pytest.raises(ImportError, match=r"agent-checkout\[llm\]"):
        LLMPolicy("ollama:llama3.1")


def test_shortlist_accepts_a_lone_key():
    assert Shortlist.model_validate({"product_keys": " a:b "}).product_keys == ["a:b"]


# -- end to end through the compiled graph -----------------------------------------------------


@dataclass
class FirstWithinBudget:
    need: Need = NEED
    budget: int = 8_000
    buyer: Buyer = field(
        default_factory=lambda: Buyer(
            first_name="Ada", last_name="Lovelace", email="ada@example.com"
        )
    )
    address: Address = field(
        default_factory=lambda: Address(
            name="Ada Lovelace",
            line_one="1234 Chat Road",
            city="San Francisco",
            state="CA",
            country="US",
            postal_code="94131",
        )
    )
    cards: list = field(default_factory=lambda: [PaymentMethodCard(number="4242424242424242")])

    def choose(self, recommendations):
        return next((r for r in recommendations if r.offer.price <= self.budget), None)


def shops():
    processor = PaymentProcessor()
    merchants = build_merchants(
        [load_profile("northwind-outfitters"), load_profile("juniper-handmade")],
        seed=7,
        processor=processor,
    )
    return merchants, processor


def test_llm_policy_buys_through_the_real_graph_with_exact_usage():
    # What the model will be shown: search a twin of the same seeded merchants.
    twins, _ = shops()
    found = [o for m in sorted(twins) for o in twins[m].search("skillet", NOW, limit=10)]
    skillets = [f"{o.seller_id}:{o.id}" for o in found if "skillet" in o.title.lower()]
    assert skillets, "the seeded catalogs should sell a skillet"
    picks = [*reversed(skillets), "nobody:nothing"]

    model = fake(
        reply('{"query": "skillet"}', 120, 8),
        reply(json.dumps({"product_keys": picks, "reasons": []}), 900, 40),
    )
    shared = LLMPolicy(model)
    session_policy = shared.for_session()
    merchants, processor = shops()
    state = build_checkout_graph().invoke(
        {},
        context=AgentContext(
            merchants={m.id: InProcessMerchant(m, clock=lambda: NOW) for m in merchants.values()},
            payments=InProcessPayments(processor, clock=lambda: NOW),
            shopper=FirstWithinBudget(),
            policy=session_policy,
        ),
    )

    assert state["outcome"] == "purchased"
    assert state["query"] == "skillet"
    assert [r.key for r in state["recommendations"]] == skillets[::-1]
    assert {r.ranking for r in state["recommendations"]} == {"llm"}
    assert state["choice"].key == skillets[-1]
    assert state["checkout"].status == "completed"
    usage = session_policy.usage
    assert [(c.step, c.input_tokens, c.output_tokens, c.fallback) for c in usage.calls] == [
        ("query", 120, 8, None),
        ("recommend", 900, 40, None),
    ]
    assert (usage.input_tokens, usage.output_tokens) == (1_020, 48)
    assert usage.cost_micros == 1_020 + 2 * 48 == 1_116
    assert usage.cost_minor == 0  # a ninth of a cent
    assert shared.usage.calls == []
