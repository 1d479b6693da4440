"""A stacked Singles' Day basket worked out by the agent equals what the checkouts charge.

Two stores of the tmall marketplace (CNY, no tax, free delivery). tmall-a sells a ¥199.00
kettle, a ¥59.90 mug and a ¥599.00 air fryer on presale (pay ¥50 on Nov 1, worth ¥100 off;
the marketplace funds the ¥50 of inflation; final payment from Nov 11 00:00); tmall-b a ¥129.00
lamp. Promotions: tmall-a's ¥20 store coupon from ¥200; the marketplace's "every ¥300 off ¥50"
across stores, from Nov 11 only; the AI platform's ¥10 of shopping credit.

The presale, three fryers, priced by hand for the final payment at the window's start:
what the deposits leave is 3 x (59900 - 10000) = 149700; coupon 2000 -> 147700; four full ¥300
-> 20000 -> 127700; credit 1000 -> 126700, the final payment. Inflation 3 x 5000 = 15000. The
sale: 179700 - 2000 - 20000 - 1000 - 15000 = 141700 = 15000 deposit + 126700 final; ¥472.33 a
unit (47233.33 half-even). Priced at Nov 1 it would miss the threshold (it has not started).

The rest, bought on Nov 11 00:05: kettle 2 x 19900 + mug 5990 at tmall-a, lamp 12900 at tmall-b
(58690). Coupon 2000 over 39800 : 5990 -> 1738, 262; threshold on 38062 + 5728 + 12900 = 56690,
one step -> 5000 -> 3357, 505, 1138; credit on 34705 + 5223 + 11762 = 51690 -> 671.41, 101.04,
227.55 -> 671, 101, 228 (the remaining fen to the largest fraction). Lines 34034, 5122, 11534:
tmall-a's session 39156, tmall-b's 11534.
"""

from __future__ import annotations

from datetime import UTC, datetime

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.shopper import SampleShopper
from agent_checkout.agent.state import Need
from agent_checkout.agent.unit_prices import UnitPricer, presale_books, promotion_books
from merchants import Merchant
from merchants.acp import Allowance, DelegatePaymentRequest, PaymentMethodCard
from merchants.catalog import Catalog, Product
from merchants.merchant import marketplace_books
from merchants.payments import PaymentProcessor
from merchants.presales import Presale
from merchants.promotions import BasketLine
from tests.merchants.checkout_fixtures import buy_in_process, pay
from tests.merchants.promotion_fixtures import open_session, profile

DEPOSIT_AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
FINAL_AT = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 11, 0, 5, tzinfo=UTC)
FRYER = Presale(
    id="fryer-presale",
    product="a3",
    deposit=5000,
    deposit_value=10000,
    funder="marketplace",
    final_payment_starts_at=FINAL_AT,
    final_payment_ends_at=datetime(2026, 11, 12, tzinfo=UTC),
)
PROMOTIONS_A = [
    {"id": "a-coupon", "kind": "store_coupon", "amount": 2000, "min_spend": 20000},
    {
        "id": "every-300-off-50",
        "kind": "threshold",
        "every": 30000,
        "amount": 5000,
        "starts_at": FINAL_AT,
    },
    {"id": "red-packet", "kind": "credit", "amount": 1000},
]


def _product(pid: str, title: str, price: int) -> Product:
    return Product(pid, title, f"A {title.lower()}.", "home_decor", "Acme", price, 10, 4.5, 50)


CATALOGS = {
    "tmall-a": [
        _product("a1", "Kettle", 19900),
        _product("a2", "Mug", 5990),
        _product("a3", "Air fryer", 59900),
    ],
    "tmall-b": [_product("b1", "Lamp", 12900)],
}


def stores() -> dict[str, Merchant]:
    profiles = [
        profile("tmall-a", PROMOTIONS_A).model_copy(update={"presales": [FRYER]}),
        profile("tmall-b", []),
    ]
    book = marketplace_books(profiles)["tmall"]
    processor = PaymentProcessor()
    return {
        p.id: Merchant(
            p, seed=1, processor=processor, catalog=Catalog(CATALOGS[p.id], "cny"), promotions=book
        )
        for p in profiles
    }


def agent_pricer(merchants: dict[str, Merchant], quantity: int, now: datetime, basket=()):
    """The pricer the agent builds from its connectors (promotions and presales, no calls)."""
    connectors = {m: InProcessMerchant(merchant) for m, merchant in merchants.items()}
    return UnitPricer(promotion_books(connectors), quantity, now, presale_books(connectors), basket)


def offer(merchant: Merchant, product_id: str):
    return next(o for o in merchant.product_feed(NOW) if o.id == product_id)


def test_the_presale_line_is_the_deposit_plus_the_final_payment_to_the_fen():
    merchants = stores()
    tmall_a = merchants["tmall-a"]
    worked = agent_pricer(merchants, 3, DEPOSIT_AT).price(offer(tmall_a, "a3"))
    assert (worked.list_unit, worked.line_amount, worked.unit, worked.presale) == (
        59900,
        141700,
        47233,
        "fryer-presale",
    )
    assert worked.discounts == {
        "a-coupon": 2000,
        "every-300-off-50": 20000,
        "red-packet": 1000,
        "fryer-presale": 15000,
    }
    sales = []
    tmall_a.checkout.order_sinks.append(sales.append)
    deposits = []
    tmall_a.checkout.deposit_sinks.append(deposits.append)
    created, _, done = buy_in_process(tmall_a, "a3", DEPOSIT_AT, quantity=3)
    assert (created.total(), done.status) == (15000, "completed")
    final = tmall_a.quote_final(done.order.id, FINAL_AT)
    assert final == 126700
    token = tmall_a.checkout.processor.delegate_payment(
        DelegatePaymentRequest(
            payment_method=PaymentMethodCard(number="4242424242424242"),
            allowance=Allowance(
                max_amount=final,
                currency="cny",
                checkout_session_id=deposits[0].checkout_session_id,
                merchant_id="tmall-a",
                expires_at=NOW,
            ),
        ),
        FINAL_AT,
    ).id
    paid = tmall_a.pay_final(done.order.id, token, FINAL_AT)
    (sale,) = sales
    assert paid.charge.amount == final
    assert created.total() + paid.charge.amount == sale.total_amount == worked.line_amount
    assert {d.promotion_id: d.amount for d in sale.discounts} == worked.discounts


def test_the_rest_of_the_basket_is_each_sessions_total_to_the_fen():
    merchants = stores()
    a_lines = [BasketLine("tmall-a", "a1", 2, 19900), BasketLine("tmall-a", "a2", 1, 5990)]
    b_lines = [BasketLine("tmall-b", "b1", 1, 12900)]
    lines = [*a_lines, *b_lines]
    worked = {
        line.product_id: agent_pricer(
            merchants, line.quantity, NOW, [o for o in lines if o is not line]
        ).price(offer(merchants[line.store], line.product_id))
        for line in lines
    }
    assert {pid: p.line_amount for pid, p in worked.items()} == {
        "a1": 34034,
        "a2": 5122,
        "b1": 11534,
    }
    a = open_session(merchants["tmall-a"], {"a1": 2, "a2": 1}, companions=b_lines)
    b = open_session(merchants["tmall-b"], {"b1": 1}, companions=a_lines)
    _, a_done = pay(merchants["tmall-a"], a.id, a.total(), NOW)
    _, b_done = pay(merchants["tmall-b"], b.id, b.total(), NOW)
    assert (a_done.status, b_done.status) == ("completed", "completed")
    assert a_done.total() == worked["a1"].line_amount + worked["a2"].line_amount == 39156
    assert b_done.total() == worked["b1"].line_amount == 11534


def test_the_agent_decides_on_the_presale_price_and_pays_the_deposit():
    merchants = stores()
    processor = merchants["tmall-a"].checkout.processor

    class Watching(SampleShopper):
        def accepts_price(self, stated_line: int, real_line: int) -> bool:
            self.seen = (stated_line, real_line)
            return real_line <= stated_line + 1  # within the unit price's rounding

    # ¥599.00 a unit is over a ¥500 budget; ¥472.33 over deposit and final payment is not.
    need = Need(category="home_decor", query="air fryer", quantity=3)
    shopper = Watching(need=need, budget=50000)
    state = build_checkout_graph().invoke(
        {},
        context=AgentContext(
            merchants={"tmall-a": InProcessMerchant(merchants["tmall-a"], lambda: DEPOSIT_AT)},
            payments=InProcessPayments(processor, lambda: DEPOSIT_AT),
            shopper=shopper,
            clock=lambda: DEPOSIT_AT,
            sleep=lambda s: None,
        ),
    )
    assert state["outcome"] == "purchased"
    assert (state["choice"].offer.id, state["choice"].unit_price) == ("a3", 47233)
    assert shopper.seen == (141699, 141700)  # 3 x 47233 stated; the sale's worked-out line
    assert state["checkout"].total() == 15000  # the deposit, now
