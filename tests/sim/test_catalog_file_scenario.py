"""A merchant whose catalog is a user's CSV file, from a scenario."""

from __future__ import annotations

import pytest

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import ScenarioError, load_scenario
from tests.conftest import SMALL_SCENARIO

CSV = """id,title,description,category,brand,price,stock,rating,review_count,attr_color
mug-1,Blue Stoneware Mug,A mug.,kitchen,Acme,12.50,500,4.8,20,blue
mug-2,Grey Stoneware Mug,A mug.,kitchen,Acme,14.00,500,4.6,11,grey
"""


def test_user_catalog_is_sold(write_scenario, tmp_path):
    (tmp_path / "mugs.csv").write_text(CSV)
    data = {
        **SMALL_SCENARIO,
        "merchants": [
            {"profile": "northwind-outfitters", "catalog": {"file": str(tmp_path / "mugs.csv")}}
        ],
        "shoppers": {"categories": {"kitchen": 1.0}, "outside_utility": -2.0},
    }
    summary = run_scenario(load_scenario(write_scenario(data))).summary
    assert summary["orders"] > 0 and summary["oversells"] == 0
    # Every order is one or the other mug: 12.50 or 14.00 plus shipping and 7.25% tax.
    assert summary["orders_by_merchant"] == {"northwind": summary["orders"]}


def test_bad_catalog_file_is_one_line(write_scenario, tmp_path):
    (tmp_path / "bad.csv").write_text(CSV.replace("12.50", "12.5.0"))
    data = {
        **SMALL_SCENARIO,
        "merchants": [
            {"profile": "northwind-outfitters", "catalog": {"file": str(tmp_path / "bad.csv")}}
        ],
    }
    with pytest.raises(ScenarioError, match=r"bad.csv: row 2, field price"):
        load_scenario(write_scenario(data, name="s.yaml"))
