"""Same scenario and seed: byte-identical summary and the same ledger rows. Another seed: not."""

from __future__ import annotations

import duckdb

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario

TABLES = ("orders", "order_lines", "fee_lines", "postings")


def _rows(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


def test_same_seed_same_bytes_and_rows(write_scenario, tmp_path):
    scenario = load_scenario(write_scenario())
    a = run_scenario(scenario, seed=5, out=tmp_path / "a")
    run_scenario(scenario, seed=5, out=tmp_path / "b")
    c = run_scenario(scenario, seed=6, out=tmp_path / "c")
    assert (tmp_path / "a/summary.json").read_bytes() == (tmp_path / "b/summary.json").read_bytes()
    assert _rows(tmp_path / "a/ledger.duckdb") == _rows(tmp_path / "b/ledger.duckdb")
    assert a.summary["orders"] > 0 and set(a.summary["orders_by_merchant"]) == {
        "juniper",
        "northwind",
    }
    assert (tmp_path / "a/summary.json").read_bytes() != (tmp_path / "c/summary.json").read_bytes()
    assert (
        _rows(tmp_path / "a/ledger.duckdb")["orders"]
        != _rows(tmp_path / "c/ledger.duckdb")["orders"]
    )
    assert c.summary["seed"] == 6


def test_summary_accounts_for_every_session_and_cent(write_scenario):
    summary = run_scenario(load_scenario(write_scenario())).summary
    assert summary["sessions"] == 150
    assert sum(summary["outcomes"].values()) == 150
    assert summary["outcomes"]["purchased"] == summary["orders"]
    assert summary["unhandled_errors"] == 0 and summary["oversells"] == 0
    assert summary["gmv"] == summary["merchant_net"] + summary["fees_total"] + summary["tax"]
    assert (
        summary["fees_total"]
        == sum(summary["fees"].values())
        == sum(summary["fees_by_model"].values())
    )
    assert summary["gmv"] == sum(summary["gmv_by_merchant"].values())
