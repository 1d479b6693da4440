"""What the Python API accepts as a scenario: a built-in name, a file or a :class:`Scenario`,
with dotted-path overrides (``set``) and a shorter run (``sessions``) applied before it runs.

``set`` goes through the same validation as ``compare --vary`` (one variant per path), so a
value that does not fit is a :class:`ScenarioError` naming the field, as a scenario file's is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent_checkout.sim.compare import VariantError, vary
from agent_checkout.sim.scenario import Scenario, ScenarioError, load_scenario

ScenarioInput = Scenario | str | Path


def prepared_scenario(
    scenario: ScenarioInput,
    set: Mapping[str, Any] | None = None,  # noqa: A002 - the CLI's --set, by its name
    sessions: int | None = None,
) -> Scenario:
    """``scenario`` loaded, each ``set`` path changed in turn, and capped at ``sessions``."""
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    for path, value in (set or {}).items():
        try:
            loaded = vary(loaded, path, value)
        except VariantError as problem:
            raise ScenarioError(f"set {path}={value!r}: {problem}") from None
    if sessions is not None:
        if isinstance(sessions, bool) or not isinstance(sessions, int) or sessions < 1:
            raise ScenarioError(f"sessions: {sessions!r} is not a whole number of at least 1")
        arrivals = loaded.arrivals.model_copy(update={"sessions": sessions})
        loaded = loaded.model_copy(update={"arrivals": arrivals})
    return loaded
