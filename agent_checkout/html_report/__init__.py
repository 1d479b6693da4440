"""A run's results as one self-contained HTML page: inline SVG charts drawn in Python, no
scripts, no fonts or styles fetched, so the file opens offline and can be kept as a CI artefact.

Every number on the page carries ``data-key`` (its path in summary.json, parts joined by ``/``;
``comparison/...`` for comparison.json) and ``data-value`` (the exact value there), so a test
can check the page against the files it was drawn from.
"""

from agent_checkout.html_report.page import REPORT_FILE, render_report, write_report

__all__ = ["REPORT_FILE", "render_report", "write_report"]
