"""The checkout agent as a LangGraph ``StateGraph``.

    search → recommend → decide → checkout → confirm → pay (→ authenticate) → END

Reading top to bottom follows a purchase. Each node does one step and either sets the session's
``outcome`` (which ends it) or leaves the next step to the edges at the bottom of this module,
which name every way a checkout can go wrong:

- an item sold out (at checkout or at pay) → back to recommend without it;
- a card declined → pay again with the shopper's next card, or ``payment_failed``;
- the card needs 3-D Secure → authenticate (the shopper passes or fails the challenge) →
  complete with the same token;
- the price changed since the feed was read → decide again at the new price;
- the checkout's price (after discounts) is above the unit price the assistant stated, beyond
  the shopper's tolerance → ``abandoned`` (see :mod:`~agent_checkout.agent.stated_price`);
- a 429 or 5xx from a merchant → backoff (waits, honouring ``Retry-After``) → the same node,
  at most ``max_retries`` times in a row, then ``merchant_unavailable``;
- the checkout session expired → checkout again, once;
- in ``click_out`` mode the session ends at decide with a link to the merchant's own site;
- in ``human_present`` mode, confirm stops for the shopper's yes or no (a LangGraph
  ``interrupt``); in ``autonomous`` mode a :class:`Mandate` bounds what pay may spend.

Before the shopper decides, recommend works out each option's effective unit price after every
discount and credit (:mod:`~agent_checkout.agent.unit_prices`); the shopper decides on it.

Connectors, shopper and policy arrive in the run's context, so one compiled graph serves every
session, in process, in the simulation or over HTTP.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cache
from typing import Literal

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent_checkout.agent.connectors import (
    Clock,
    MerchantConnector,
    MerchantUnavailable,
    PaymentConnector,
    wall_clock,
)
from agent_checkout.agent.mandate import Delegation, Mandate
from agent_checkout.agent.policy import CheckoutPolicy, RulePolicy
from agent_checkout.agent.shopper import (
    Shopper,
    accepts_price,
    accepts_total,
    gave_up,
    passes_challenge,
)
from agent_checkout.agent.state import CheckoutState, Recommendation
from agent_checkout.agent.stated_price import PriceError
from agent_checkout.agent.unit_prices import UnitPricer, presale_books, promotion_books
from merchants.acp import (
    Allowance,
    CheckoutSession,
    CheckoutSessionCompleteRequest,
    CheckoutSessionCreateRequest,
    CheckoutSessionUpdateRequest,
    DelegatePaymentRequest,
    Item,
    PaymentData,
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
    sleep: Callable[[float], None] = time.sleep  # the simulation passes a virtual sleep
    search_limit: int = 10
    max_checkouts: int = 3  # checkouts a session may start before it gives up on stock
    max_retries: int = 4  # back-offs in a row before a merchant counts as down
    backoff_base: float = 0.5  # seconds; doubles with every retry unless Retry-After says more
    jitter: Callable[[], float] = lambda: 0.0  # a share in [0, 1) added to each wait
    max_restarts: int = 1  # new checkout sessions after one expired
    token_lifetime: timedelta = timedelta(minutes=15)
    challenge_seconds: float = 30.0  # the shopper's time on a 3-D Secure challenge
    delegation: Delegation = "autonomous"
    handoff: Literal["in_chat", "click_out"] = "in_chat"  # pay here, or link to the merchant
    mandate: Mandate | None = None
    price_error: PriceError | None = None  # this session's assistant states wrong prices

    def unit_pricer(self) -> UnitPricer:
        """Effective unit prices at the shopper's quantity, now."""
        return UnitPricer(
            promotion_books(self.merchants),
            self.shopper.need.quantity,
            self.clock(),
            presale_books(self.merchants),
        )


Ctx = Runtime[AgentContext]


# -- nodes, in the order a purchase walks them -------------------------------------------------


def search(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """Ask every merchant (or those still pending a retry) and merge what answers."""
    ctx = runtime.context
    query = ctx.policy.query(ctx.shopper.need)
    permitted = [
        m for m in sorted(ctx.merchants) if ctx.mandate is None or ctx.mandate.allows_merchant(m)
    ]
    asked = state.get("pending") or permitted
    offers, retry, down = list(state.get("offers", [])), [], 0
    wait = 0.0
    for merchant_id in asked:
        try:
            offers += ctx.merchants[merchant_id].search(query, limit=ctx.search_limit)
        except ProtocolError as problem:
            if _retryable(problem) and state.get("streak", 0) < ctx.max_retries:
                retry.append(merchant_id)
                wait = max(wait, problem.retry_after or 0.0)
            else:
                down += 1
        except MerchantUnavailable:
            down += 1
    update: CheckoutState = {
        "query": query,
        "offers": offers,
        "excluded": [],
        "attempts": 0,
        "pending": retry,
        "step": "ok",
        "streak": 0,
    }
    if retry:
        return {**update, **_backoff("search", wait, state, ctx)}
    if not offers:
        everyone_down = bool(asked) and down == len(asked)
        update["outcome"] = "merchant_unavailable" if everyone_down else "no_match"
    return update


def recommend(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """The policy's picks, each with its effective unit price, as the assistant states them."""
    ctx = runtime.context
    pricer = ctx.unit_pricer()
    extra = {"pricer": pricer} if _takes_pricer(type(ctx.policy)) else {}
    recommendations = ctx.policy.recommend(
        state["offers"],
        need=ctx.shopper.need,
        budget=ctx.shopper.budget,
        excluded=state.get("excluded", []),
        **extra,
    )
    recommendations = pricer.price_all(recommendations)
    if ctx.price_error is not None:
        recommendations = ctx.price_error.misstate(recommendations)
    return {"recommendations": recommendations, "choice": None, "checkout": None}


def decide(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """The shopper chooses among the recommendations, or chooses nothing."""
    shopper = runtime.context.shopper
    recommendations = state["recommendations"]
    if gave_up(shopper, runtime.context.clock()):
        return {"outcome": "abandoned", "detail": "waited too long"}
    if not recommendations:
        sold_out = state.get("excluded") or any(
            o.availability == "out_of_stock" for o in state["offers"]
        )
        return {"outcome": "out_of_stock" if sold_out else "no_match"}
    if all(r.price > shopper.budget for r in recommendations):
        return {"outcome": "over_budget"}
    choice = shopper.choose(recommendations)
    if choice is None:
        return {"outcome": "declined_by_shopper"}
    if runtime.context.handoff == "click_out":
        return {"choice": choice, "outcome": "clicked_out"}
    return {"choice": choice}


def checkout(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """Open an ACP checkout session for the choice and pick the cheapest fulfillment option."""
    ctx, choice = runtime.context, state["choice"]
    merchant = ctx.merchants[choice.offer.seller_id]
    attempts = state.get("attempts", 0) + 1
    try:
        session = merchant.create_checkout(
            CheckoutSessionCreateRequest(
                items=[Item(id=choice.offer.id, quantity=ctx.shopper.need.quantity)],
                buyer=ctx.shopper.buyer,
                fulfillment_address=ctx.shopper.address,
            )
        )
        if _sold_out(session):
            return _sold_out_update(state, choice.key, attempts, ctx)
        repriced = _repriced(session, choice, ctx)
        if repriced is not None and "outcome" in repriced:
            return {**repriced, "attempts": attempts}
        if repriced is not None:  # the shopper still wants it at the new price
            choice = repriced["choice"]
        if not _stated_price_holds(session, choice, ctx):
            return {
                "checkout": session,
                "attempts": attempts,
                "outcome": "abandoned",
                "detail": STATED_PRICE_WRONG,
            }
        cheapest = min(session.fulfillment_options, key=lambda o: (o.total, o.id))
        if session.fulfillment_option_id != cheapest.id:
            session = merchant.update_checkout(
                session.id, CheckoutSessionUpdateRequest(fulfillment_option_id=cheapest.id)
            )
    except (MerchantUnavailable, ProtocolError) as problem:
        return _failed("checkout", problem, state, ctx)
    if session.status != "ready_for_payment":
        return {
            "checkout": session,
            "attempts": attempts,
            "outcome": "checkout_failed",
            "detail": "; ".join(m.content for m in session.errors()),
        }
    return {
        "checkout": session,
        "attempts": attempts,
        "card_index": 0,
        "step": "ok",
        "streak": 0,
        "choice": choice,
        "price_changes": state.get("price_changes", 0) + (repriced is not None),
    }


def confirm(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """Before any money moves: the shopper reviews the total (and, when present, says yes)."""
    ctx, session, choice = runtime.context, state["checkout"], state["choice"]
    if gave_up(ctx.shopper, ctx.clock()):
        return {"outcome": "abandoned", "detail": "waited too long"}
    if not accepts_total(ctx.shopper, session):
        return {"outcome": "abandoned", "detail": "balked at the total"}
    if ctx.delegation != "human_present":
        return {"step": "ok"}
    answer = interrupt(
        {
            "question": "Buy this?",
            "merchant": choice.offer.seller_name,
            "item": choice.offer.title,
            "total": session.total(),
            "currency": session.currency,
        }
    )
    if answer is True or str(answer).strip().lower() in ("y", "yes", "true"):
        return {"step": "ok"}
    return {"outcome": "declined_by_shopper", "detail": "declined at confirmation"}


def pay(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """Delegate the card under an allowance for exactly this total, then complete."""
    ctx, session = runtime.context, state["checkout"]
    choice = state["choice"]
    card_index = state.get("card_index", 0)
    merchant = ctx.merchants[choice.offer.seller_id]
    if ctx.mandate is not None:
        refusal = ctx.mandate.refusal(
            merchant_id=choice.offer.seller_id,
            amount=session.total(),
            currency=session.currency,
            now=ctx.clock(),
        )
        if refusal is not None:
            return {"outcome": "blocked_by_mandate", "detail": refusal}
    try:
        token = ctx.payments.delegate_payment(
            DelegatePaymentRequest(
                payment_method=ctx.shopper.cards[card_index],
                allowance=Allowance(
                    max_amount=session.total(),
                    currency=session.currency,
                    checkout_session_id=session.id,
                    merchant_id=choice.offer.seller_id,
                    expires_at=ctx.clock() + ctx.token_lifetime,
                ),
                billing_address=ctx.shopper.address,
            )
        )
        done = merchant.complete_checkout(
            session.id,
            CheckoutSessionCompleteRequest(
                payment_data=PaymentData(token=token.id, billing_address=ctx.shopper.address)
            ),
        )
    except (MerchantUnavailable, ProtocolError) as problem:
        if (
            isinstance(problem, ProtocolError)
            and problem.code == "session_expired"
            and state.get("restarts", 0) < ctx.max_restarts
        ):
            return {
                "checkout": None,
                "restarts": state.get("restarts", 0) + 1,
                "attempts": state.get("attempts", 1) - 1,
                "step": "restart",
            }
        return _failed("pay", problem, state, ctx)
    if done.status == "completed":
        return {"checkout": done, "outcome": "purchased"}
    codes = {m.code for m in done.errors()}
    if "requires_3ds" in codes:
        return {"checkout": done, "token": token.id, "step": "authenticate"}
    if done.total() != session.total():  # the price moved under us: the allowance no longer fits
        repriced = _repriced(done, choice, ctx)
        if repriced is not None and "outcome" not in repriced:
            repriced["price_changes"] = state.get("price_changes", 0) + 1
        if repriced is not None:
            return repriced
    if "out_of_stock" in codes:
        return _sold_out_update(state, choice.key, state["attempts"], ctx)
    if "payment_declined" in codes:
        if card_index + 1 < len(ctx.shopper.cards):
            return {
                "checkout": done,
                "card_index": card_index + 1,
                "step": "next_card",
                "streak": 0,
            }
        return {"checkout": done, "outcome": "payment_failed"}
    return {
        "checkout": done,
        "outcome": "checkout_failed",
        "detail": "; ".join(m.content for m in done.errors()),
    }


def authenticate(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """The issuer asks for 3-D Secure: the shopper takes the challenge, then complete again."""
    ctx, session, choice = runtime.context, state["checkout"], state["choice"]
    merchant = ctx.merchants[choice.offer.seller_id]
    ctx.sleep(ctx.challenge_seconds)
    passed = passes_challenge(ctx.shopper)
    try:
        merchant.authenticate_checkout(session.id, passed)
        done = merchant.complete_checkout(
            session.id,
            CheckoutSessionCompleteRequest(
                payment_data=PaymentData(token=state["token"], billing_address=ctx.shopper.address)
            ),
        )
    except (MerchantUnavailable, ProtocolError) as problem:
        return _failed("pay", problem, state, ctx)
    if done.status == "completed":
        return {"checkout": done, "outcome": "purchased", "authenticated": passed}
    card_index = state.get("card_index", 0)
    if card_index + 1 < len(ctx.shopper.cards):
        return {
            "checkout": done,
            "card_index": card_index + 1,
            "step": "next_card",
            "authenticated": passed,
        }
    return {
        "checkout": done,
        "outcome": "payment_failed",
        "authenticated": passed,
        "detail": "; ".join(m.content for m in done.errors()),
    }


def backoff(state: CheckoutState, runtime: Ctx) -> CheckoutState:
    """Wait before retrying: in the simulation this wait passes in virtual time."""
    runtime.context.sleep(state["retry_wait"])
    return {"retry_wait": 0.0}


# -- helpers the nodes share -------------------------------------------------------------------


def _retryable(problem: ProtocolError) -> bool:
    return problem.status == 429 or problem.status >= 500


def _backoff(
    node: str, retry_after: float, state: CheckoutState, ctx: AgentContext
) -> CheckoutState:
    """Schedule a retry of ``node``: exponential back-off, never sooner than ``Retry-After``."""
    streak = state.get("streak", 0)
    wait = max(retry_after, ctx.backoff_base * 2**streak) * (1 + ctx.jitter())
    return {
        "retry_node": node,
        "retry_wait": wait,
        "retries": state.get("retries", 0) + 1,
        "streak": streak + 1,
        "step": "backoff",
    }


def _failed(
    node: str, problem: Exception, state: CheckoutState, ctx: AgentContext
) -> CheckoutState:
    """A merchant call failed: retry it after a back-off if it may pass, else end the session."""
    if isinstance(problem, ProtocolError) and _retryable(problem):
        if state.get("streak", 0) < ctx.max_retries:
            return _backoff(node, problem.retry_after or 0.0, state, ctx)
        return {"outcome": "merchant_unavailable", "detail": str(problem)}
    if isinstance(problem, MerchantUnavailable):
        return {"outcome": "merchant_unavailable", "detail": str(problem)}
    return {"outcome": "checkout_failed", "detail": str(problem)}


#: The ``detail`` of a session abandoned because checkout's price exceeded the stated one.
STATED_PRICE_WRONG = "checkout price above the stated price"


@cache
def _takes_pricer(policy_type: type) -> bool:
    """Whether a policy's ``recommend`` works out prices itself (takes ``pricer``)."""
    return "pricer" in inspect.signature(policy_type.recommend).parameters


def _stated_price_holds(session: CheckoutSession, choice, ctx: AgentContext) -> bool:
    """Whether the shopper accepts the checkout's line amount (after discounts) against the
    unit price the assistant stated for the choice. A presale's deposit checkout charges only
    the deposit now (its line subtotal), so that is what the shopper meets there."""
    if not session.line_items:
        return True
    line = session.line_items[0]
    stated_line = choice.price * line.item.quantity
    return accepts_price(ctx.shopper, stated_line, line.subtotal)


def _repriced(
    session: CheckoutSession, choice: Recommendation, ctx: AgentContext
) -> CheckoutState | None:
    """If the merchant's list price is no longer the one the shopper chose at, ask again at
    the new price, worked out after discounts (the checkout now shows the real one)."""
    line = session.line_items[0]
    unit = line.base_amount // line.item.quantity
    if unit == choice.offer.price:
        return None
    offer = choice.offer.model_copy(update={"price": unit})
    again = ctx.unit_pricer().priced(replace(choice, offer=offer))
    unit = again.price
    if unit > ctx.shopper.budget:
        return {"outcome": "over_budget", "detail": f"price changed to {unit}"}
    if ctx.shopper.choose([again]) is None:
        return {"outcome": "declined_by_shopper", "detail": f"price changed to {unit}"}
    return {"choice": again, "checkout": session, "card_index": 0, "step": "repriced"}


def _sold_out(session: CheckoutSession) -> bool:
    return any(m.code == "out_of_stock" for m in session.errors())


def _sold_out_update(
    state: CheckoutState, key: str, attempts: int, ctx: AgentContext
) -> CheckoutState:
    """Drop the sold-out item; ``outcome`` only once the session has tried enough checkouts."""
    update: CheckoutState = {
        "excluded": [*state.get("excluded", []), key],
        "attempts": attempts,
        "checkout": None,
        "step": "sold_out",
    }
    if attempts >= ctx.max_checkouts:
        update["outcome"] = "out_of_stock"
    return update


# -- edges: every way out of every node --------------------------------------------------------


def _after_search(state: CheckoutState) -> Literal["recommend", "backoff", "__end__"]:
    if "outcome" in state:
        return END
    return "backoff" if state["step"] == "backoff" else "recommend"


def _after_decide(state: CheckoutState) -> Literal["checkout", "__end__"]:
    return END if "outcome" in state else "checkout"


def _after_checkout(state: CheckoutState) -> Literal["confirm", "recommend", "backoff", "__end__"]:
    if "outcome" in state:
        return END
    return {"ok": "confirm", "sold_out": "recommend", "backoff": "backoff"}[state["step"]]


def _after_confirm(state: CheckoutState) -> Literal["pay", "__end__"]:
    return END if "outcome" in state else "pay"


def _after_pay(
    state: CheckoutState,
) -> Literal["pay", "recommend", "checkout", "confirm", "authenticate", "backoff", "__end__"]:
    if "outcome" in state:
        return END
    return {
        "next_card": "pay",
        "sold_out": "recommend",
        "restart": "checkout",
        "backoff": "backoff",
        "authenticate": "authenticate",
        "repriced": "confirm",
    }[state["step"]]


def _after_authenticate(state: CheckoutState) -> Literal["pay", "backoff", "__end__"]:
    if "outcome" in state:
        return END
    return "backoff" if state["step"] == "backoff" else "pay"


def _after_backoff(state: CheckoutState) -> Literal["search", "checkout", "pay"]:
    return state["retry_node"]


#: The state's own types, which a checkpointer may restore (LangGraph asks for them by name).
STATE_TYPES = (
    ("merchants.feed", "FeedProduct"),
    ("agent_checkout.agent.state", "Recommendation"),
    ("merchants.acp", "CheckoutSession"),
)


def session_checkpointer() -> InMemorySaver:
    """An in-memory checkpointer that restores this graph's state types without warnings."""
    return InMemorySaver(serde=JsonPlusSerializer(allowed_msgpack_modules=STATE_TYPES))


def build_checkout_graph(checkpointer=None) -> CompiledStateGraph:
    """Compile the checkout graph; invoke it with ``context=AgentContext(...)``.

    Human-present sessions need a ``checkpointer`` (e.g. :func:`session_checkpointer`) and a
    ``thread_id``, so that the run can stop at confirm and resume with ``Command(resume=...)``.
    """
    graph = StateGraph(CheckoutState, context_schema=AgentContext)
    graph.add_node("search", search)
    graph.add_node("recommend", recommend)
    graph.add_node("decide", decide)
    graph.add_node("checkout", checkout)
    graph.add_node("confirm", confirm)
    graph.add_node("pay", pay)
    graph.add_node("authenticate", authenticate)
    graph.add_node("backoff", backoff)
    graph.add_edge(START, "search")
    graph.add_conditional_edges("search", _after_search)
    graph.add_edge("recommend", "decide")
    graph.add_conditional_edges("decide", _after_decide)
    graph.add_conditional_edges("checkout", _after_checkout)
    graph.add_conditional_edges("confirm", _after_confirm)
    graph.add_conditional_edges("pay", _after_pay)
    graph.add_conditional_edges("authenticate", _after_authenticate)
    graph.add_conditional_edges("backoff", _after_backoff)
    return graph.compile(checkpointer=checkpointer)
