"""The pytest plugin, run by pytest itself (``pytester``): scenario files with ``expect:`` are
collected as checks, a broken agent fails one with a readable message, baselines are written by
``--update-baselines`` and then compared, and the fixtures work in a user's own tests."""

from __future__ import annotations

import json
import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml

# pytester's in-process runs forget the modules they import; DuckDB cannot be imported twice in
# one process, so the checks' modules are imported here, once, for every run to share.
import agent_checkout.pytest_plugin  # noqa: F401
import agent_checkout.testing  # noqa: F401
from agent_checkout.sim.expect import ExpectSpec
from agent_checkout.sim.scenario import load_scenario

pytest_plugins = ["pytester"]

SCENARIO = """\
name: small-check
seed: 11
merchants: [northwind-outfitters, juniper-handmade]
arrivals: {process: poisson, rate_per_minute: 120, sessions: 100000}
shoppers: {outside_utility: 1.0}
expect:
  sessions: 80
  metrics:
    orders: {min: 1}
    funnel.paid: {min: 1, max: 80}
"""

NEVER_BUYS = """\
class NeverBuys:
    \"\"\"A broken agent: it searches, then recommends nothing.\"\"\"

    name = "never-buys"

    def query(self, need):
        return need.query

    def recommend(self, offers, *, need, budget, excluded):
        return []


def pytest_agent_checkout_policy(scenario):
    return NeverBuys()
"""


@pytest.fixture(autouse=True)
def _only_this_plugin(monkeypatch):
    """Inner runs load this plugin alone: loading every installed plugin again costs a second."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    plugin = ("-p", "agent_checkout.pytest_plugin")
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *plugin, *args)


def test_the_plugin_is_registered_for_pytest():
    (entry,) = [e for e in entry_points(group="pytest11") if e.name == "agent_checkout"]
    assert entry.value == "agent_checkout.pytest_plugin"


def _failure_text(result: pytest.RunResult) -> list[str]:
    """The failure section's lines between its header and the summary."""
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if "scenario check" in line) + 1
    end = next(i for i, line in enumerate(lines) if "short test summary" in line)
    return lines[start:end]


def test_a_scenario_with_expectations_is_collected_and_passes(pytester):
    pytester.makefile(".yaml", check=SCENARIO, other="name: not-a-check\n")
    result = _run(pytester, "--junitxml=out.xml")
    result.assert_outcomes(passed=1)
    assert 'tests="1"' in (pytester.path / "out.xml").read_text()


#: The table of related metrics under each miss of an agent that never buys.
NOTHING_SOLD = [
    "  metric                   value",
    "  sessions                 80",
    "  orders                   0",
    "  conversion_rate          0",
    "  gmv                      0",
    "  unhandled_errors         0",
    "  funnel.sessions          80",
    "  funnel.searched          80",
    "  funnel.shown             0",
    "  funnel.decided           0",
    "  funnel.checkout_started  0",
    "  funnel.paid              0",
]


def test_a_broken_agent_fails_with_a_readable_message(pytester):
    pytester.makefile(".yaml", check=SCENARIO)
    pytester.makeconftest(NEVER_BUYS)
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    assert _failure_text(result) == [
        "small-check (seed 11, 80 sessions) missed:",
        "orders: expected >= 1, actual 0",
        *NOTHING_SOLD,
        "funnel.paid: expected between 1 and 80, actual 0",
        *NOTHING_SOLD,
    ]


BASELINED = (
    SCENARIO
    + """\
  baseline:
    metrics:
      orders: {absolute: 0}
      gmv: {relative: 0.01}
"""
)


def test_baselines_are_written_then_held(pytester):
    pytester.makefile(".yaml", check=BASELINED)
    missing = _run(pytester)
    missing.assert_outcomes(failed=1)
    assert (
        "orders: expected a baseline in baselines/check.json (run pytest --update-baselines), "
        "actual " in missing.stdout.str()
    )
    _run(pytester, "--update-baselines").assert_outcomes(passed=1)
    path = pytester.path / "baselines" / "check.json"
    stored = json.loads(path.read_text())
    assert stored["scenario"] == "small-check" and stored["sessions"] == 80
    orders, gmv = stored["metrics"]["orders"]["value"], stored["metrics"]["gmv"]["value"]

    stored["metrics"]["orders"]["value"] = orders + 1  # gmv's baseline still holds
    path.write_text(json.dumps(stored))
    moved = _run(pytester)
    moved.assert_outcomes(failed=1)
    text = _failure_text(moved)
    assert text[:2] == [
        "small-check (seed 11, 80 sessions) missed:",
        f"orders: expected within ±0 of baseline {orders + 1}, actual {orders}",
    ]
    assert f"  gmv                      {gmv}" in text
    assert not any(line.startswith("gmv:") for line in text)


def test_a_bad_expect_block_is_one_line(pytester):
    pytester.makefile(".yaml", check=SCENARIO.replace("{min: 1}", "{}", 1))
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    assert _failure_text(result) == [
        f"{pytester.path / 'check.yaml'}:9: expect.metrics.orders: give min, max or equals"
    ]


def test_fixtures_give_a_merchant_an_agent_and_simulate(pytester):
    pytester.makefile(".yaml", small=SCENARIO)
    pytester.makepyfile(
        """
        def test_agent_buys(checkout_agent, checkout_merchant):
            state = checkout_agent.buy("kitchen", "cast iron skillet", budget=8_000)
            assert state["outcome"] == "purchased"
            order_id = state["checkout"].order.id
            assert checkout_merchant.order(order_id).order.total_amount == state["checkout"].total()

        def test_simulate(simulate):
            result = simulate("small.yaml", sessions=40, seed=3)
            assert result.summary["sessions"] == 40
            assert (result.out / "ledger.duckdb").is_file()
        """
    )
    _run(pytester, "test_fixtures_give_a_merchant_an_agent_and_simulate.py").assert_outcomes(
        passed=2
    )


def test_the_readme_shows_instant_checkouts_expect_block():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Checkout regression suites in CI", 1)[1]
    shown = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))
    assert ExpectSpec.model_validate(shown["expect"]) == load_scenario("instant-checkout").expect
