"""Notebook-style: run a scenario from Python, read its ledger with SQL, compare two fee models
and chart the AI platform's revenue under each.

python examples/run_and_query.py [OUT_DIR]

Everything is shortened (a few hundred sessions, two replications) so it runs in seconds; drop
``sessions=`` and raise ``replications=`` for real figures. With matplotlib installed the chart
is written to OUT_DIR/fee_models.svg; without it, a text chart is printed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import agent_checkout as ac
from merchants.money import format_money

# %% One run: a typed summary, and the ledger as Arrow tables
run = ac.run("quickstart", seed=7, sessions=400)
print(f"{run.summary.sessions} sessions, {run.summary.orders} orders")
print(f"orders table: {run.orders.num_rows} rows; fee lines: {run.fee_lines.num_rows} rows")

# %% SQL over the run's tables (DuckDB reads the Arrow tables in place)
by_payee = run.sql(
    "SELECT payee, SUM(amount) AS earned FROM fee_lines GROUP BY payee ORDER BY payee"
)
for row in by_payee.to_pylist():
    print(f"  {row['payee']:<18} {format_money(int(row['earned']), run.summary.currency)}")
# run.orders.to_pandas() or polars.from_arrow(run.orders) is one call away, if installed.

# %% Two fee models on common random numbers
models = ["openai-instant-checkout", "flat-per-order"]
comparison = ac.compare("quickstart", fee_models=models, seed=7, replications=2, sessions=400)
revenue = {m: comparison.summary.figures[m].ai_platform_revenue for m in models}


# %% Chart: an SVG with matplotlib, else text bars
def text_chart(values: dict[str, float], width: int = 40) -> str:
    """One bar per variant, scaled to the largest mean."""
    top = max(values.values()) or 1
    return "\n".join(
        f"{name:<24} {'#' * round(width * value / top):<{width}} {value:,.0f}"
        for name, value in values.items()
    )


means = {m: revenue[m].mean for m in models}
print("AI platform revenue per run (cents), mean of 2 replications:")
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print(text_chart(means))
else:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp())
    figure, axes = plt.subplots(figsize=(5, 3))
    errors = [
        [means[m] - revenue[m].low for m in models],
        [revenue[m].high - means[m] for m in models],
    ]
    axes.bar(models, list(means.values()), yerr=errors)
    axes.set_ylabel("AI platform revenue (cents)")
    figure.tight_layout()
    figure.savefig(out / "fee_models.svg")
    print(text_chart(means))
    print(f"chart: {out / 'fee_models.svg'}")
