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
    currency = comparison["currency"]
    variants = [v for v in comparison.get("variants", []) if v in comparison["figures"]]
    variants = variants or list(comparison["figures"])
    first = comparison["figures"][variants[0]]
    parts = [
        f"<p>{escape(comparison['scenario'])} · varying {escape(comparison.get('vary', ''))} · "
        f"{number(key('comparison', 'replications'), comparison['replications'])} replications "
        f"· seed {number(key('comparison', 'seed'), comparison['seed'])} · mean and 95% interval"
        "</p>"
    ]
    head = "".join(f"<th>{escape(v)}</th>" for v in variants)
    rows = ""
    for name, (title, kind) in _formats().items():
        if name not in first:
            continue
        cells = ""
        intervals = []
        for v in variants:
            figure = comparison["figures"][v][name]
            where = ("comparison", "figures", v, name)
            cells += (
                f"<td>{number(key(*where, 'mean'), figure['mean'], kind, currency)} "
                f"[{number(key(*where, 'low'), figure['low'], kind, currency)}, "
                f"{number(key(*where, 'high'), figure['high'], kind, currency)}]</td>"
            )
            intervals.append(
                Interval(
                    v,
                    figure["mean"],
                    figure["low"],
                    figure["high"],
                    shown(figure["mean"], kind, currency),
                    key(*where, "mean"),
                )
            )
        rows += f"<tr><th>{escape(title)}</th>{cells}</tr>"
        parts.append(f"<h3>{escape(title)}</h3>{interval_chart(title, intervals)}")
    table = f'<table class="grid"><tr><th>figure</th>{head}</tr>{rows}</table>'
    return section("Comparison (95% intervals)", table, *parts)
