"""The agent works out the effective unit price the checkout will charge, to the minor unit.

A ¥199.00 lamp, three of them (¥597.00), at a store whose promotions stack: 10% off
(¥59.70 → ¥537.30), a ¥20 store coupon from ¥200 (→ ¥517.30), ¥50 off every ¥300 (one step:
→ ¥467.30) and ¥10 of shopping credit (→ ¥457.30). ¥457.30 / 3 = ¥152.4333… → ¥152.43.
"""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, ToolMessage
from pydantic import Field

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import STATED_PRICE_WRONG, AgentContext, build_checkout_graph
from agent_checkout.agent.llm_policy import LLMPolicy
from agent_checkout.agent.shopper import SampleShopper
from agent_checkout.agent.state import Need
from agent_checkout.agent.stated_price import PriceError
from agent_checkout.agent.unit_prices import UnitPricer
from merchants import Merchant, PaymentProcessor
from merchants.money import divide_half_even
from merchants.promotions import Promotion, PromotionBook

from .offers import OFFERS
from .scripted import NOW, PROFILE, lamps

PROMOTIONS = [
    {"id": "ten-off", "kind": "percentage", "percent_bps": 1000},
    {"id": "coupon", "kind": "store_coupon", "amount": 2000, "min_spend": 20000},
    {"id": "every-300", "kind": "threshold", "every": 30000, "amount": 5000},
    {"id": "red-packet", "kind": "credit", "amount": 1000},
]
NEED = Need(category="home_decor", query="brass desk lamp", quantity=3)


def lamp_shop() -> tuple[Merchant, PaymentProcessor]:
    profile = PROFILE.model_copy(
        update={
            "currency": "cny",
            "promotions": [Promotion.model_validate(p) for p in PROMOTIONS],
        }
    )
    processor = PaymentProcessor()
    catalog = lamps()
    for product in catalog:
        product.price = {"lamp1": 19900, "lamp2": 60000}[product.id]
    return Merchant(profile, seed=1, processor=processor, catalog=catalog), processor


def buy(shopper: SampleShopper, price_error: PriceError | None = None) -> dict:
    merchant, processor = lamp_shop()
    return build_checkout_graph().invoke(
        {},
        context=AgentContext(
            merchants={"shop": InProcessMerchant(merchant, lambda: NOW)},
            payments=InProcessPayments(processor, lambda: NOW),
            shopper=shopper,
            clock=lambda: NOW,
            sleep=lambda s: None,
            price_error=price_error,
        ),
    )


def test_a_stacked_baskets_unit_price_is_the_checkouts_line_over_quantity():
    state = buy(SampleShopper(need=NEED, budget=20_000))
    assert state["outcome"] == "purchased"
    first = state["recommendations"][0]
    assert (first.offer.price, first.unit_price, first.price) == (19900, 15243, 15243)
    line = state["checkout"].line_items[0]
    assert (line.base_amount, line.discount) == (59700, 13970)
    assert divide_half_even(line.base_amount - line.discount, 3) == first.unit_price
    assert state.get("price_changes", 0) == 0  # a discount is not a price change


def test_the_shopper_decides_on_the_effective_price():
    # ¥199.00 is over a ¥160 budget; ¥152.43 after discounts is not.
    state = buy(SampleShopper(need=NEED, budget=16_000))
    assert state["outcome"] == "purchased"
    assert state["choice"].offer.id == "lamp1"


def test_a_price_stated_too_low_is_abandoned_at_checkout():
    class Tolerant(SampleShopper):
        def accepts_price(self, stated_line: int, real_line: int) -> bool:
            self.seen = (stated_line, real_line)
            return real_line * 10_000 <= stated_line * 10_500

    shopper = Tolerant(need=NEED, budget=20_000)
    state = buy(shopper, PriceError(bps=2000))
    # stated ¥152.43 − 20% (¥30.49) = ¥121.94 a unit: ¥365.82 stated, ¥457.30 real
    assert state["choice"].price == 12194
    assert shopper.seen == (36582, 45730)
    assert (state["outcome"], state["detail"]) == ("abandoned", STATED_PRICE_WRONG)
    # within tolerance (1% below: ¥150.91, real is 1.0% above) the shopper buys anyway
    assert buy(Tolerant(need=NEED, budget=20_000), PriceError(bps=100))["outcome"] == "purchased"


class RecordingFake(FakeMessagesListChatModel):
    """Binds tools, and keeps every conversation it was sent."""

    seen: list = Field(default_factory=list)

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, *args, **kwargs):
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def tokens(n_in: int, n_out: int) -> dict:
    return {"input_tokens": n_in, "output_tokens": n_out, "total_tokens": n_in + n_out}


JUNIPER_TEN_OFF = PromotionBook(
    [("juniper", Promotion(id="ten", kind="percentage", percent_bps=1000))]
)


def test_the_llm_policy_asks_the_price_tool_and_its_picks_carry_the_price():
    ask = {"name": "EffectiveUnitPrice", "args": {"product_key": "juniper:jp-1"}, "id": "p1"}
    keys = ["juniper:jp-1", "northwind:nw-1"]
    pick = {"name": "Shortlist", "args": {"product_keys": keys}, "id": "s1"}
    model = RecordingFake(
        responses=[
            AIMessage(content="", tool_calls=[ask], usage_metadata=tokens(400, 10)),
            AIMessage(content="", tool_calls=[pick], usage_metadata=tokens(450, 20)),
        ]
    )
    policy = LLMPolicy(model)
    pricer = UnitPricer({"juniper": JUNIPER_TEN_OFF}, quantity=1, now=NOW)
    recs = policy.recommend(OFFERS, need=NEED, budget=8_000, excluded=[], pricer=pricer)
    assert [(r.key, r.offer.price, r.unit_price) for r in recs] == [
        ("juniper:jp-1", 5000, 4500),
        ("northwind:nw-1", 4000, 4000),
    ]
    assert [c.step for c in policy.usage.calls] == ["price", "recommend"]
    assert policy.usage.fallbacks == 0 and policy.usage.cost_micros == 400 + 20 + 450 + 40
    answer = model.seen[1][-1]
    assert isinstance(answer, ToolMessage) and answer.tool_call_id == "p1"
    assert answer.content == (
        "juniper:jp-1: $45.00 a unit after discounts (list $50.00, quantity 1; "
        "discounts on the line: ten $5.00)"
    )


def test_a_model_without_tools_is_told_the_prices_and_makes_one_call():
    model = FakeMessagesListChatModel(
        responses=[AIMessage(content='{"product_keys": ["juniper:jp-2"]}')]
    )
    policy = LLMPolicy(model)
    pricer = UnitPricer({"juniper": JUNIPER_TEN_OFF}, quantity=1, now=NOW)
    (rec,) = policy.recommend(OFFERS, need=NEED, budget=9_000, excluded=[], pricer=pricer)
    assert (rec.key, rec.unit_price) == ("juniper:jp-2", 8100)
    assert [c.step for c in policy.usage.calls] == ["recommend"]


def test_without_promotions_no_tool_round_is_paid_for():
    model = RecordingFake(responses=[AIMessage(content='{"product_keys": ["northwind:nw-1"]}')])
    policy = LLMPolicy(model)
    pricer = UnitPricer({}, quantity=1, now=NOW)
    (rec,) = policy.recommend(OFFERS, need=NEED, budget=8_000, excluded=[], pricer=pricer)
    assert rec.unit_price == 4000 and len(model.seen) == 1


def test_a_presale_is_priced_in_all_as_its_final_sale_charges():
    """$89.00 lamp on presale, pay $10.00 worth $20.00, 5% off: the agent states $10.00 now
    plus ($89.00 - $20.00) less 5% ($3.45) = $75.55, the final sale's items after discounts."""
    from tests.merchants.test_presales import OPENS, _deposit, _final_token, _merchant

    merchant = _merchant()
    connector = InProcessMerchant(merchant, lambda: NOW)
    offer = next(o for o in merchant.product_feed(NOW) if o.id == "lamp")
    pricer = UnitPricer({"tiny": connector.promotions}, 1, NOW, {"tiny": connector.presales})
    price = pricer.price(offer)
    assert (price.line_amount, price.discounts) == (7555, {"five-off": 345, "lamp-presale": 1000})

    deposits: list = []
    presale_id = _deposit(merchant, deposits)
    amount = merchant.quote_final(presale_id, OPENS)
    sale = merchant.pay_final(presale_id, _final_token(merchant, deposits[0], amount), OPENS).order
    assert sale.items_amount - sale.discount_amount == price.line_amount
    assert sale.total_amount == price.line_amount + sale.shipping_amount + sale.tax_amount
