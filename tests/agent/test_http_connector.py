"""The same seeded session, in process and over HTTP, places the same order."""

from __future__ import annotations

from fastapi.testclient import TestClient

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.http_connector import HttpPayments, http_merchants
from agent_checkout.fees import load_fee_model, price_order
from agent_checkout.sim.run import build_market
from agent_checkout.sim.scenario import load_scenario
from merchants.errors import ProtocolError
from merchants.http import create_app

from .scripted import NOW, Picky


def _shopper():
    from agent_checkout.agent.state import Need

    return Picky(need=Need("kitchen", "stoneware mug"), budget=6_000)


def test_same_session_in_process_and_over_http():
    scenario = load_scenario("quickstart")
    graph = build_checkout_graph()

    merchants, processor = build_market(scenario, 7)
    local_orders = []
    for merchant in merchants.values():
        merchant.checkout.order_sinks.append(local_orders.append)
    local = graph.invoke(
        {},
        context=AgentContext(
            merchants={m.id: InProcessMerchant(m, clock=lambda: NOW) for m in merchants.values()},
            payments=InProcessPayments(processor, clock=lambda: NOW),
            shopper=_shopper(),
            clock=lambda: NOW,
        ),
    )

    served, served_processor = build_market(scenario, 7)
    orders = []
    for merchant in served.values():
        merchant.checkout.order_sinks.append(orders.append)
    client = TestClient(create_app(served, served_processor))
    remote = graph.invoke(
        {},
        context=AgentContext(
            merchants=http_merchants("http://testserver", client=client),
            payments=HttpPayments("http://testserver/psp", client=client),
            shopper=_shopper(),
        ),
    )

    assert local["outcome"] == remote["outcome"] == "purchased"
    assert local["checkout"].order.id == remote["checkout"].order.id
    assert local["checkout"].line_items == remote["checkout"].line_items
    assert local["checkout"].totals == remote["checkout"].totals
    assert [r.key for r in local["recommendations"]] == [r.key for r in remote["recommendations"]]
    (order,), (local_order,) = orders, local_orders
    assert order.total_amount == local_order.total_amount == local["checkout"].total()
    models = [
        load_fee_model("openai-instant-checkout"),
        load_fee_model("shopify-basic" if order.platform == "shopify" else "etsy-standard"),
    ]
    assert price_order(order, models) == price_order(local_order, models)


def test_http_errors_become_protocol_errors():
    scenario = load_scenario("quickstart")
    served, processor = build_market(scenario, 7)
    client = TestClient(create_app(served, processor))
    northwind = http_merchants("http://testserver", client=client)["northwind"]
    try:
        northwind.cancel_checkout("cs_missing")
    except ProtocolError as problem:
        assert (problem.status, problem.type) == (404, "invalid_request")
    else:
        raise AssertionError("expected a 404")
