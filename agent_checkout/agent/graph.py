"""The checkout agent as a LangGraph ``StateGraph``: search → recommend → decide → checkout → pay.

Reading top to bottom follows a purchase. Each node does one step and either sets the session's
``outcome`` (which ends it) or leaves the next step to the edges at the bottom of this module:
an item that sells out goes back to recommend without it, a declined card tries the shopper's
next card. Connectors, shopper and policy arrive in the run's context, so one compiled graph
serves every session, in process, in the simulation or over HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from agent_checkout.agent.connectors import (
    Clock, MerchantConnector, MerchantUnavailable, PaymentConnector, wall_clock,
)
from agent_checkout.agent.policy import CheckoutPolicy, RulePolicy
from agent_checkout.agent.shopper import Shopper
from agent_checkout.agent.state import CheckoutState
from merchants.acp import (
    Allowance, CheckoutSession, CheckoutSessionCompleteRequest, CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest, DelegatePaymentRequest, Item, PaymentData,
)
from merchants.errors import ProtocolError


@dataclass
class AgentContext:
    """Everything a session needs that is not state: who to call, for whom, with what judgement."""

    merchants: Mapping[str, MerchantConnector]
    payments: PaymentConnector
    shopper: Shopper
    policy: CheckoutPolicy = field(default_factory=RulePolicy)
    clock: Clock = wall_clock
    search_limit: int = 10
    max_checkouts: int = 3  # checkouts a session may start before it gives up on stock
    token_lifetime: timedelta = timedelta(minutes=15)


Ctx = Runtime[AgentContext]


# -- nodes, in the order a purchase walks them -------------------------------------------------


def search(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """Ask every merchant; merge what answers. Only when none answers is a merchant the problem."""
    ctx = runtime.context
    query = ctx.policy.query(ctx.shopper.need)
    offers, unreachable = [], 0
    for merchant_id in sorted(ctx.merchants):
        try:
            offers += ctx.merchants[merchant_id].search(query, limit=ctx.search_limit)
        except (MerchantUnavailable, ProtocolError):
            unreachable += 1
    if not offers:
        outcome = "merchant_unavailable" if unreachable == len(ctx.merchants) else "no_match"
        return {"query": query, "offers": [], "outcome": outcome}
    return {"query": query, "offers": offers, "excluded": [], "attempts": 0}


def recommend(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    ctx = runtime.context
    recommendations = ctx.policy.recommend(
        state["offers"], need=ctx.shopper.need, budget=ctx.shopper.budget,
        excluded=state.get("excluded", []))
    return {"recommendations": recommendations, "choice": None, "checkout": None}


def decide(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """The shopper chooses among the recommendations, or chooses nothing."""
    shopper = runtime.context.shopper
    recommendations = state["recommendations"]
    if not recommendations:
        sold_out = state.get("excluded") or any(
            o.availability == "out_of_stock" for o in state["offers"])
        return {"outcome": "out_of_stock" if sold_out else "no_match"}
    if all(r.offer.price > shopper.budget for r in recommendations):
        return {"outcome": "over_budget"}
    choice = shopper.choose(recommendations)
    if choice is None:
        return {"outcome": "declined_by_shopper"}
    return {"choice": choice}


def checkout(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """Open an ACP checkout session for the choice and pick the cheapest fulfillment option."""
    ctx, choice = runtime.context, state["choice"]
    merchant = ctx.merchants[choice.offer.seller_id]
    attempts = state.get("attempts", 0) + 1
    try:
        session = merchant.create_checkout(CheckoutSessionCreateRequest(
            items=[Item(id=choice.offer.id, quantity=ctx.shopper.need.quantity)],
            buyer=ctx.shopper.buyer, fulfillment_address=ctx.shopper.address))
        if _sold_out(session):
            return _sold_out_update(state, choice.key, attempts, ctx)
        cheapest = min(session.fulfillment_options, key=lambda o: (o.total, o.id))
        if session.fulfillment_option_id != cheapest.id:
            session = merchant.update_checkout(
                session.id, CheckoutSessionUpdateRequest(fulfillment_option_id=cheapest.id))
    except (MerchantUnavailable, ProtocolError) as problem:
        return _failed(problem, attempts)
    if session.status != "ready_for_payment":
        return {"checkout": session, "attempts": attempts, "outcome": "checkout_failed",
                "detail": "; ".join(m.content for m in session.errors())}
    return {"checkout": session, "attempts": attempts, "card_index": 0}


def pay(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """Delegate the card under an allowance for exactly this total, then complete."""
    ctx, session = runtime.context, state["checkout"]
    choice = state["choice"]
    card_index = state.get("card_index", 0)
    merchant = ctx.merchants[choice.offer.seller_id]
    try:
        token = ctx.payments.delegate_payment(DelegatePaymentRequest(
            payment_method=ctx.shopper.cards[card_index],
            allowance=Allowance(
                max_amount=session.total(), currency=session.currency,
                checkout_session_id=session.id, merchant_id=choice.offer.seller_id,
                expires_at=ctx.clock() + ctx.token_lifetime),
            billing_address=ctx.shopper.address))
        done = merchant.complete_checkout(session.id, CheckoutSessionCompleteRequest(
            payment_data=PaymentData(token=token.id, billing_address=ctx.shopper.address)))
    except (MerchantUnavailable, ProtocolError) as problem:
        return _failed(problem, state.get("attempts", 0))
    if done.status == "completed":
        return {"checkout": done, "outcome": "purchased"}
    codes = {m.code for m in done.errors()}
    if "out_of_stock" in codes:
        return _sold_out_update(state, choice.key, state["attempts"], ctx)
    if "payment_declined" in codes:
        if card_index + 1 < len(ctx.shopper.cards):
            return {"checkout": done, "card_index": card_index + 1}
        return {"checkout": done, "outcome": "payment_failed"}
    return {"checkout": done, "outcome": "checkout_failed",
            "detail": "; ".join(m.content for m in done.errors())}


# -- helpers the nodes share -------------------------------------------------------------------


def _sold_out(session: CheckoutSession) -> bool:
    return any(m.code == "out_of_stock" for m in session.errors())


def _sold_out_update(state: CheckoutState, key: str, attempts: int, ctx: AgentContext
                     ) -> CheckoutState:
    """Drop the sold-out item; ``outcome`` only once the session has tried enough checkouts."""
    update: CheckoutState = {"excluded": [*state.get("excluded", []), key], "attempts": attempts,
                             "checkout": None}
    if attempts >= ctx.max_checkouts:
        update["outcome"] = "out_of_stock"
    return update


def _failed(problem: Exception, attempts: int) -> CheckoutState:
    unavailable = isinstance(problem, MerchantUnavailable) or (
        isinstance(problem, ProtocolError) and (problem.status >= 500 or problem.status == 429))
    return {"attempts": attempts, "detail": str(problem),
            "outcome": "merchant_unavailable" if unavailable else "checkout_failed"}


# -- edges -------------------------------------------------------------------------------------


def _after_search(state: CheckoutState) -> Literal["recommend", "__end__"]:
    return END if "outcome" in state else "recommend"


def _after_decide(state: CheckoutState) -> Literal["checkout", "__end__"]:
    return END if "outcome" in state else "checkout"


def _after_checkout(state: CheckoutState) -> Literal["pay", "recommend", "__end__"]:
    if "outcome" in state:
        return END
    return "pay" if state.get("checkout") is not None else "recommend"


def _after_pay(state: CheckoutState) -> Literal["pay", "recommend", "__end__"]:
    if "outcome" in state:
        return END
    return "pay" if state.get("checkout") is not None else "recommend"


def build_checkout_graph() -> CompiledStateGraph:
    """Compile the checkout graph; invoke it with ``context=AgentContext(...)``."""
    graph = StateGraph(CheckoutState, context_schema=AgentContext)
    graph.add_node("search", search)
    graph.add_node("recommend", recommend)
    graph.add_node("decide", decide)
    graph.add_node("checkout", checkout)
    graph.add_node("pay", pay)
    graph.add_edge(START, "search")
    graph.add_conditional_edges("search", _after_search)
    graph.add_edge("recommend", "decide")
    graph.add_conditional_edges("decide", _after_decide)
    graph.add_conditional_edges("checkout", _after_checkout)
    graph.add_conditional_edges("pay", _after_pay)
    return graph.compile()
