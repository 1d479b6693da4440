"""The report as a browser draws it: headless Chromium lays the page out, every chart has a size
and its shapes, and the numbers in the rendered page equal summary.json.

The report has no script; the test adds one to its copy, which measures each chart after layout
and writes the sizes into the page that ``--dump-dom`` prints. Skipped only outside CI when
Chromium is absent: under CI (``CI`` set) a missing browser fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from agent_checkout.html_report.check import mismatches, tagged_numbers

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

MEASURE = """<script>
document.body.setAttribute("data-measured", JSON.stringify(
  Array.from(document.querySelectorAll("svg.chart")).map(svg => {
    const box = svg.getBoundingClientRect();
    const shapes = svg.querySelectorAll("rect, circle, polyline");
    const drawn = Array.from(shapes).filter(s => {
      const b = s.getBBox(); return b.width > 0 || b.height > 0; }).length;
    return {title: svg.getAttribute("aria-label"), width: box.width, height: box.height,
            shapes: shapes.length, drawn: drawn};
  })));
</script>"""


def _rendered(report: Path, tmp_path: Path) -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing under CI: .ci/run installs it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    page = tmp_path / "measured.html"
    page.write_text(report.read_text().replace("</body>", MEASURE + "</body>"))
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"]
    done = subprocess.run(
        [*args, page.as_uri()], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def test_chromium_draws_every_chart_with_the_summarys_numbers(reported_run, tmp_path):
    report = reported_run / "report.html"
    dom = _rendered(report, tmp_path)
    measured = json.loads(unescape(re.search(r'data-measured="([^"]*)"', dom).group(1)))
    titles = re.findall(r'<svg [^>]*aria-label="([^"]*)"', report.read_text())
    assert [chart["title"] for chart in measured] == titles
    assert len(titles) == 10
    for chart in measured:
        assert chart["width"] == 640 and chart["height"] > 0, chart
        assert chart["shapes"] > 0 and chart["drawn"] == chart["shapes"], chart
    summary = json.loads((reported_run / "summary.json").read_text())
    assert mismatches(dom, summary) == []
    assert len(tagged_numbers(dom)) == len(tagged_numbers(report.read_text()))
