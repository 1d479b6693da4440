"""A scenario with ``agent.policy: llm`` runs end to end, offline, on a registered fake model.

The fake reads the offers the policy lists and picks them in reverse (the neutral ranking's
last first), so its choices visibly differ from the rule policy's; it reports 4 characters per
input token and 20 output tokens a call, priced at the ``fake`` rate ($1 and $2 per million).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from typer.testing import CliRunner

from agent_checkout.agent.chat_models import register_chat_model, unregister_chat_model
from agent_checkout.agent.llm_policy import LLMPolicy
from agent_checkout.agent.policy import RulePolicy
from agent_checkout.cli import app
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import ScenarioError, load_scenario
from agent_checkout.sim.scenario_policy import policy_problem, scenario_policy

TINY = """\
extends: quickstart
name: tiny-llm
arrivals: {sessions: 40}
agent:
  policy: llm
  model: "scripted:reverse"
"""


class ReverseFake(BaseChatModel):
    """Answers the query step with the shopper's own words and the shortlist step with the
    listed offers, last first."""

    @property
    def _llm_type(self) -> str:
        return "fake-reverse"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        prompt = "\n".join(str(m.content) for m in messages)
        if "The shopper asked for: " in prompt:
            asked = prompt.split("The shopper asked for: ", 1)[1].split("\n", 1)[0]
            content = json.dumps({"query": asked})
        else:
            offers = prompt.split("availability):\n", 1)[1].split("\nReply with JSON", 1)[0]
            keys = [line.split(" | ", 1)[0] for line in offers.splitlines() if " | " in line]
            content = json.dumps({"product_keys": keys[::-1], "reasons": []})
        usage = {"input_tokens": len(prompt) // 4, "output_tokens": 20}
        usage["total_tokens"] = usage["input_tokens"] + 20
        message = AIMessage(content=content, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])


@pytest.fixture
def tiny(tmp_path):
    register_chat_model("scripted", lambda name: ReverseFake())
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    yield path
    unregister_chat_model("scripted")


def test_the_scenario_chooses_the_policy(tiny):
    scenario = load_scenario(tiny)
    assert (scenario.agent.policy, scenario.agent.model) == ("llm", "scripted:reverse")
    policy = scenario_policy(scenario)
    assert isinstance(policy, LLMPolicy) and isinstance(policy.model, ReverseFake)
    assert (policy.limit, policy.model_name) == (5, "fake")
    assert isinstance(scenario_policy(load_scenario("quickstart")), RulePolicy)


def test_an_llm_scenario_runs_end_to_end_with_metered_inference(tiny, tmp_path):
    llm = run_scenario(load_scenario(tiny), seed=3, out=tmp_path / "llm").summary
    rules = load_scenario(tiny, {"agent.policy": "rules", "agent.model": None})
    ruled = run_scenario(rules, seed=3, out=tmp_path / "rules").summary
    assert llm["sessions"] == ruled["sessions"] == 40
    # the same shoppers, but the model's reversed shortlists sell another, dearer product
    assert (llm["orders"], llm["gmv"], llm["outcomes"]["over_budget"]) == (1, 3967, 2)
    assert (ruled["orders"], ruled["gmv"], ruled["outcomes"]["over_budget"]) == (1, 2893, 0)
    # inference: the fake's metered tokens (+ the intents' chat turns at the assumed step
    # price) in place of every step at the assumed price
    assert (llm["inference_fx"]["usd_micros"], llm["inference_cost"]) == (71_277, 7)
    assert (ruled["inference_fx"]["usd_micros"], ruled["inference_cost"]) == (87_000, 9)
    assert llm["unhandled_errors"] == ruled["unhandled_errors"] == 0


def test_run_and_compare_take_the_llm_policy_from_the_file(tiny, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(tiny), "--seed", "3", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert (summary["orders"], summary["gmv"], summary["inference_cost"]) == (1, 3967, 7)
    args = ["compare", str(tiny), "--fee-models", "openai-instant-checkout,flat-per-order"]
    args += ["--replications", "2", "--out", str(tmp_path / "c")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    comparison = json.loads((tmp_path / "c" / "comparison.json").read_text())
    assert comparison["demand_identical"] and comparison["scenario"] == "tiny-llm"
    for model in ("openai-instant-checkout", "flat-per-order"):
        figures = comparison["figures"][model]
        assert (figures["orders"]["mean"], figures["inference_cost"]["mean"]) == (1.0, 7.0)


def test_a_model_that_cannot_be_built_is_named_before_the_run(tmp_path):
    path = tmp_path / "remote.yaml"
    path.write_text(TINY.replace("scripted:reverse", "nowhere:model-x"))
    problem = policy_problem(load_scenario(path))
    assert problem is not None and problem.startswith("agent.model: nowhere:model-x: ")


@pytest.mark.parametrize(
    ("agent", "message"),
    [
        ("{policy: llm}", 'agent.model: policy llm needs a chat model, e.g. "openai:gpt-4o-mini"'),
        (
            "{model: 'openai:gpt-4o-mini'}",
            "agent.model: names the chat model of policy: llm; add that or drop it",
        ),
        ("{policy: oracle}", "agent.policy: Input should be 'rules' or 'llm'"),
    ],
)
def test_policy_and_model_go_together(tmp_path, agent, message):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: quickstart\nagent: {agent}\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value) == f"{path}:2: {message}"


def test_a_chat_model_policy_runs_on_langgraph_and_fast_is_refused_in_one_line(tiny, tmp_path):
    assert run_scenario(load_scenario(tiny), seed=3).summary["engine"] == "langgraph"
    out = tmp_path / "r"
    result = CliRunner().invoke(app, ["run", str(tiny), "--engine", "fast", "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert result.output == (
        "error: --engine fast: the 'llm' policy calls a chat model; use engine langgraph (or "
        "auto)\n"
    )
