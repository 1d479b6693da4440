"""The pytest plugin (entry point ``pytest11``): scenario files with an ``expect:`` block are
test items, and tests get fixtures for a merchant, an agent and ``simulate(...)``.

``pytest scenarios/`` runs each such scenario at the size its block asks for and fails it,
readably, on a broken invariant, a metric out of bounds or a baseline moved beyond its
tolerance; ``--update-baselines`` rewrites the baselines from this run instead. A conftest may
implement ``pytest_agent_checkout_policy(scenario)`` to put its own agent on every scenario.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

# The rest of agent_checkout is imported when a check or fixture runs, so that merely having
# the plugin installed costs a pytest session nothing.


class _Hooks:
    @pytest.hookspec(firstresult=True)
    def pytest_agent_checkout_policy(self, scenario):
        """The agent policy to run ``scenario``'s check with (None: the scenario's own)."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(_Hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agent-checkout", "agent-checkout scenario checks")
    group.addoption(
        "--update-baselines",
        action="store_true",
        help="Rewrite each scenario's baseline file from this run instead of comparing to it.",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A YAML file whose top level holds ``expect:`` is a scenario check; others are ignored."""
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    text = file_path.read_text(errors="replace")
    if "expect:" not in text:  # cheap: most YAML is not a scenario check
        return None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if isinstance(raw, dict) and "expect" in raw:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioCheck.from_parent(self, name=self.path.stem)


class ExpectationsMissed(Exception):
    """The run missed its ``expect:`` block; the message says how, one block per miss."""


class ScenarioCheck(pytest.Item):
    """One scenario file's check run and its expectations."""

    def runtest(self) -> None:
        from agent_checkout.sim.scenario import load_scenario
        from agent_checkout.testing import check_expectations, check_run

        scenario = load_scenario(self.path)
        policy = self.config.hook.pytest_agent_checkout_policy(scenario=scenario)
        with tempfile.TemporaryDirectory(prefix="agent-checkout-") as folder:
            run = check_run(scenario, Path(folder) / "run", policy)
            failures = check_expectations(
                self.path,
                run,
                scenario.expect,
                update_baselines=self.config.getoption("update_baselines"),
            )
        if failures:
            sessions = run.summary["sessions"]
            head = f"{scenario.name} (seed {run.summary['seed']}, {sessions} sessions) missed:"
            raise ExpectationsMissed("\n".join([head, *failures]))

    def repr_failure(self, excinfo, style=None):
        from agent_checkout.sim.scenario import ScenarioError

        if isinstance(excinfo.value, ExpectationsMissed | ScenarioError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"scenario check {self.name}"


@pytest.fixture
def checkout_merchant():
    """A Shopify-like merchant (the built-in northwind-outfitters), in process."""
    from agent_checkout.testing import sample_merchant

    return sample_merchant()


@pytest.fixture
def checkout_agent(checkout_merchant):
    """The checkout agent (rule policy) buying from ``checkout_merchant``; set ``.policy``."""
    from agent_checkout.testing import CheckoutAgent

    return CheckoutAgent([checkout_merchant])


@pytest.fixture
def simulate(tmp_path) -> Callable:
    """``simulate(scenario, sessions=..., seed=..., policy=...)``: a run (a RunResult) into a
    fresh folder under ``tmp_path``, its ledger kept there."""
    from agent_checkout import testing

    count = iter(range(1_000_000))

    def run(scenario, **options):
        return testing.simulate(scenario, tmp_path / f"run-{next(count)}", **options)

    return run
