"""Run the checkout agent once, outside any simulation, against in-process merchants.

python examples/buy_one_item.py
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.state import Need
from merchants import PaymentProcessor, build_merchants, load_profile
from merchants.acp import Address, Buyer, PaymentMethodCard
from merchants.money import format_money


@dataclass
class Me:
    """A shopper who takes the best-ranked recommendation within budget."""

    need: Need = Need(category="kitchen", query="cast iron skillet")
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
            shopper=Me(),
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
