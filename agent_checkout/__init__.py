"""agent-checkout: simulate AI shopping agents buying through ACP checkout, and measure who earns
what.

The Python API in one line: ``run_scenario("quickstart").summary``. ``run_scenario`` takes a
built-in scenario name, a scenario file or a :class:`Scenario`; ``load_scenario`` reads one.
Names are imported on first use, so ``import agent_checkout`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_checkout.sim.run import RunResult, run_scenario
    from agent_checkout.sim.scenario import Scenario, ScenarioError, load_scenario

_EXPORTS = {
    "run_scenario": "agent_checkout.sim.run",
    "RunResult": "agent_checkout.sim.run",
    "load_scenario": "agent_checkout.sim.scenario",
    "Scenario": "agent_checkout.sim.scenario",
    "ScenarioError": "agent_checkout.sim.scenario",
}

__all__ = ["RunResult", "Scenario", "ScenarioError", "load_scenario", "run_scenario"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'agent_checkout' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
