"""``agent-checkout chat``: a person shops through the agent, in the terminal.

The person says what they want and what they will spend; the agent searches every merchant of
the scenario (in process), shows its recommendations with prices, asks which one, stops for a
yes before paying (human-present mode, a LangGraph interrupt), and shows the order with every
fee line: who was paid what, to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

import typer
from langgraph.types import Command
from rich.console import Console
from rich.markup import escape
from rich.prompt import Confirm, IntPrompt, Prompt
from rich.table import Table

from agent_checkout.agent.connectors import InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph, session_checkpointer
from agent_checkout.agent.protocols import in_process_connector
from agent_checkout.agent.shopper import sample_address, sample_buyer, sample_cards
from agent_checkout.agent.state import Need, Recommendation
from agent_checkout.commands.bad_input import fail
from agent_checkout.fees.pricer import FeePricer
from agent_checkout.sim.run import build_market, fee_models_for
from agent_checkout.sim.scenario import ScenarioError, load_scenario
from merchants.acp import Address, Buyer, PaymentMethodCard
from merchants.money import format_money, to_minor
from merchants.search import tokenize
from merchants.taxonomy import CATEGORIES

console = Console()


def guess_category(text: str) -> str:
    """The taxonomy category whose words the request shares most (for the record only)."""
    words = set(tokenize(text))

    def overlap(category_id: str) -> int:
        c = CATEGORIES[category_id]
        vocabulary = " ".join((*c.nouns, *c.materials, *c.adjectives, c.name))
        return len(words & set(tokenize(vocabulary)))

    return max(sorted(CATEGORIES), key=overlap)


@dataclass
class Person:
    """The shopper at the keyboard: the agent asks, the person answers."""

    need: Need
    budget: int
    buyer: Buyer = field(default_factory=sample_buyer)
    address: Address = field(default_factory=sample_address)
    cards: Sequence[PaymentMethodCard] = field(default_factory=sample_cards)

    def choose(self, recommendations: Sequence[Recommendation]) -> Recommendation | None:
        table = Table(title="The agent recommends", title_justify="left")
        for column in ("#", "item", "merchant", "price", "rating"):
            table.add_column(column, justify="right" if column in ("#", "price") else "left")
        for number, rec in enumerate(recommendations, 1):
            offer = rec.offer
            label = f" [yellow]({escape(rec.label)})[/]" if rec.label else ""
            table.add_row(
                str(number),
                escape(offer.title) + label,
                escape(offer.seller_name),
                format_money(offer.price, offer.currency),
                f"{offer.rating:.1f}★",
            )
        console.print(table)
        pick = IntPrompt.ask("Which one? (0 for none)", default=1, console=console)
        return recommendations[pick - 1] if 1 <= pick <= len(recommendations) else None


def chat(
    scenario: Annotated[
        str, typer.Argument(help="Whose merchants to shop (a scenario).")
    ] = "quickstart",
) -> None:
    """Shop through the agent yourself: ask, pick, confirm, and see every fee of the order."""
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as problem:
        raise fail(str(problem)) from None
    merchants, processor = build_market(loaded, loaded.seed)
    pricer = FeePricer(fee_models_for(loaded))
    orders = []
    for merchant in merchants.values():
        merchant.checkout.order_sinks.append(orders.append)
    graph = build_checkout_graph(checkpointer=session_checkpointer())
    names = ", ".join(m.profile.name for m in merchants.values())
    console.print(f"[bold]agent-checkout chat[/] · shopping {escape(names)} · empty line to quit")
    turn = 0
    # One connector per merchant for the whole chat, in the protocol its profile names.
    connectors = {m.id: in_process_connector(m) for m in merchants.values()}
    while True:
        wanted = Prompt.ask("\nWhat are you looking for?", default="", console=console).strip()
        if not wanted:
            console.print("Goodbye.")
            return
        budget_text = Prompt.ask("Budget in dollars", default="100", console=console)
        try:
            budget = to_minor(budget_text.strip(), loaded.currency)
        except ValueError:
            console.print(f"[red]Not an amount: {escape(repr(budget_text))}[/]")
            continue
        turn += 1
        person = Person(need=Need(guess_category(wanted), wanted), budget=budget)
        context = AgentContext(
            merchants=connectors,
            payments=InProcessPayments(processor),
            shopper=person,
            delegation="human_present",
        )
        config = {"configurable": {"thread_id": f"chat-{turn}"}}
        state = graph.invoke({}, config=config, context=context)
        while "__interrupt__" in state:
            ask = state["__interrupt__"][0].value
            total = format_money(ask["total"], ask["currency"])
            yes = Confirm.ask(
                f"Buy {ask['item']} from {ask['merchant']} for {total} "
                f"(shipping and tax included)?",
                console=console,
            )
            state = graph.invoke(Command(resume=yes), config=config, context=context)
        _report(state, orders, pricer)


def _report(state: dict, orders: list, pricer: FeePricer) -> None:
    outcome = state.get("outcome")
    if outcome != "purchased":
        console.print(
            f"No order: {outcome.replace('_', ' ')}"
            + (f" ({state['detail']})" if state.get("detail") else "")
            + "."
        )
        return
    order = orders[-1]
    lines = pricer.price(order)
    table = Table(
        title=f"Order {order.id} · {format_money(order.total_amount, order.currency)}",
        title_justify="left",
    )
    table.add_column("who")
    table.add_column("for")
    table.add_column("amount", justify="right")
    for line in lines:
        table.add_row(
            line.payee.replace("_", " "),
            f"{line.model} · {line.component}",
            format_money(line.amount, order.currency),
        )
    table.add_row("tax authority", "sales tax", format_money(order.tax_amount, order.currency))
    merchant_fees = sum(f.amount for f in lines if f.payer == "merchant")
    net = order.total_amount - order.tax_amount - merchant_fees
    table.add_row(
        f"merchant {order.merchant_id}", "net of fees and tax", format_money(net, order.currency)
    )
    console.print(table)
