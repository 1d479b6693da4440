"""Sessions interleave in virtual time, and merchant state changes when calls are served."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agent_checkout.agent.state import Need, Recommendation
from agent_checkout.fees import load_fee_model
from agent_checkout.sim.simulation import Simulation
from agent_checkout.sim.streams import RandomStreams
from merchants import Merchant, MerchantProfile, PaymentProcessor
from merchants.acp import Address, Buyer, PaymentMethodCard
from merchants.catalog import Catalog, Product

from ..merchants.checkout_fixtures import NOW

PROFILE = MerchantProfile.model_validate(
    {
        "id": "solo",
        "name": "Solo Shop",
        "platform": "shopify",
        "tax_rate_bps": 0,
        "shipping": [
            {"id": "standard", "title": "Standard", "price": 500, "min_days": 2, "max_days": 4}
        ],
        "latency": {"median_ms": 200, "sigma": 0.0},
        "capacity": 8,
        "fee_models": ["shopify-basic"],
    }
)


@dataclass
class EagerShopper:
    """Always takes the first recommendation."""

    index: int
    need: Need = Need("home_decor", "brass lamp")
    budget: int = 20_000
    buyer: Buyer = field(
        default_factory=lambda: Buyer(first_name="A", last_name="B", email="a@example.com")
    )
    address: Address = field(
        default_factory=lambda: Address(
            name="A B",
            line_one="1 Main St",
            city="Austin",
            state="TX",
            country="US",
            postal_code="78701",
        )
    )
    cards: Sequence[PaymentMethodCard] = (PaymentMethodCard(number="4242424242424242"),)

    def choose(self, recommendations: Sequence[Recommendation]) -> Recommendation | None:
        return recommendations[0]


def _simulation(stock: int, shoppers: int, capacity: int = 8) -> Simulation:
    catalog = Catalog(
        [Product("lamp", "Brass Lamp", "A lamp.", "home_decor", "Acme", 8900, stock, 4.5, 10)]
    )
    processor = PaymentProcessor()
    profile = PROFILE.model_copy(update={"capacity": capacity})
    merchant = Merchant(profile, seed=1, processor=processor, catalog=catalog)
    simulation = Simulation(
        merchants={"solo": merchant},
        processor=processor,
        shopper=EagerShopper,
        arrival_gaps=[0.0] * shoppers,
        start=NOW,
        streams=RandomStreams(3),
        fee_models={
            "solo": [load_fee_model("openai-instant-checkout"), load_fee_model("shopify-basic")]
        },
        psp_latency=PROFILE.latency,
    )
    simulation.records, simulation.call_log = [], []
    return simulation


def test_two_sessions_race_for_the_last_unit():
    simulation = _simulation(stock=1, shoppers=2)
    metrics = simulation.run()
    outcomes = {r.index: r.outcome for r in simulation.records}
    assert outcomes == {0: "purchased", 1: "out_of_stock"}
    assert metrics.orders == 1 and simulation.oversold_units() == 0
    assert simulation.merchants["solo"].catalog.get("lamp").stock == 0
    # Both sessions reached complete; each call was served 200 ms after it was made, session 0
    # first at every step because it arrived first (SimPy serves equal times in FIFO order).
    calls = [(round(t, 3), endpoint, i) for t, _, endpoint, i in simulation.call_log]
    assert calls == [
        (0.2, "search", 0),
        (0.2, "search", 1),
        (0.4, "create_checkout", 0),
        (0.4, "create_checkout", 1),
        (0.6, "delegate_payment", 0),
        (0.6, "delegate_payment", 1),
        (0.8, "complete_checkout", 0),
        (0.8, "complete_checkout", 1),
    ]
    # The order was written at the virtual time its complete call was served.
    assert simulation.metrics.gmv == 8900 + 500


def test_capacity_queues_calls_in_virtual_time():
    simulation = _simulation(stock=20, shoppers=10, capacity=1)  # everyone queues
    simulation.run()
    searches = sorted(t for t, _, endpoint, _ in simulation.call_log if endpoint == "search")
    # Ten searches arriving at t=0 served one after another, 200 ms each.
    assert [round(t, 3) for t in searches] == [round(0.2 * k, 3) for k in range(1, 11)]
    assert simulation.metrics.outcomes["purchased"] == 10


def test_trace_shows_the_lost_race_in_virtual_time():
    simulation = _simulation(stock=1, shoppers=2)
    trace = simulation.trace(1)
    simulation.run()
    rows = [
        (r["node"], r.get("call"), r.get("status") or r.get("outcome"), r.get("latency_ms"))
        for r in trace.records
    ]
    assert rows == [
        ("search", "search", "ok", 200.0),
        ("recommend", None, None, None),  # the options and the prices the agent worked out
        ("checkout", "create_checkout", "ready_for_payment", 200.0),
        ("pay", "delegate_payment", "ok", 200.0),
        ("pay", "complete_checkout", "not_ready_for_payment (out_of_stock)", 200.0),
        ("__end__", None, "out_of_stock", None),
    ]
    assert trace.records[-1]["t"] == "2026-11-11T12:00:00.800000+00:00"
    # search, recommend, decide, checkout, confirm, pay, recommend, decide: 8 steps, no cost set
    assert (trace.records[-1]["steps"], trace.records[-1]["inference_micros"]) == (8, 0)
