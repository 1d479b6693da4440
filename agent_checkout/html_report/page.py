"""The whole report page: the sections a run directory has, with a small inline stylesheet."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import yaml

from agent_checkout.html_report import sections
from agent_checkout.html_report.comparison import comparison_section, replications_section
from agent_checkout.html_report.figures import key, number

#: The page ``report DIR`` writes into DIR.
REPORT_FILE = "report.html"

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:980px;color:#1a202c}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}
h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:2px 10px;text-align:right}
th:first-child{text-align:left}table.grid tr:nth-child(even){background:#f4f6f8}
svg.chart{display:block;font-size:12px;margin:.3em 0}
pre{background:#f4f6f8;padding:1em;overflow:auto}
"""


def render_report(
    summary: dict | None, comparison: dict | None = None, scenario_yaml: str | None = None
) -> str:
    """The HTML of a run's report (``summary``), a comparison's, or both."""
    if summary is None and comparison is None:
        raise ValueError("a report needs summary.json or comparison.json")
    parts = []
    if summary is not None:
        parts += [_summary_sections(summary), replications_section(summary)]
    if comparison is not None:
        parts.append(comparison_section(comparison))
    parts.append(_scenario(summary, comparison, scenario_yaml))
    title = (summary or comparison)["scenario"]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>agent-checkout report · {escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>agent-checkout report · {escape(title)}</h1>{''.join(parts)}</body></html>\n"
    )


def _summary_sections(summary: dict) -> str:
    views = (
        [(summary, (), summary["currency"])]
        if "currencies" not in summary
        else [(block, ("currencies", code), code) for code, block in summary["currencies"].items()]
    )
    seed = number(key("seed"), summary["seed"])
    parts = [
        sections.section(
            "Headline",
            f"<p>seed {seed}</p>",
            *(sections.headline(summary, view, prefix, cur) for view, prefix, cur in views),
        ),
        sections.funnel_and_outcomes(summary),
    ]
    for view, prefix, cur in views:
        parts += [
            sections.fees(view, prefix, cur),
            sections.channels(view, prefix, cur),
            sections.protocols(view, prefix, cur),
            sections.companies(view, prefix, cur),
        ]
    parts += [sections.latency(summary), sections.timeseries(summary), sections.cohorts(summary)]
    return "".join(parts)


def _scenario(summary: dict | None, comparison: dict | None, scenario_yaml: str | None) -> str:
    name = (summary or comparison)["scenario"]
    text = f"<p>scenario <code>{escape(name)}</code></p>"
    if scenario_yaml:
        text += f"<pre>{escape(scenario_yaml)}</pre>"
    return sections.section("Scenario", text)


def write_report(run_dir: Path, scenario_yaml: str | None = None) -> Path:
    """Write ``run_dir``/report.html from the summary.json and comparison.json found there."""
    summary = _read(run_dir / "summary.json")
    comparison = _read(run_dir / "comparison.json")
    if summary is None and comparison is None:
        raise FileNotFoundError(f"{run_dir}: no summary.json or comparison.json to report on")
    path = run_dir / REPORT_FILE
    path.write_text(render_report(summary, comparison, scenario_yaml), encoding="utf-8")
    return path


def scenario_text(scenario) -> str:
    """A Scenario as the YAML it reads from (fields left at their defaults omitted)."""
    return yaml.safe_dump(
        scenario.model_dump(mode="json", exclude_defaults=True), sort_keys=False, allow_unicode=True
    )


def _read(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
