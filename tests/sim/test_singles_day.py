"""The built-in `singles-day`, as a CI-sized copy (the evening's rate cut to 1.5 a minute, the
same three hours and spike): its ledger balances, nothing is oversold, the midnight spike is
at least 20 times the evening's rate in the time series, presale deposits are paid, settled and
forfeited, some sessions meet a wrong stated price, each funder pays discounts, and the final
payments are the deposit sessions' channels' orders."""

from __future__ import annotations

from agent_checkout.ledger.reader import open_read_only
from agent_checkout.ledger.verify import verify_ledger
from agent_checkout.sim.arrival_peak import arrival_peak
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario


def test_singles_day_night(tmp_path):
    scenario = load_scenario("singles-day")
    arrivals = scenario.arrivals.model_copy(update={"rate_per_minute": 1.5})
    summary = run_scenario(scenario.model_copy(update={"arrivals": arrivals}), out=tmp_path).summary
    verdict = verify_ledger(tmp_path / "ledger.duckdb")
    assert verdict.ok, str(verdict)
    assert (summary["unhandled_errors"], summary["oversells"]) == (0, 0)

    peak = summary["arrival_peak"]
    assert peak == arrival_peak(summary["timeseries"]) and peak["ratio"] >= 20
    assert len(summary["timeseries"]["rows"]) <= 312  # 5-minute rows, 22:00 to 24:00 next day

    presales = summary["presales"]
    assert presales["started"] == presales["completed"] + presales["forfeited"]
    assert min(presales["completed"], presales["forfeited"]) > 0 and presales["held"] == 0
    assert summary["wrong_price"]["sessions_shown"] > 0
    assert summary["wrong_price"]["abandoned_at_checkout"] > 0
    assert set(summary["discounts"]["by_funder"]) == {"ai_platform", "marketplace", "merchant"}

    con = open_read_only(tmp_path / "ledger.duckdb")
    assert con.execute("SELECT COUNT(*) FROM orders WHERE channel IS NULL").fetchone() == (0,)
    ai_channels = con.execute(
        "SELECT DISTINCT o.channel FROM fee_lines f JOIN orders o USING (order_id) "
        "WHERE f.payee = 'ai_platform'"
    ).fetchall()
    assert ai_channels == [("ai_in_chat",)]  # 4% on in-chat sales only, final payments too
    # Headline: the night's discounts are 10%-40% of what buyers paid (README, singles-day).
    discounts = sum(summary["discounts"]["by_funder"].values())
    assert 0.10 <= discounts / summary["gmv"] <= 0.40
