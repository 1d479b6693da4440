"""A fee model of your own: write it as YAML, check how it prices, and compare it with a
built-in one on the same shoppers.

python examples/custom_fee_model.py

A fee model is a list of components, each with a payee, a base (items, items_shipping, ...) and
a rate in basis points and/or a fixed amount in minor units; `agent-checkout schema fee-model`
or agent_checkout/fees/fee-model.schema.json lists every field.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import agent_checkout as ac

CUSTOM = """\
name: two-percent-plus-ten
title: 2% of the sale plus 10 cents per order to the AI platform
source: "an example: a hypothetical schedule, no public figure"
currency: usd
components:
  - {name: commission, payee: ai_platform, base: items_shipping, rate_bps: 200, on_refund: refund}
  - {name: order_fee, payee: ai_platform, base: items, fixed: 10, on_refund: keep}
"""

folder = Path(tempfile.mkdtemp())
path = folder / "two-percent-plus-ten.yaml"
path.write_text(CUSTOM)

# A file path stands wherever a built-in fee model's name does.
models = ["openai-instant-checkout", str(path)]
comparison = ac.compare("quickstart", fee_models=models, seed=7, replications=2, sessions=300)
for model in models:
    figures = comparison.summary.figures[model]
    print(
        f"{Path(model).stem:<24} AI platform revenue {figures.ai_platform_revenue.mean:>8,.0f}"
        f"  merchant net {figures.merchant_net.mean:>10,.0f}  (cents, mean of 2 runs)"
    )
print("same shoppers in every variant:", comparison.summary.demand_identical)
