"""Run the checkout agent once, outside any simulation, against in-process merchants.

python examples/buy_one_item.py
"""

from __future__ import annotations

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.shopper import SampleShopper
from agent_checkout.agent.state import Need
from merchants import PaymentProcessor, build_merchants, load_profile
from merchants.money import format_money


def main() -> None:
    processor = PaymentProcessor()
    merchants = build_merchants(
        [load_profile("northwind-outfitters"), load_profile("juniper-handmade")],
        seed=7,
        processor=processor,
    )
    graph = build_checkout_graph()
    state = graph.invoke(
        {},
        context=AgentContext(
            merchants={m.id: InProcessMerchant(m) for m in merchants.values()},
            payments=InProcessPayments(processor),
            shopper=SampleShopper(
                Need(category="kitchen", query="cast iron skillet"), budget=8_000
            ),
        ),
    )
    print("outcome:", state["outcome"])
    for rec in state["recommendations"]:
        offer = rec.offer
        print(
            f"  #{rec.rank} {offer.title} at {offer.seller_name}: "
            f"{format_money(offer.price, offer.currency)} ({offer.rating}★)"
        )
    if state["outcome"] == "purchased":
        session = state["checkout"]
        print("order:", session.order.id, "total", format_money(session.total(), session.currency))


if __name__ == "__main__":
    main()
