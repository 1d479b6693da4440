"""A run's summary as a typed, read-only object: ``summary.orders``, ``summary.funnel.paid``.

It wraps the very dict ``summary.json`` holds, so nothing is computed twice: attribute access
for every key that is a Python name (``summary.companies["merchant:juniper"]`` for the rest),
nested mappings wrapped in turn, and ``dict(summary)`` / :meth:`Summary.to_dict` to get plain
data back. The annotations name the headline figures for editors and type checkers; keys a
scenario does not produce (``cohorts`` without users) raise ``AttributeError``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar


class Summary(Mapping[str, Any]):
    """A read-only view of a summary mapping with attribute access, nested too."""

    __slots__ = ("_data",)
    #: Key -> the view its mapping value is wrapped in (default: :class:`Summary`).
    nested: ClassVar[dict[str, type[Summary]]] = {}

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._data[key], self.nested.get(key, Summary))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy and pickle probe before __init__ has run
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"the summary has no {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a summary is read-only: use to_dict() for a copy to change")

    def __reduce__(self) -> tuple:  # copy and pickle rebuild it from its data
        return (type(self), (self._data,))

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {k for k in self._data if k.isidentifier()})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._data)!r})"

    def to_dict(self) -> dict[str, Any]:
        """A deep copy as plain dicts and lists (what ``summary.json`` holds)."""
        return copy.deepcopy(dict(self._data))


def _wrap(value: Any, view: type[Summary]) -> Any:
    if isinstance(value, Mapping):
        return view(value)
    if isinstance(value, list):
        return [_wrap(item, Summary) for item in value]
    return value


class Funnel(Summary):
    sessions: int
    searched: int
    shown: int
    decided: int
    checkout_started: int
    paid: int


class Percentiles(Summary):
    p50: float
    p95: float
    p99: float
    max: float
    mean: float
    count: int


class RunSummary(Summary):
    """What one run measured; money in minor units of ``currency``."""

    nested: ClassVar[dict[str, type[Summary]]] = {
        "funnel": Funnel,
        "session_seconds": Percentiles,
    }
    scenario: str
    seed: int
    currency: str
    engine: str  # what walked the agent's graph: "fast" or "langgraph" (same figures either way)
    sessions: int
    orders: int
    conversion_rate: float
    checkout_abandonment: float
    funnel: Funnel
    gmv: int
    buyer_paid: int
    aov: int
    tax: int
    merchant_net: int
    fees: Summary
    fees_total: int
    take_rate: float
    ai_platform_take_rate: float
    outcomes: Summary
    unhandled_errors: int
    oversells: int
    merchant_calls: int
    agent_steps: int
    inference_cost: int
    ai_platform_net: int
    companies: Summary
    session_seconds: Percentiles
    latency_ms: Summary
    timeseries: Summary
    welfare: Summary


class ComparisonSummary(Summary):
    """What a comparison found: per variant and figure, the mean and its 95% interval."""

    scenario: str
    seed: int
    currency: str
    replications: int
    vary: str
    variants: list[str]
    figures: Summary
    difference_vs_first: Summary
    demand_identical: bool
    arrivals_identical: bool
