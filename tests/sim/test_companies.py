"""Who owns what: company figures equal the sum of their parties' ledger postings, to the minor
unit, and a first-party mall or an owner's marketplace reads as the owner's consolidated money."""

from __future__ import annotations

import duckdb
import pytest
from rich.console import Console

from agent_checkout.report import print_summary
from agent_checkout.sim.compare import compare_models, variant
from agent_checkout.sim.replications import aggregate
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import Scenario, load_scenario
from tests.conftest import SMALL_SCENARIO

# Company of each posting's party, as a query over the ledger alone (README shows it too).
BY_COMPANY = """
SELECT CASE
         WHEN account = 'merchant' AND party IN ({shops}) THEN '{company}'
         WHEN account IN ({roles}) THEN '{company}'
         WHEN account = 'merchant' THEN 'merchant:' || party
         ELSE account
       END AS company,
       SUM(amount)
FROM postings WHERE account <> 'buyer' GROUP BY company
"""


def ledger_by_company(ledger, company: str, parties: list[str]) -> dict[str, int]:
    shops = [p.removeprefix("merchant:") for p in parties if p.startswith("merchant:")]
    roles = [p for p in parties if not p.startswith("merchant:")]
    sql = BY_COMPANY.format(
        company=company,
        shops=", ".join(f"'{s}'" for s in shops) or "NULL",
        roles=", ".join(f"'{r}'" for r in roles) or "NULL",
    )
    with duckdb.connect(str(ledger), read_only=True) as con:
        return dict(con.execute(sql).fetchall())


@pytest.fixture(scope="module")
def first_party_mall(tmp_path_factory):
    """The built-in first-party mall, 300 sessions: the assistant's owner owns the mall."""
    # Without its channels every session is ready to buy: many orders from few sessions, which
    # is what checking the consolidation needs (the channels only thin the buyers out).
    scenario = load_scenario("first-party-mall").model_copy(update={"channels": None})
    arrivals = scenario.arrivals.model_copy(update={"sessions": 300, "duration_minutes": None})
    out = tmp_path_factory.mktemp("fpm")
    summary = run_scenario(scenario.model_copy(update={"arrivals": arrivals}), out=out).summary
    return summary, out / "ledger.duckdb"


def test_first_party_mall_reads_as_the_owners_consolidated_money(first_party_mall):
    summary, _ = first_party_mall
    assert summary["companies"]["Assistant Owner"] == {
        "named": True,
        "parties": ["ai_platform", "merchant:mall"],
        "fees": 2478,  # the 4% in-chat fee of juniper's orders
        "sales": 454592,  # the mall's sales net of tax, less Stripe's fees
        "tax": 0,
        "internal_fees": 472777,  # the first-party line: the mall's sales moved to the platform
        "inference_cost": 80,
        "net": 2478 + 454592 - 80,
    }
    # The AI take rate counts only fees from third parties, over their GMV: 4%-ish, not 83%.
    assert summary["gmv_by_merchant"] == {"juniper": 66420, "mall": 507003}
    assert summary["ai_platform_take_rate"] == round(2478 / 66420, 6) == 0.037308
    # The role figures stay what the ledger says.
    assert summary["fees"]["ai_platform"] == 2478 + 472777
    assert summary["ai_platform_net"] == 2478 + 472777 - 80


def test_company_totals_equal_the_ledger_postings(first_party_mall):
    summary, ledger = first_party_mall
    companies = summary["companies"]
    owner = companies["Assistant Owner"]
    posted = ledger_by_company(ledger, "Assistant Owner", owner["parties"])
    assert posted == {
        name: figures["fees"] + figures["sales"] + figures["tax"]
        for name, figures in companies.items()
    }
    assert posted["Assistant Owner"] == 2478 + 454592
    with duckdb.connect(str(ledger), read_only=True) as con:
        internal = con.execute(
            "SELECT SUM(f.amount) FROM fee_lines f JOIN orders o USING (order_id) "
            "WHERE o.merchant_id = 'mall' AND f.payer = 'merchant' AND f.payee = 'ai_platform'"
        ).fetchone()[0]
        buyers = con.execute("SELECT SUM(amount) FROM postings WHERE account = 'buyer'").fetchone()
    assert internal == owner["internal_fees"]
    assert sum(posted.values()) == -buyers[0] == summary["buyer_paid"]


def test_an_assistant_earning_through_its_owners_marketplace_is_not_a_loss(tmp_path):
    """Rufus-like: the assistant charges nothing, its owner's marketplace takes the referral fee
    (and gives some back on returns): the role loses its inference, the company earns."""
    data = {
        **SMALL_SCENARIO,
        "name": "owners-marketplace",
        "merchants": [
            "northwind-outfitters",
            {"profile": "juniper-handmade", "fee_models": ["amazon-referral"]},
        ],
        "fees": {"ai_platform": []},
        "returns": {"rate": 0.2},
        "companies": {"Amazon": ["ai_platform", "marketplace"]},
    }
    summary = run_scenario(Scenario.model_validate(data), out=tmp_path).summary
    amazon = summary["companies"]["Amazon"]
    assert summary["refunds"] > 0
    assert summary["ai_platform_net"] == -summary["inference_cost"] < 0
    assert amazon["fees"] == summary["fees"]["marketplace"]
    assert amazon["net"] == amazon["fees"] - summary["inference_cost"] > 0
    posted = ledger_by_company(tmp_path / "ledger.duckdb", "Amazon", amazon["parties"])
    assert posted == {
        name: f["fees"] + f["sales"] + f["tax"] for name, f in summary["companies"].items()
    }


def test_the_run_table_shows_companies_only_when_named(first_party_mall):
    summary, _ = first_party_mall
    console = Console(record=True, width=120)
    print_summary(summary, console)
    text = console.export_text()
    assert "│ AI platform take rate (third-party sales) │           3.73% │" in text
    assert "│ AI platform net of inference              │       $4,751.75 │" in text
    assert "│ Assistant Owner net (company)             │       $4,569.90 │" in text
    assert "│ Assistant Owner   │  $24.78 │ $4,545.92 │     $0.80 │ $4,569.90 │" in text
    assert "Assistant Owner = ai_platform + merchant:mall" in text
    unnamed = {name: {**figures, "named": False} for name, figures in summary["companies"].items()}
    console = Console(record=True, width=120)
    print_summary({**summary, "companies": unnamed}, console)
    text = console.export_text()
    assert "by company" not in text and "(third-party sales)" not in text


def test_replications_and_compare_report_each_named_companys_net(first_party_mall):
    summary, _ = first_party_mall
    assert aggregate([summary])["company_net:Assistant Owner"] == {
        "mean": 456990,
        "low": 456990,
        "high": 456990,
    }
    scenario = load_scenario("first-party-mall").model_copy(update={"channels": None})
    arrivals = scenario.arrivals.model_copy(update={"sessions": 60, "duration_minutes": None})
    scenario = scenario.model_copy(update={"arrivals": arrivals})
    comparison = compare_models(scenario, ["flat-per-order"], seed=7, replications=2)
    flat = variant(scenario, "flat-per-order")
    nets = [
        run_scenario(flat, seed=seed).summary["companies"]["Assistant Owner"]["net"]
        for seed in comparison["seeds"]
    ]
    figure = comparison["figures"]["flat-per-order"]["company_net:Assistant Owner"]
    assert figure["mean"] != 0 and figure["mean"] == round(sum(nets) / 2, 6)
