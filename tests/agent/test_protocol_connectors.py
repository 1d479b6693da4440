"""Each protocol's connector, in process, in the simulation and over HTTP, carries the graph's
purchase to the same order: a $40.00 lamp, $5.00 shipping, 7.25% tax on both ($2.90 + $0.36),
$48.26 in all; and the same declines and 3-D Secure challenges."""

from __future__ import annotations

import random

import pytest
import simpy
from fastapi.testclient import TestClient

from agent_checkout.agent.connectors import InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.http_connector import HttpPayments
from agent_checkout.agent.protocols import http_connector, in_process_connector
from agent_checkout.sim.cosim import (
    MerchantServer,
    SimulatedPayments,
    VirtualClock,
    drive_session,
    virtual_sleep,
)
from agent_checkout.sim.simulated_protocols import simulated_connector
from merchants import Merchant, PaymentProcessor
from merchants.acp import PaymentMethodCard
from merchants.http import create_app
from merchants.payments import THREE_DS_CARD
from merchants.profile import PROTOCOLS, LatencyProfile

from .scripted import DECLINES, NOW, PROFILE, Picky, lamps

TAXED = PROFILE.model_copy(update={"tax_rate_bps": 725})
GRAPH = build_checkout_graph()


def market(protocol: str) -> tuple[Merchant, PaymentProcessor, list]:
    processor = PaymentProcessor()
    shop = Merchant(
        TAXED.model_copy(update={"protocol": protocol}),
        seed=1,
        processor=processor,
        catalog=lamps(),
    )
    orders: list = []
    shop.checkout.order_sinks.append(orders.append)
    return shop, processor, orders


def in_process(protocol: str, shopper: Picky):
    shop, processor, orders = market(protocol)
    state = GRAPH.invoke(
        {},
        context=AgentContext(
            merchants={"shop": in_process_connector(shop, lambda: NOW)},
            payments=InProcessPayments(processor, lambda: NOW),
            shopper=shopper,
            clock=lambda: NOW,
            sleep=lambda seconds: None,
        ),
    )
    return state, orders


def simulated(protocol: str, shopper: Picky):
    shop, processor, orders = market(protocol)
    env = simpy.Environment()
    clock = VirtualClock(env, NOW)
    law = LatencyProfile(median_ms=100.0, sigma=0.0)
    servers = {
        "shop": MerchantServer(env, clock, law, 4, server_id="shop"),
        "psp": MerchantServer(env, clock, law, 4, server_id="psp"),
    }
    context = AgentContext(
        merchants={"shop": simulated_connector(shop, clock)},
        payments=SimulatedPayments(processor, clock),
        shopper=shopper,
        clock=clock,
        sleep=virtual_sleep,
    )
    process = env.process(
        drive_session(env, 0, lambda: GRAPH.invoke({}, context=context), servers, random.Random(1))
    )
    env.run()
    record = process.value
    assert record.calls > 0 and env.now > 0  # every call took its latency in virtual time
    return record.state, orders


def over_http(protocol: str, shopper: Picky):
    shop, processor, orders = market(protocol)
    client = TestClient(create_app({"shop": shop}, processor))
    state = GRAPH.invoke(
        {},
        context=AgentContext(
            merchants={
                "shop": http_connector(
                    "http://testserver", "shop", protocol, currency="usd", client=client
                )
            },
            payments=HttpPayments("http://testserver/psp", client=client),
            shopper=shopper,
            sleep=lambda seconds: None,
        ),
    )
    return state, orders


TRANSPORTS = {"in_process": in_process, "simulated": simulated, "http": over_http}
CASES = [(p, t) for p in PROTOCOLS for t in TRANSPORTS]
IDS = [f"{p}-{t}" for p, t in CASES]


@pytest.mark.parametrize(("protocol", "transport"), CASES, ids=IDS)
def test_a_purchase_has_the_same_totals(protocol, transport):
    state, orders = TRANSPORTS[transport](protocol, Picky())
    assert state["outcome"] == "purchased"
    session = state["checkout"]
    assert session.status == "completed"
    assert (session.total("subtotal"), session.total("fulfillment")) == (4000, 500)
    assert (session.total("tax"), session.total()) == (326, 4826)
    (order,) = orders
    assert session.order.id == order.id
    assert (order.items_amount, order.shipping_amount, order.tax_amount) == (4000, 500, 326)
    assert (order.total_amount, order.units, order.fulfillment_option_id) == (4826, 1, "standard")
    assert [(line.product_id, line.quantity, line.tax) for line in order.lines] == [
        ("lamp1", 1, 290)
    ]


@pytest.mark.parametrize(("protocol", "transport"), CASES, ids=IDS)
def test_a_declined_card_then_a_good_one(protocol, transport):
    cards = (PaymentMethodCard(number=DECLINES), PaymentMethodCard(number="4242424242424242"))
    state, orders = TRANSPORTS[transport](protocol, Picky(cards=cards))
    assert (state["outcome"], state["card_index"]) == ("purchased", 1)
    assert [order.total_amount for order in orders] == [4826]


#: 3-D Secure over UCP needs the payment handler to hear the result, which only the in-process
#: and simulated connectors can tell it (ucp_wire's docstring).
CHALLENGED = [(p, t) for p, t in CASES if not (p.startswith("ucp") and t == "http")]


@pytest.mark.parametrize(
    ("protocol", "transport"), CHALLENGED, ids=[f"{p}-{t}" for p, t in CHALLENGED]
)
@pytest.mark.parametrize("passes", [True, False], ids=["passed", "failed"])
def test_a_3ds_challenge(protocol, transport, passes):
    shopper = Picky(cards=(PaymentMethodCard(number=THREE_DS_CARD),), challenge=passes)
    state, orders = TRANSPORTS[transport](protocol, shopper)
    assert state["authenticated"] is passes
    assert state["outcome"] == ("purchased" if passes else "payment_failed")
    assert [order.total_amount for order in orders] == ([4826] if passes else [])


def test_ucp_over_http_cannot_answer_a_challenge():
    shopper = Picky(cards=(PaymentMethodCard(number=THREE_DS_CARD),))
    state, orders = over_http("ucp-2026-01-11", shopper)
    assert (state["outcome"], orders) == ("checkout_failed", [])
    assert "3-D Secure" in state["detail"]


def test_an_unknown_protocol_is_named():
    with pytest.raises(ValueError, match="unknown protocol 'ucp'"):
        http_connector("http://testserver", "shop", "ucp", currency="usd")


def test_the_testing_agent_buys_twice_over_ucp():
    from agent_checkout.testing import CheckoutAgent

    shop, _, orders = market("ucp-2026-01-11")
    agent = CheckoutAgent(merchants=[shop])
    first = agent.buy("home_decor", "brass lamp", budget=10_000)
    second = agent.buy("home_decor", "brass lamp", budget=10_000)
    assert (first["outcome"], second["outcome"]) == ("purchased", "purchased")
    assert [order.id for order in orders] == ["ucp_ord_shop_0000001", "ucp_ord_shop_0000002"]
