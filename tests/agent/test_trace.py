"""A traced session records each merchant call with its node, status and timing."""

from __future__ import annotations

import json

from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.trace import SessionTrace, traced
from merchants import Merchant, PaymentProcessor
from merchants.acp import PaymentMethodCard

from .scripted import (
    DECLINES,
    GOOD,
    NOW,
    PROFILE,
    Picky,
    Scripted,
    ScriptedMerchant,
    ScriptedPayments,
    lamps,
)


def test_trace_records_calls_by_node(tmp_path):
    processor = PaymentProcessor()
    merchant = Merchant(PROFILE, seed=1, processor=processor, catalog=lamps())
    script = Scripted()
    trace = SessionTrace("s0000001", clock=lambda: NOW)
    shopper = Picky(cards=(PaymentMethodCard(number=DECLINES), PaymentMethodCard(number=GOOD)))
    state = build_checkout_graph().invoke(
        {},
        context=AgentContext(
            merchants={"shop": traced(ScriptedMerchant(merchant, script), trace, "shop")},
            payments=traced(ScriptedPayments(processor, script), trace, "psp"),
            shopper=shopper,
            clock=lambda: NOW,
            sleep=lambda s: None,
        ),
    )
    trace.end(state)
    path = tmp_path / "trace.jsonl"
    trace.write(path)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["node"], r["server"], r.get("call"), r.get("status")) for r in rows[:-1]] == [
        ("search", "shop", "search", "ok"),
        ("checkout", "shop", "create_checkout", "ready_for_payment"),
        ("pay", "psp", "delegate_payment", "ok"),
        ("pay", "shop", "complete_checkout", "ready_for_payment (payment_declined)"),
        ("pay", "psp", "delegate_payment", "ok"),
        ("pay", "shop", "complete_checkout", "completed"),
    ]
    assert rows[-1] == {
        "session": "s0000001",
        "t": NOW.isoformat(),
        "node": "__end__",
        "outcome": "purchased",
        "detail": None,
    }
    assert all(r["latency_ms"] == 0.0 for r in rows[:-1])
