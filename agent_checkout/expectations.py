"""Checking a run against its scenario's ``expect:`` block: each metric against its bound,
each invariant, each baseline metric within its tolerance. A miss is a :class:`Miss` that
renders the metric, the expectation, the actual value and a small table of related metrics,
so a failing CI job says what moved without anyone opening the run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent_checkout.sim.expect import ExpectSpec, MetricBound, Tolerance
from agent_checkout.sim.replications import interval

#: Metrics every miss's table shows, before the missed metric's own neighbours.
HEADLINE = ("sessions", "orders", "conversion_rate", "gmv", "unhandled_errors")
TABLE_ROWS = 12


class NoSuchMetric(KeyError):
    """A dotted path that names nothing in the summary; the message lists what is there."""


def metric(summary: Mapping, path: str) -> object:
    """The value at dotted ``path`` in ``summary``. Keys may hold dots themselves (latency keys
    are ``merchant.endpoint``), so the longest key that matches is taken at each level."""
    parts, node, walked = path.split("."), summary, []
    while parts:
        if not isinstance(node, Mapping):
            raise NoSuchMetric(f"{path}: {'.'.join(walked)} is a value, not a group")
        for take in range(len(parts), 0, -1):
            key = ".".join(parts[:take])
            if key in node:
                node, walked, parts = node[key], [*walked, key], parts[take:]
                break
        else:
            where = ".".join(walked) or "the summary"
            known = ", ".join(sorted(map(str, node))[:12])
            holds = f"{where} holds {known}" if known else f"{where} holds nothing"
            raise NoSuchMetric(f"{path}: missing ({holds})")
    return node


@dataclass(frozen=True)
class Miss:
    """One expectation the run did not meet, with the figures around it."""

    metric: str
    expected: str
    actual: object
    related: list[tuple[str, object]] = field(default_factory=list)

    def render(self) -> str:
        lines = [
            f"{self.metric}: expected {self.expected}, actual {_shown(self.actual)}",
        ]
        if self.related:
            width = max(len(name) for name, _ in self.related)
            lines.append(f"  {'metric':<{width}}  value")
            lines += [f"  {name:<{width}}  {_shown(value)}" for name, value in self.related]
        return "\n".join(lines)


def _shown(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def related_metrics(summary: Mapping, path: str) -> list[tuple[str, object]]:
    """The headline figures, then the missed metric's siblings (or the funnel, for a top-level
    metric): at most :data:`TABLE_ROWS` rows of plain numbers."""
    parent = path.rsplit(".", 1)[0] if "." in path else "funnel"
    rows: dict[str, object] = {name: summary[name] for name in HEADLINE if name in summary}
    try:
        group = metric(summary, parent)
    except NoSuchMetric:
        group = {}
    if isinstance(group, Mapping):
        for key, value in group.items():
            if isinstance(value, int | float | str):
                rows.setdefault(f"{parent}.{key}", value)
    return list(rows.items())[:TABLE_ROWS]


def _bound_holds(bound: MetricBound, actual: object) -> bool:
    if bound.equals is not None:
        return actual == bound.equals
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return False
    return (bound.min is None or actual >= bound.min) and (bound.max is None or actual <= bound.max)


def metric_misses(spec: ExpectSpec, summary: Mapping) -> list[Miss]:
    """Each ``metrics`` bound the summary does not meet (a path naming nothing is a miss)."""
    misses = []
    for path, bound in spec.metrics.items():
        try:
            actual = metric(summary, path)
        except NoSuchMetric as problem:
            misses.append(Miss(path, bound.describe(), problem.args[0].split(": ", 1)[1]))
            continue
        if not _bound_holds(bound, actual):
            misses.append(Miss(path, bound.describe(), actual, related_metrics(summary, path)))
    return misses


def baseline_of(
    spec: ExpectSpec, summary: Mapping, replications: Sequence[Mapping], about: Mapping
) -> dict:
    """What a baseline file stores: each baseline metric's value and, over replications, its
    mean and 95% interval; ``about`` says which run it came from (scenario, seed, sessions)."""
    metrics = {}
    for path in spec.baseline.metrics:
        entry: dict[str, object] = {"value": metric(summary, path)}
        if len(replications) > 1:
            entry |= interval([float(metric(s, path)) for s in replications])
        metrics[path] = entry
    return {**about, "metrics": metrics}


def write_baseline(path: Path, baseline: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n")


def _within(tolerance: Tolerance, stored: Mapping, actual: float, mean: float) -> tuple[bool, str]:
    value = stored["value"]
    if tolerance.ci95:
        low, high = stored["low"], stored["high"]
        return low <= mean <= high, f"mean within the baseline's 95% interval [{low:g}, {high:g}]"
    if tolerance.absolute is not None:
        return abs(actual - value) <= tolerance.absolute, (
            f"within ±{tolerance.absolute:g} of baseline {_shown(value)}"
        )
    allowed = tolerance.relative * abs(value)
    return abs(actual - value) <= allowed, (
        f"within ±{tolerance.relative:.1%} of baseline {_shown(value)}"
    )


def baseline_misses(
    spec: ExpectSpec,
    summary: Mapping,
    replications: Sequence[Mapping],
    baseline: Mapping,
    file: str,
) -> list[Miss]:
    """Each baseline metric that moved beyond its tolerance (or is missing from ``baseline``)."""
    misses = []
    for path, tolerance in spec.baseline.metrics.items():
        actual = metric(summary, path)
        stored = baseline.get("metrics", {}).get(path)
        if stored is None or (tolerance.ci95 and "low" not in stored):
            misses.append(
                Miss(path, f"a baseline in {file} (run pytest --update-baselines)", actual)
            )
            continue
        mean = (
            interval([float(metric(s, path)) for s in replications])["mean"]
            if tolerance.ci95
            else float(actual)
        )
        ok, expected = _within(tolerance, stored, float(actual), mean)
        if not ok:
            shown = round(mean, 6) if tolerance.ci95 else actual
            misses.append(Miss(path, expected, shown, related_metrics(summary, path)))
    return misses
