"""The comparison section: each variant's mean and 95% interval per figure, from
comparison.json, and the paired change against the first variant."""

from __future__ import annotations

from html import escape

from agent_checkout.html_report.figures import key, number, shown
from agent_checkout.html_report.sections import section
from agent_checkout.html_report.svg import Interval, interval_chart
from agent_checkout.report import BLOCK_FORMATS, FIGURE_FORMATS


def _formats() -> dict[str, tuple[str, str]]:
    return {**FIGURE_FORMATS, **BLOCK_FORMATS}


def comparison_section(comparison: dict) -> str:
    """Per figure: a dot-and-whisker chart of every variant, and a table of mean [low, high]."""
    variants = [v for v in comparison.get("variants", []) if v in comparison["figures"]]
    variants = variants or list(comparison["figures"])
    intro = (
        f"<p>{escape(comparison['scenario'])} · varying {escape(comparison.get('vary', ''))} · "
        f"{number(key('comparison', 'replications'), comparison['replications'])} replications "
        f"· seed {number(key('comparison', 'seed'), comparison['seed'])} · mean and 95% interval"
        "</p>"
    )
    where = {v: ("comparison", "figures", v) for v in variants}
    figures = {v: comparison["figures"][v] for v in variants}
    return section(
        "Comparison (95% intervals)", intro, *_intervals(figures, where, comparison["currency"])
    )


def replications_section(summary: dict) -> str:
    """A replicated run's figures: mean and 95% interval over its replications (``ci95``)."""
    if not summary.get("ci95") or "currencies" in summary:
        return ""
    intro = (
        f"<p>{number(key('replications'), summary['replications'])} replications · "
        "mean and 95% interval</p>"
    )
    figures = {"replications": summary["ci95"]}
    table, *charts = _intervals(figures, {"replications": ("ci95",)}, summary["currency"])
    return section("Replications (95% intervals)", intro, table, *charts)


def _intervals(figures: dict[str, dict], where: dict[str, tuple], currency: str) -> list[str]:
    """A table of mean [low, high] per figure and variant, then a chart per figure."""
    variants = list(figures)
    head = "".join(f"<th>{escape(v)}</th>" for v in variants)
    rows, charts = "", []
    for name, (title, kind) in _formats().items():
        if name not in figures[variants[0]]:
            continue
        cells = ""
        intervals = []
        for v in variants:
            figure = figures[v][name]
            at = (*where[v], name)
            cells += (
                f"<td>{number(key(*at, 'mean'), figure['mean'], kind, currency)} "
                f"[{number(key(*at, 'low'), figure['low'], kind, currency)}, "
                f"{number(key(*at, 'high'), figure['high'], kind, currency)}]</td>"
            )
            text = shown(figure["mean"], kind, currency)
            intervals.append(
                Interval(v, figure["mean"], figure["low"], figure["high"], text, key(*at, "mean"))
            )
        rows += f"<tr><th>{escape(title)}</th>{cells}</tr>"
        charts.append(f"<h3>{escape(title)}</h3>{interval_chart(title, intervals)}")
    return [f'<table class="grid"><tr><th>figure</th>{head}</tr>{rows}</table>', *charts]
