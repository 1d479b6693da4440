"""Human-present confirmation by interrupt, and a mandate the agent cannot exceed."""

from __future__ import annotations

from datetime import timedelta

from langgraph.types import Command

from agent_checkout.agent.graph import AgentContext, build_checkout_graph, session_checkpointer
from agent_checkout.agent.mandate import Mandate
from merchants import Merchant, PaymentProcessor

from .scripted import NOW, PROFILE, Picky, Scripted, ScriptedMerchant, ScriptedPayments, lamps, run

SEARCH = ("shop", "search")
CREATE = ("shop", "create_checkout")
PAID = [("psp", "delegate_payment"), ("shop", "complete_checkout")]


def _human_present_run(answer):
    processor = PaymentProcessor()
    merchant = Merchant(PROFILE, seed=1, processor=processor, catalog=lamps())
    script = Scripted()
    context = AgentContext(
        merchants={"shop": ScriptedMerchant(merchant, script)},
        payments=ScriptedPayments(processor, script),
        shopper=Picky(),
        clock=lambda: NOW,
        delegation="human_present",
    )
    graph = build_checkout_graph(checkpointer=session_checkpointer())
    config = {"configurable": {"thread_id": "shopper-1"}}
    paused = graph.invoke({}, config=config, context=context)
    (question,) = paused["__interrupt__"]
    assert question.value == {
        "question": "Buy this?",
        "merchant": "Shop",
        "item": "Brass Desk Lamp",
        "total": 4500,
        "currency": "usd",
    }
    assert script.calls == [SEARCH, CREATE]  # nothing paid while waiting for the answer
    final = graph.invoke(Command(resume=answer), config=config, context=context)
    return final, script, merchant


def test_human_present_yes_pays():
    final, script, merchant = _human_present_run(True)
    assert final["outcome"] == "purchased"
    assert script.calls == [SEARCH, CREATE, *PAID]
    assert merchant.catalog.get("lamp1").stock == 4


def test_human_present_no_pays_nothing():
    final, script, merchant = _human_present_run("no")
    assert final["outcome"] == "declined_by_shopper"
    assert script.calls == [SEARCH, CREATE]
    assert merchant.catalog.get("lamp1").stock == 5


def _mandate(**kwargs):
    return Mandate(
        **{"max_amount": 5_000, "currency": "usd", "expires_at": NOW + timedelta(hours=1), **kwargs}
    )


def test_mandate_cap_cannot_be_exceeded_even_when_the_shopper_asks():
    def pick_expensive(recommendations):
        return next(r for r in recommendations if r.offer.id == "lamp2")  # 60.00 + 5.00

    state, script, _, merchant = run(Picky(pick=pick_expensive), mandate=_mandate())
    assert state["outcome"] == "blocked_by_mandate"
    assert state["detail"] == "total 6500 is above the mandate's cap of 5000"
    assert script.calls == [SEARCH, CREATE]  # no token was ever asked for
    assert merchant.catalog.oversold_units() == 0 and merchant.catalog.sold == {}
    within, script, _, _ = run(Picky(), mandate=_mandate())
    assert within["outcome"] == "purchased" and within["checkout"].total() == 4500


def test_mandate_expired_or_wrong_currency_blocks():
    expired, _, _, _ = run(Picky(), mandate=_mandate(expires_at=NOW))
    assert expired["outcome"] == "blocked_by_mandate"
    assert expired["detail"].startswith("mandate expired")
    euros, _, _, _ = run(Picky(), mandate=_mandate(currency="eur"))
    assert euros["detail"] == "mandate is in eur, checkout in usd"


def test_mandate_merchants_bound_search_and_payment():
    processor = PaymentProcessor()
    script = Scripted()
    shop = Merchant(PROFILE, seed=1, processor=processor, catalog=lamps())
    other = Merchant(
        PROFILE.model_copy(update={"id": "other", "name": "Other"}),
        seed=1,
        processor=processor,
        catalog=lamps(),
    )
    connectors = {m.id: ScriptedMerchant(m, script) for m in (shop, other)}

    def invoke(mandate, shopper):
        script.calls.clear()
        return build_checkout_graph().invoke(
            {},
            context=AgentContext(
                merchants=connectors,
                payments=ScriptedPayments(processor, script),
                shopper=shopper,
                clock=lambda: NOW,
                mandate=mandate,
            ),
        )

    state = invoke(_mandate(merchants={"other"}), Picky())
    assert script.calls[0] == ("other", "search") and ("shop", "search") not in script.calls
    assert state["outcome"] == "purchased" and state["choice"].offer.seller_id == "other"
    # A mandate naming no merchant that exists: nothing is searched, nothing bought.
    state = invoke(_mandate(merchants={"elsewhere"}), Picky())
    assert state["outcome"] == "no_match" and script.calls == []
