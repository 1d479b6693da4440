"""agent-checkout: simulate AI shopping agents buying through ACP checkout, and measure who earns
what.

The Python API in one line: ``agent_checkout.run("quickstart").summary.orders``. ``run`` takes a
built-in scenario name, a scenario file or a :class:`Scenario` and returns a typed summary with
the ledger's tables as Arrow tables; ``compare`` runs variants side by side; ``run_scenario``
(the summary as a plain dict) and ``load_scenario`` stay as they were. Names are imported on
first use, so ``import agent_checkout`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_checkout.api.runs import Comparison, Run, compare, run
    from agent_checkout.api.summary import Summary
    from agent_checkout.sim.run import RunResult, run_scenario
    from agent_checkout.sim.scenario import Scenario, ScenarioError, load_scenario

_EXPORTS = {
    "run": "agent_checkout.api.runs",
    "compare": "agent_checkout.api.runs",
    "Run": "agent_checkout.api.runs",
    "Comparison": "agent_checkout.api.runs",
    "Summary": "agent_checkout.api.summary",
    "run_scenario": "agent_checkout.sim.run",
    "RunResult": "agent_checkout.sim.run",
    "load_scenario": "agent_checkout.sim.scenario",
    "Scenario": "agent_checkout.sim.scenario",
    "ScenarioError": "agent_checkout.sim.scenario",
}

__all__ = [
    "Comparison",
    "Run",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Summary",
    "__version__",
    "compare",
    "load_scenario",
    "run",
    "run_scenario",
]


def _version() -> str:
    """The installed distribution's version (one source of truth: pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agent-checkout")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = value = _version()
        return value
    if name not in _EXPORTS:
        raise AttributeError(f"module 'agent_checkout' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
