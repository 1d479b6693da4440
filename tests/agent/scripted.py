"""Connectors for forcing failure paths: real in-process merchants with scripted faults."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.state import Need, Recommendation
from merchants import Merchant, MerchantProfile, PaymentProcessor
from merchants.acp import Address, Buyer, PaymentMethodCard
from merchants.catalog import Catalog, Product

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
GOOD, DECLINES = "4242424242424242", "4000000000000002"

PROFILE = MerchantProfile.model_validate(
    {
        "id": "shop",
        "name": "Shop",
        "platform": "shopify",
        "tax_rate_bps": 0,
        "shipping": [
            {"id": "standard", "title": "Standard", "price": 500, "min_days": 2, "max_days": 4},
            {"id": "express", "title": "Express", "price": 1500, "min_days": 1, "max_days": 1},
        ],
    }
)


def lamps(stock: tuple[int, int] = (5, 5)) -> Catalog:
    return Catalog(
        [
            Product("lamp1", "Brass Desk Lamp", "", "home_decor", "Acme", 4000, stock[0], 4.8, 10),
            Product("lamp2", "Brass Floor Lamp", "", "home_decor", "Acme", 6000, stock[1], 4.1, 10),
        ]
    )


class Scripted:
    """Records every call as ``(merchant, endpoint)`` and raises scripted faults in order."""

    def __init__(
        self, faults: dict[str, list[BaseException | Callable[[], Any]]] | None = None
    ) -> None:
        self.calls: list[tuple[str, str]] = []
        self.faults = faults or {}

    def serve(self, who: str, endpoint: str, operation, now):
        self.calls.append((who, endpoint))
        pending = self.faults.get(endpoint)
        if pending:
            fault = pending.pop(0)
            if isinstance(fault, BaseException):
                raise fault
            fault()
        return operation(now)


class ScriptedMerchant(InProcessMerchant):
    def __init__(self, merchant: Merchant, script: Scripted) -> None:
        super().__init__(merchant, clock=lambda: NOW)
        self.script = script

    def _serve(self, endpoint, operation):
        return self.script.serve(self.merchant_id, endpoint, operation, self.clock())


class ScriptedPayments(InProcessPayments):
    def __init__(self, processor: PaymentProcessor, script: Scripted) -> None:
        super().__init__(processor, clock=lambda: NOW)
        self.script = script

    def _serve(self, endpoint, operation):
        return self.script.serve("psp", endpoint, operation, self.clock())


@dataclass
class Picky:
    """Takes the first recommendation within budget, or what ``pick`` says."""

    budget: int = 10_000
    cards: Sequence[PaymentMethodCard] = (PaymentMethodCard(number=GOOD),)
    pick: Callable[[Sequence[Recommendation]], Recommendation | None] | None = None
    challenge: bool = True  # passes 3-D Secure
    need: Need = Need("home_decor", "brass lamp")
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

    def passes_challenge(self) -> bool:
        return self.challenge

    def choose(self, recommendations):
        if self.pick is not None:
            return self.pick(recommendations)
        return next((r for r in recommendations if r.offer.price <= self.budget), None)


def shop(catalog: Catalog | None = None, processor: PaymentProcessor | None = None) -> Merchant:
    return Merchant(
        PROFILE, seed=1, processor=processor or PaymentProcessor(), catalog=catalog or lamps()
    )


def run(
    shopper: Picky,
    *,
    catalog: Catalog | None = None,
    faults=None,
    merchant: Merchant | None = None,
    **context,
):
    """Run the real graph once; returns (final state, script, sleeps, merchant)."""
    merchant = merchant or shop(catalog)
    processor = merchant.checkout.processor
    script, sleeps = Scripted(faults), []
    state = build_checkout_graph().invoke(
        {},
        context=AgentContext(
            merchants={"shop": ScriptedMerchant(merchant, script)},
            payments=ScriptedPayments(processor, script),
            shopper=shopper,
            clock=lambda: NOW,
            sleep=sleeps.append,
            **context,
        ),
    )
    return state, script, sleeps, merchant
