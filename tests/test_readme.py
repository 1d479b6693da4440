"""The README's examples are real: its fee model and scenario load, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.fees import FeeModel
from agent_checkout.sim.scenario import load_scenario

README = (Path(__file__).parents[1] / "README.md").read_text()


def _yaml_after(heading: str) -> str:
    section = README.split(heading, 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_fee_model_example_loads():
    model = FeeModel.model_validate(yaml.safe_load(_yaml_after("## Writing a fee model")))
    assert [c.name for c in model.components] == ["commission", "clicks"]


def test_scenario_example_loads(tmp_path):
    path = tmp_path / "example.yaml"
    path.write_text(_yaml_after("## Writing a scenario"))
    scenario = load_scenario(path)
    assert scenario.agent.ranking.name == "sponsored" and len(scenario.faults) == 4


def test_quick_start_commands_are_the_ci_commands():
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    test_command = next(line for line in ci.splitlines() if "pytest" in line)
    assert f"```bash\n{test_command}\n```" in README
    assert "```bash\npip install -e . && agent-checkout run quickstart\n```" in README


def test_every_command_in_the_table_exists():
    listed = set(re.findall(r"^\| `agent-checkout (\w+)", README, re.M))
    assert listed >= {"run", "compare", "reprice", "ledger", "fees", "serve", "chat"}
    for command in listed:
        assert CliRunner().invoke(app, [command, "--help"]).exit_code == 0, command


def test_promotions_example_loads(tmp_path):
    path = tmp_path / "promotions.yaml"
    arrivals = "arrivals: {process: poisson, rate_per_minute: 40, sessions: 300}\n"
    path.write_text("name: promotions\n" + _yaml_after("### Promotions") + arrivals)
    profiles = load_scenario(path).merchant_profiles()
    assert [(p.marketplace, [x.kind for x in p.promotions]) for p in profiles] == [
        ("mall", ["percentage", "threshold"]),
        ("mall", ["store_coupon", "credit", "platform_coupon"]),
    ]


def test_derived_scenario_example_loads(tmp_path):
    path = tmp_path / "quickstart-llm.yaml"
    path.write_text(_yaml_after("### Deriving, overriding and checking a scenario"))
    scenario = load_scenario(path, {"arrivals.sessions": 50})
    base = load_scenario("quickstart")
    assert (scenario.name, scenario.arrivals.sessions) == ("quickstart-llm", 50)
    assert scenario.arrivals.rate_per_minute == base.arrivals.rate_per_minute
    assert scenario.merchants == ["juniper-handmade"]
    assert (scenario.agent.policy, scenario.agent.model) == ("llm", "openai:gpt-4o-mini")
