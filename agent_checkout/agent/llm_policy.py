"""A policy whose judgement is a LangChain chat model's, and whose every token is paid for.

:class:`LLMPolicy` asks the model for a search query and for a shortlist, as pydantic
structures: through ``with_structured_output`` when the model can call tools, else by parsing
JSON out of its reply. Whatever the model says is checked against the offers; when nothing
usable comes back the policy falls back to a rule-based ranking and records that it did.

Token counts (``AIMessage.usage_metadata``) go to a :class:`UsageMeter`, priced from
:mod:`~agent_checkout.agent.pricing_table` in integer micro-dollars. One ``LLMPolicy`` may serve
many sessions; to attribute cost to a session, give each its own bound copy::

    policy = LLMPolicy("ollama:llama3.1")          # shared: holds the model
    session_policy = policy.for_session()          # per session: same model, fresh meter
    graph.invoke({}, context=AgentContext(..., policy=session_policy))
    session_policy.usage.cost_micros               # what that session's inference cost

When a promotion changes what an offer costs, the model gets a tool, ``EffectiveUnitPrice``:
it names an offer, and the policy answers with the unit price after every discount and credit,
worked out by the checkout's own function (:mod:`~agent_checkout.agent.unit_prices`). A model
that cannot call tools is given those prices in the offer list instead. Either way the
recommendations carry the price the shopper decides on.

A string model is built with ``langchain.chat_models.init_chat_model``, imported only then:
install the ``llm`` extra (``langchain>=1``) for it, or pass any ``BaseChatModel`` yourself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, TypeVar

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel, Field, ValidationError, field_validator

from agent_checkout.agent.pricing_table import (
    PRICES,
    TOKENS_PER_PRICE,
    ModelPrice,
    micros_to_minor,
    price_for,
)
from agent_checkout.agent.ranking import (
    Candidate,
    NeutralRanking,
    Ranking,
    ScoreWeights,
    score_offers,
)
from agent_checkout.agent.state import Need, Recommendation
from agent_checkout.agent.unit_prices import UnitPricer
from merchants.discounts import EffectivePrice
from merchants.feed import FeedProduct
from merchants.money import divide_half_even, format_money

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

Reply = TypeVar("Reply", bound=BaseModel)


# -- what the model is asked to return ---------------------------------------------------------


class SearchQuery(BaseModel):
    """The words to search the merchants' catalogs with."""

    query: str = Field(min_length=1, max_length=200, description="a few search words, no prices")

    @field_validator("query", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class Shortlist(BaseModel):
    """The offers to show the shopper, best first, named by the keys they were given."""

    product_keys: list[str] = Field(description="keys of the chosen offers, best first")
    reasons: list[str] = Field(default_factory=list, description="one short reason per key")

    @field_validator("product_keys", mode="before")
    @classmethod
    def _keys(cls, value: object) -> object:
        """Accept a lone key; drop blanks, so only real picks count as an answer."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [v.strip() for v in value if isinstance(v, str) and v.strip()]
        return value


class EffectiveUnitPrice(BaseModel):
    """Work out what one unit of a listed offer costs after every discount and credit that
    applies, at the shopper's quantity: the price the checkout will charge."""

    product_key: str = Field(description="the offer's key, exactly as listed before the first '|'")


# -- usage and cost ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LLMCall:
    """One request to the model: what it cost in tokens, and whether its answer was used."""

    step: Literal["query", "price", "recommend"]
    model: str
    input_tokens: int
    output_tokens: int
    fallback: str | None = None  # why the policy did not use the answer, if it did not


@dataclass
class UsageMeter:
    """Token usage of one session (or of whatever shares it), and its cost in micro-dollars."""

    prices: Mapping[str, ModelPrice] = field(default_factory=lambda: PRICES)
    calls: list[LLMCall] = field(default_factory=list)

    def record(self, call: LLMCall) -> None:
        self.calls.append(call)

    @property
    def input_tokens(self) -> int:
        return sum(c.input_tokens for c in self.calls)

    @property
    def output_tokens(self) -> int:
        return sum(c.output_tokens for c in self.calls)

    @property
    def fallbacks(self) -> int:
        return sum(c.fallback is not None for c in self.calls)

    @property
    def unpriced(self) -> frozenset[str]:
        """Models the price table lacks: their tokens cost 0 here, so the cost is too low."""
        return frozenset(c.model for c in self.calls if price_for(c.model, self.prices) is None)

    @property
    def cost_micros(self) -> int:
        """Inference cost in integer micro-dollars, rounded half-even once over all calls."""
        total = 0
        for call in self.calls:
            price = price_for(call.model, self.prices)
            if price is not None:
                total += price.cost_numerator(call.input_tokens, call.output_tokens)
        return divide_half_even(total, TOKENS_PER_PRICE)

    @property
    def cost_minor(self) -> int:
        """The same cost in cents (USD minor units), rounded half-even; for another currency
        use ``micros_to_minor(cost_micros, currency, fx)`` with an explicit FX table."""
        return micros_to_minor(self.cost_micros)


def model_name_of(model: BaseChatModel) -> str:
    """The name to price a model by: its model id, ``ollama:`` prefixed, or ``fake``."""
    llm_type = str(getattr(model, "_llm_type", ""))
    if "fake" in llm_type:
        return "fake"
    for attribute in ("model_name", "model", "model_id"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return f"ollama:{value}" if "ollama" in llm_type else value
    return llm_type or type(model).__name__


def _init_chat_model(spec: str) -> BaseChatModel:
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as missing:
        raise ImportError(
            f"LLMPolicy(model={spec!r}) needs langchain: pip install 'agent-checkout[llm]', "
            "or pass a BaseChatModel"
        ) from missing
    return init_chat_model(spec)


# -- the policy --------------------------------------------------------------------------------


_QUERY_SYSTEM = (
    "You are a shopping assistant. Turn what the shopper asked for into a short product search "
    "query: a few words a catalog would match, no prices, no punctuation."
)
_SHORTLIST_SYSTEM = (
    "You are a shopping assistant working for the shopper. From the offers listed, choose at "
    "most {limit} that best fit the need and the budget, best first. Name each offer by its key "
    "exactly as written before the first '|'. Only choose offers that are listed."
)
_PRICE_SYSTEM = (
    "Promotions apply to some of these offers, so a listed price may not be what the shopper "
    "pays. Call EffectiveUnitPrice for each offer you might recommend before you choose."
)
_JSON_HINT = "Reply with JSON only, no other text, in this form: {example}"


@dataclass(frozen=True)
class LLMPolicy:
    """Query and shortlist from a chat model, checked against the offers, metered per call.

    ``model`` is a ``BaseChatModel`` or a string for ``init_chat_model`` ("ollama:llama3.1",
    "openai:gpt-4o-mini"). The model sees at most ``max_offers`` offers, the best by neutral
    score, which bounds the prompt. ``fallback`` orders offers when the model's answer is unusable.
    Calls record into ``usage``: use :meth:`for_session` to give each session its own.
    """

    model: BaseChatModel | str
    name: str = "llm"
    limit: int = 5
    max_offers: int = 20
    model_name: str | None = None  # how to price it; default: read from the model
    weights: ScoreWeights = ScoreWeights()
    fallback: Ranking = field(default_factory=NeutralRanking)
    usage: UsageMeter = field(default_factory=UsageMeter)

    def __post_init__(self) -> None:
        if isinstance(self.model, str):
            if self.model_name is None:
                object.__setattr__(self, "model_name", self.model)
            object.__setattr__(self, "model", _init_chat_model(self.model))
        elif self.model_name is None:
            object.__setattr__(self, "model_name", model_name_of(self.model))

    def for_session(self) -> LLMPolicy:
        """The same policy and model with a fresh meter: one per session keeps costs apart."""
        return replace(self, usage=UsageMeter(prices=self.usage.prices))

    def query(self, need: Need) -> str:
        messages = [
            SystemMessage(_QUERY_SYSTEM),
            HumanMessage(f"Category: {need.category}\nThe shopper asked for: {need.query}"),
        ]
        reply = self._ask("query", SearchQuery, messages, '{"query": "..."}')
        return reply.query if reply is not None else need.query

    def recommend(
        self,
        offers: Sequence[FeedProduct],
        *,
        need: Need,
        budget: int,
        excluded: Sequence[str],
        pricer: UnitPricer | None = None,
    ) -> list[Recommendation]:
        """A shortlist from the model; with ``pricer``, each pick carries its effective unit
        price, which the model could ask for with the ``EffectiveUnitPrice`` tool."""
        candidates = score_offers(offers, budget=budget, excluded=excluded, weights=self.weights)
        if not candidates:
            return []  # nothing to choose from: no reason to pay for a call
        shown = sorted(candidates, key=lambda c: (-c.score, *c.tie_break))[: self.max_offers]
        units = _discounted_units(shown, pricer)
        messages: list[BaseMessage] = [
            SystemMessage(_SHORTLIST_SYSTEM.format(limit=self.limit)),
            HumanMessage(_describe(need, budget, shown)),
        ]
        if units and pricer is not None:
            messages += self._price_round(messages, shown, pricer, need, budget, units)
        example = '{"product_keys": ["merchant:product", "..."], "reasons": ["...", "..."]}'
        picks = self._picks(shown)
        reply = self._ask("recommend", Shortlist, messages, example, validate=picks)
        if reply is None:
            chosen = self.fallback.rank(candidates, limit=self.limit)
        else:
            chosen = [
                Recommendation(offer=c.offer, rank=i, score=round(c.score, 6), ranking=self.name)
                for i, c in enumerate(picks(reply))
            ]
        return chosen if pricer is None else [pricer.priced(r) for r in chosen]

    def _price_round(
        self,
        messages: list[BaseMessage],
        shown: Sequence[Candidate],
        pricer: UnitPricer,
        need: Need,
        budget: int,
        units: Mapping[str, int],
    ) -> list[BaseMessage]:
        """Let the model call ``EffectiveUnitPrice`` (one metered call); the calls and their
        answers join the conversation. A model without tools is told the prices instead."""
        by_key = {c.key: c for c in shown}
        try:
            model = self.model.bind_tools([EffectiveUnitPrice])
        except NotImplementedError:
            return [HumanMessage(_describe(need, budget, shown, units))]
        ask = [*messages, SystemMessage(_PRICE_SYSTEM)]
        message, problem = None, None
        try:
            message = model.invoke(ask)
        except Exception as error:  # a failing model must not end the shopper's session
            problem = f"model error: {type(error).__name__}: {error}"
        calls = [
            c
            for c in getattr(message, "tool_calls", None) or []
            if c.get("name") == EffectiveUnitPrice.__name__
        ]
        self._record("price", message, None if calls else problem or "no price asked for")
        if not calls:
            return []
        answers: list[BaseMessage] = [message]
        for call in calls:
            key = str((call.get("args") or {}).get("product_key", "")).strip()
            candidate = by_key.get(key)
            content = (
                _price_text(key, pricer.price(candidate.offer), candidate.offer.currency)
                if candidate is not None
                else f"{key}: not a listed offer"
            )
            answers.append(ToolMessage(content=content, tool_call_id=call.get("id") or key))
        return answers

    def _picks(self, shown: Sequence[Candidate]) -> Callable[[Shortlist], list[Candidate]]:
        """The model's keys that name a shown offer, deduplicated and capped at ``limit``.

        A bare product id counts when exactly one shown offer has it: models drop prefixes.
        """
        by_key = {c.key: c for c in shown}
        by_id: dict[str, list[Candidate]] = {}
        for c in shown:
            by_id.setdefault(c.offer.id, []).append(c)

        def picks(reply: Shortlist) -> list[Candidate]:
            chosen: list[Candidate] = []
            for key in reply.product_keys:
                candidate = by_key.get(key)
                if candidate is None and len(by_id.get(key, ())) == 1:
                    candidate = by_id[key][0]
                if candidate is not None and candidate not in chosen:
                    chosen.append(candidate)
            return chosen[: self.limit]

        return picks

    def _ask(
        self,
        step: Literal["query", "recommend"],
        schema: type[Reply],
        messages: list[BaseMessage],
        example: str,
        validate: Callable[[Reply], object] | None = None,
    ) -> Reply | None:
        """One metered call; the parsed reply, or ``None`` (recorded) if it is unusable."""
        message, parsed, problem = None, None, None
        try:
            try:
                structured = self.model.with_structured_output(schema, include_raw=True)
            except NotImplementedError:  # no tool calling (fake and some local models): JSON
                hint = HumanMessage(_JSON_HINT.format(example=example))
                message = self.model.invoke([*messages, hint])
            else:
                out = structured.invoke(messages)
                message, parsed = out["raw"], out["parsed"]
        except Exception as error:  # a failing model must not end the shopper's session
            problem = f"model error: {type(error).__name__}: {error}"
        if message is not None and parsed is None:
            parsed, problem = _parse_json(schema, message)
        if parsed is not None and validate is not None and not validate(parsed):
            parsed, problem = None, "no listed offer among the model's picks"
        self._record(step, message, None if parsed is not None else problem or "no answer")
        return parsed

    def _record(
        self,
        step: Literal["query", "price", "recommend"],
        message: BaseMessage | None,
        fallback: str | None,
    ) -> None:
        usage = (message.usage_metadata if isinstance(message, AIMessage) else None) or {}
        self.usage.record(
            LLMCall(
                step=step,
                model=str(self.model_name),
                input_tokens=int(usage.get("input_tokens", 0)),
                output_tokens=int(usage.get("output_tokens", 0)),
                fallback=fallback,
            )
        )


def _describe(
    need: Need, budget: int, shown: Sequence[Candidate], units: Mapping[str, int] | None = None
) -> str:
    """The need and the offers; with ``units``, each discounted offer's price after discounts."""
    currency = shown[0].offer.currency
    lines = [
        f"Need: {need.query} (category {need.category}), quantity {need.quantity}.",
        f"Budget per item: {format_money(budget, currency)}.",
        "Offers (key | title | brand | price | rating | availability):",
    ]
    for c in shown:
        o = c.offer
        price = format_money(o.price, o.currency)
        if units and c.key in units:
            price += f" ({format_money(units[c.key], o.currency)} a unit after discounts)"
        lines.append(
            f"{c.key} | {o.title} | {o.brand} | {price} | "
            f"{o.rating} ({o.review_count} reviews) | {o.availability}"
        )
    return "\n".join(lines)


def _discounted_units(shown: Sequence[Candidate], pricer: UnitPricer | None) -> dict[str, int]:
    """Effective unit prices of the shown offers a promotion changes (none: no tool needed)."""
    if pricer is None:
        return {}
    units = {c.key: (pricer.price(c.offer).unit, c.offer.price) for c in shown}
    return {key: unit for key, (unit, listed) in units.items() if unit != listed}


def _price_text(key: str, price: EffectivePrice, currency: str) -> str:
    """The tool's answer: the unit price, the list price and each discount's share."""
    off = ", ".join(
        f"{pid} {format_money(amount, currency)}" for pid, amount in price.discounts.items()
    )
    return (
        f"{key}: {format_money(price.unit, currency)} a unit after discounts "
        f"(list {format_money(price.list_unit, currency)}, quantity {price.quantity}"
        + (f"; discounts on the line: {off}" if off else "")
        + ")"
    )


def _parse_json(schema: type[Reply], message: BaseMessage) -> tuple[Reply | None, str | None]:
    """The schema from the first JSON object in the reply's text, fences and chatter ignored."""
    text = message.text
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        return None, "no JSON object in the reply"
    try:
        return schema.model_validate(json.loads(text[start : end + 1])), None
    except (json.JSONDecodeError, ValidationError) as error:
        first = str(error).splitlines()[0]
        return None, f"reply does not fit {schema.__name__}: {first}"
