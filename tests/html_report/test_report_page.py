"""The report page read back without a browser: every tagged number equals summary.json (or
comparison.json), every section has its chart, and nothing is fetched from elsewhere."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.html_report import render_report
from agent_checkout.html_report.check import mismatches, tagged_numbers
from merchants.money import format_money
from tests.html_report.conftest import TINY

runner = CliRunner()


def _chart_titles(html: str) -> list[str]:
    return re.findall(r'<svg [^>]*aria-label="([^"]*)"', html)


def test_run_report_numbers_equal_the_summary(reported_run):
    html = (reported_run / "report.html").read_text()
    summary = json.loads((reported_run / "summary.json").read_text())
    assert mismatches(html, summary) == []
    tagged = {t.key: t for t in tagged_numbers(html)}
    assert tagged["gmv"].value == summary["gmv"]
    assert tagged["gmv"].text == format_money(summary["gmv"], "usd")
    assert tagged["orders"].text == f"{summary['orders']:,}"
    assert tagged["sessions"].value == 150
    expected = {f"funnel/{step}" for step in summary["funnel"]}
    expected |= {f"outcomes/{outcome}" for outcome in summary["outcomes"]}
    expected |= {f"fees/{payee}" for payee in summary["fees"]}
    expected |= {f"fees_by_model/{model}" for model in summary["fees_by_model"]}
    expected |= {f"companies/{name}/net" for name in summary["companies"]}
    expected |= {f"latency_ms/{op}/{p}" for op in summary["latency_ms"] for p in ("p50", "p99")}
    assert expected <= set(tagged)


def test_run_report_draws_every_chart(reported_run):
    html = (reported_run / "report.html").read_text()
    assert _chart_titles(html) == [
        "funnel (sessions reaching each step)",
        "outcomes (sessions)",
        "fees by payee",
        "fees by model",
        "net by company",
        "p95 latency by operation (ms)",
        "load: arrivals, sessions ended and orders per interval",
        "queue: merchant calls queued and in flight (max)",
        "errors and merchant calls per interval",
        "merchant latency (ms)",
    ]
    assert "scenario <code>small</code>" in html and "rate_per_minute: 120" in html


def test_report_is_self_contained(reported_run):
    html = (reported_run / "report.html").read_text()
    assert "<script" not in html and "<link" not in html
    assert re.findall(r"\b(?:src|href)=", html) == []
    # the only address is the SVG namespace (an identifier, never fetched)
    assert set(re.findall(r"https?://[^\"]*", html)) == {"http://www.w3.org/2000/svg"}


def test_comparison_report_shows_every_variant_with_intervals(reported_comparison):
    html = (reported_comparison / "report.html").read_text()
    comparison = json.loads((reported_comparison / "comparison.json").read_text())
    assert mismatches(html, None, comparison) == []
    keys = {t.key for t in tagged_numbers(html)}
    for model in ("openai-instant-checkout", "flat-per-order"):
        for bound in ("mean", "low", "high"):
            assert f"comparison/figures/{model}/ai_platform_revenue/{bound}" in keys
    assert "AI platform revenue" in _chart_titles(html)
    assert html.index("<th>openai-instant-checkout</th>") < html.index("<th>flat-per-order</th>")


def test_report_command_adds_the_scenario(reported_run):
    result = runner.invoke(app, ["report", str(reported_run), "--scenario", "quickstart"])
    assert result.exit_code == 0, result.output
    assert "name: quickstart" in (reported_run / "report.html").read_text()


def test_a_new_run_drops_the_earlier_report(tmp_path, write_scenario):
    out = tmp_path / "out"
    scenario = str(write_scenario(TINY))
    assert runner.invoke(app, ["run", scenario, "--out", str(out), "--report"]).exit_code == 0
    assert (out / "report.html").is_file()
    assert runner.invoke(app, ["run", scenario, "--out", str(out)]).exit_code == 0
    assert not (out / "report.html").exists()


def test_cohort_pnl_and_a_wrong_number_is_caught():
    row = {
        "cohort": 0,
        "first_day": 0,
        "users": 70,
        "orders": 5,
        "fees": 400,
        "coupons": 300,
        "red_packets": 35000,
        "acquisition": 210000,
        "inference": 1200,
        "net": -246100,
        "cumulative": [-246000, -246100],
        "payback_day": None,
    }
    cohorts = {"by": "week", "horizon_days": 2, "currency": "cny", "rows": [row], "all": row}
    summary = {"scenario": "s", "seed": 1, "currency": "cny", "sessions": 9, "cohorts": cohorts}
    html = render_report(summary)
    assert mismatches(html, summary) == []
    tagged = {t.key: t for t in tagged_numbers(html)}
    assert tagged["cohorts/rows/0/net"].text == "-¥2,461.00"
    assert tagged["cohorts/all/acquisition"].value == 210000
    assert "cumulative AI-platform P&amp;L by cohort" in _chart_titles(html)
    changed = {**summary, "cohorts": {**cohorts, "all": {**row, "users": 71}}}
    assert mismatches(html, changed) == ["cohorts/all/users: page 70, file 71"]


def test_replicated_run_report_shows_intervals(tmp_path, write_scenario):
    out = tmp_path / "reps"
    args = ["run", str(write_scenario(TINY)), "--replications", "2", "--out", str(out)]
    assert runner.invoke(app, [*args, "--report"]).exit_code == 0
    html = (out / "report.html").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert mismatches(html, summary) == []
    keys = {t.key for t in tagged_numbers(html)}
    assert {"replications", "ci95/gmv/mean", "ci95/gmv/low", "ci95/gmv/high"} <= keys
    assert "Replications (95% intervals)" in html
