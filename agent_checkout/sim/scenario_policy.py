"""The policy a scenario's ``agent`` block chooses: rules (the default, offline) or a chat model.

``agent.policy: llm`` with ``agent.model: "provider:model"`` gives an
:class:`~agent_checkout.agent.llm_policy.LLMPolicy` recommending ``agent.recommendations`` offers
and falling back to the scenario's ranking when the model's answer is unusable; each session's
inference is then metered from the model's token counts (sim.simulation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_checkout.agent.chat_models import chat_model_for
from agent_checkout.agent.policy import CheckoutPolicy, RulePolicy
from agent_checkout.sim.scenario_ranking import scenario_ranking

if TYPE_CHECKING:
    from agent_checkout.sim.scenario import Scenario


def scenario_policy(scenario: Scenario) -> CheckoutPolicy:
    """The checkout policy ``scenario`` asks for, built afresh (one per replication)."""
    agent = scenario.agent
    ranking = scenario_ranking(scenario)
    if agent.policy == "rules":
        return RulePolicy(limit=agent.recommendations, ranking=ranking)
    from agent_checkout.agent.llm_policy import LLMPolicy

    assert agent.model is not None  # AgentSpec requires it with policy: llm
    return LLMPolicy(chat_model_for(agent.model), limit=agent.recommendations, fallback=ranking)


def policy_problem(scenario: Scenario) -> str | None:
    """``agent.model: ...`` when the scenario's chat model cannot be built here (langchain or
    the provider's package missing, an unknown provider), else None: checked before a run."""
    if scenario.agent.policy != "llm":
        return None
    try:
        scenario_policy(scenario)
    except (ImportError, ValueError) as problem:
        message = " ".join(str(problem).split())
        return f"agent.model: {scenario.agent.model}: {message}"
    return None
