"""Let a chat model do the agent's judging, and see what its tokens cost.

    python examples/llm_policy.py                             # offline: a scripted stand-in
    python examples/llm_policy.py --model ollama:llama3.1     # local, through Ollama
    python examples/llm_policy.py --model openai:gpt-4o-mini  # hosted (OPENAI_API_KEY set)

A model named by a string needs ``pip install 'agent-checkout[llm]'`` and the provider's package
(``langchain-ollama``, ``langchain-openai``, ...).

Any LangChain chat model works: pass a ``BaseChatModel`` object to ``LLMPolicy`` directly, or a
string that ``langchain.chat_models.init_chat_model`` understands. One ``LLMPolicy`` can serve
many sessions; ``for_session()`` gives each session its own usage meter.
"""

from __future__ import annotations

import argparse
import json
import re

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agent_checkout.agent.connectors import InProcessMerchant, InProcessPayments
from agent_checkout.agent.graph import AgentContext, build_checkout_graph
from agent_checkout.agent.llm_policy import LLMPolicy
from agent_checkout.agent.shopper import SampleShopper
from agent_checkout.agent.state import Need
from merchants import PaymentProcessor, build_merchants, load_profile
from merchants.money import format_money

_OFFER = re.compile(r"^(\S+:\S+) \| (.*?) \| .*? \| .*? \| ([\d.]+) \(", re.MULTILINE)


class ScriptedModel(BaseChatModel):
    """A stand-in chat model: reads the offers from the prompt and picks the best rated.

    Token counts are a rough four characters per token, so the meter has something to count.
    """

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        prompt = "\n".join(m.text for m in messages)
        offers = _OFFER.findall(prompt)
        if offers:
            best = sorted(offers, key=lambda o: (-float(o[2]), o[0]))[:3]
            reasons = [f"{title}, rated {rating}" for _, title, rating in best]
            answer = {"product_keys": [key for key, *_ in best], "reasons": reasons}
        else:
            answer = {"query": "skillet"}
        content = json.dumps(answer)
        usage = {
            "input_tokens": len(prompt) // 4,
            "output_tokens": len(content) // 4,
            "total_tokens": len(prompt) // 4 + len(content) // 4,
        }
        message = AIMessage(content=content, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"  # priced as "fake" in the pricing table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="an init_chat_model string, e.g. ollama:llama3.1")
    args = parser.parse_args()

    try:
        shared = LLMPolicy(args.model or ScriptedModel())  # build once: it holds the model
    except ImportError as missing:
        raise SystemExit(f"error: {missing}") from None
    policy = shared.for_session()  # one per session: its own usage meter

    processor = PaymentProcessor()
    merchants = build_merchants(
        [load_profile("northwind-outfitters"), load_profile("juniper-handmade")],
        seed=7,
        processor=processor,
    )
    state = build_checkout_graph().invoke(
        {},
        context=AgentContext(
            merchants={m.id: InProcessMerchant(m) for m in merchants.values()},
            payments=InProcessPayments(processor),
            shopper=SampleShopper(
                Need(category="kitchen", query="something to fry eggs in"), budget=8_000
            ),
            policy=policy,
        ),
    )

    print(f"model: {policy.model_name}; searched for {state.get('query')!r}")
    print("outcome:", state["outcome"])
    for rec in state.get("recommendations", []):
        offer = rec.offer
        print(
            f"  #{rec.rank} [{rec.ranking}] {offer.title} at {offer.seller_name}: "
            f"{format_money(offer.price, offer.currency)} ({offer.rating}★)"
        )
    usage = policy.usage
    for call in usage.calls:
        used = "used" if call.fallback is None else f"fell back: {call.fallback}"
        print(f"  {call.step}: {call.input_tokens} in / {call.output_tokens} out tokens, {used}")
    flag = f" (no price for {', '.join(sorted(usage.unpriced))})" if usage.unpriced else ""
    print(
        f"inference: {usage.input_tokens + usage.output_tokens} tokens, "
        f"{usage.cost_micros} µUSD{flag}"
    )


if __name__ == "__main__":
    main()
