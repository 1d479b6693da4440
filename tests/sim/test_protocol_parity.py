"""The same seeded run over ACP 2025-09-29, ACP 2026-04-17 and UCP 2026-01-11 places the same
orders with the same fee lines: every merchant on one protocol at a time, the summary is the
same byte for byte apart from its ``protocols`` block, and the ledger holds the same rows apart
from the ids UCP mints (``ucp_ord_...``, ``ucp_cs_...``) and the protocol columns."""

from __future__ import annotations

import json

import duckdb
import pytest
from rich.console import Console

from agent_checkout.html_report.page import render_report
from agent_checkout.report import print_summary
from agent_checkout.sim.pooled_blocks import pooled_protocols
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import ScenarioError, load_scenario
from merchants.profile import PROTOCOLS

from .test_engine_parity import ledger_rows, sized

DEFAULT = "acp-2025-09-29"


def on_protocol(scenario, protocol: str | None, *, first_only: bool = False):
    """``scenario`` with every merchant (or only the first) on ``protocol``."""
    profiles = scenario.merchant_profiles()
    chosen = [
        p.model_copy(update={"protocol": protocol}) if (i == 0 or not first_only) else p
        for i, p in enumerate(profiles)
    ]
    return scenario.model_copy(update={"merchants": chosen})


def same_ids(value):
    """UCP's ids as ACP's: ``ucp_ord_northwind_0000001`` is ``ord_northwind_0000001``."""
    if isinstance(value, str):
        return value.replace("ucp_ord_", "ord_").replace("ucp_cs_", "cs_")
    return value


def comparable(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Every table's rows with UCP's ids read as ACP's and the orders' protocol columns out."""
    kept = {}
    for table, found in rows.items():
        found = [tuple(same_ids(v) for v in row) for row in found]
        kept[table] = [row[:-2] for row in found] if table == "orders" else found
    return kept


def protocols_of(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT merchant_id, protocol, protocol_version, COUNT(*) FROM orders "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(
    ("name", "engine"),
    [("quickstart", "fast"), ("quickstart", "langgraph"), ("stress", "fast")],
)
def test_every_protocol_places_the_same_orders(name, engine, tmp_path):
    # stress has declines and 3-D Secure challenges; every session shops.
    base = sized(name, 60, every_session_shops=True)
    runs = {}
    for protocol in PROTOCOLS:
        out = tmp_path / protocol
        runs[protocol] = run_scenario(on_protocol(base, protocol), out=out, engine=engine)
    reference = (tmp_path / DEFAULT / "summary.json").read_bytes()
    assert b'"protocols"' not in reference
    rows = comparable(ledger_rows(tmp_path / DEFAULT / "ledger.duckdb"))
    orders = runs[DEFAULT].summary["orders"]
    assert orders > 10 and runs[DEFAULT].summary["outcomes"]["purchased"] == orders
    for protocol in PROTOCOLS[1:]:
        summary = json.loads((tmp_path / protocol / "summary.json").read_bytes())
        block = summary.pop("protocols")
        assert list(block) == [protocol]
        assert block[protocol]["orders"] == orders
        assert block[protocol]["gmv"] == summary["gmv"]
        assert block[protocol]["fees"] == summary["fees"]
        assert json.dumps(summary, indent=2, sort_keys=True) == json.dumps(
            json.loads(reference), indent=2, sort_keys=True
        )
        assert comparable(ledger_rows(tmp_path / protocol / "ledger.duckdb")) == rows
        merchants = sorted(summary["orders_by_merchant"].items())
        family, version = protocol.split("-", 1)
        assert protocols_of(tmp_path / protocol / "ledger.duckdb") == [
            (merchant, family, version, count) for merchant, count in merchants
        ]


def test_a_run_shows_each_merchants_protocol(tmp_path):
    base = on_protocol(
        sized("quickstart", 60, every_session_shops=True), "ucp-2026-01-11", first_only=True
    )
    summary = run_scenario(base, out=tmp_path).summary
    block = summary["protocols"]
    assert sorted(block) == ["acp-2025-09-29", "ucp-2026-01-11"]
    assert block["ucp-2026-01-11"]["merchants"] == ["northwind"]
    assert block["acp-2025-09-29"]["merchants"] == ["juniper"]
    by_merchant = summary["orders_by_merchant"]
    assert block["ucp-2026-01-11"]["orders"] == by_merchant["northwind"]
    assert block["acp-2025-09-29"]["orders"] == by_merchant["juniper"]
    assert sum(b["gmv"] for b in block.values()) == summary["gmv"]
    assert sum(b["fees_total"] for b in block.values()) == summary["fees_total"]
    assert protocols_of(tmp_path / "ledger.duckdb") == [
        ("juniper", "acp", "2025-09-29", by_merchant["juniper"]),
        ("northwind", "ucp", "2026-01-11", by_merchant["northwind"]),
    ]
    console = Console(width=100, record=True)
    print_summary(summary, console)
    printed = console.export_text()
    assert "by checkout protocol (USD)" in printed
    ucp_row = next(line for line in printed.splitlines() if "ucp-2026-01-11" in line)
    assert f"│ northwind │ {block['ucp-2026-01-11']['orders']:>6,} │" in ucp_row
    html = render_report(summary)
    assert "By checkout protocol (USD)" in html
    orders = block["ucp-2026-01-11"]["orders"]
    assert f'data-key="protocols/ucp-2026-01-11/orders" data-value="{orders}"' in html


def test_ucp_refuses_a_merchant_with_promotions():
    with pytest.raises(ScenarioError, match=r"merchants\.0\.protocol: ucp-2026-01-11 does not"):
        load_scenario("singles-day", {"merchants.0.protocol": "ucp-2026-01-11"})


def test_a_default_run_records_acp_2025_and_shows_no_block(tmp_path):
    summary = run_scenario(sized("quickstart", 40, every_session_shops=True), out=tmp_path).summary
    assert "protocols" not in summary
    assert protocols_of(tmp_path / "ledger.duckdb") == [
        (merchant, "acp", "2025-09-29", count)
        for merchant, count in sorted(summary["orders_by_merchant"].items())
    ]


def test_orders_paid_off_the_chat_name_no_protocol(tmp_path):
    scenario = load_scenario(
        "quickstart",
        {
            "arrivals.sessions": 2_000,
            "channels.ai_link_out": 1,
            "merchants.0.protocol": "acp-2026-04-17",  # a profile named by a string, set over
        },
    )
    summary = run_scenario(scenario, out=tmp_path).summary
    con = duckdb.connect(str(tmp_path / "ledger.duckdb"), read_only=True)
    try:
        found = con.execute(
            "SELECT channel, merchant_id, protocol, protocol_version, COUNT(*) FROM orders "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    assert {row[:4] for row in found} == {
        ("ai_in_chat", "juniper", "acp", "2025-09-29"),
        ("ai_in_chat", "northwind", "acp", "2026-04-17"),
        ("ai_link_out", "juniper", None, None),
        ("ai_link_out", "northwind", None, None),
    }
    in_chat = {row[1]: row[4] for row in found if row[0] == "ai_in_chat"}
    block = summary["protocols"]
    assert block["acp-2026-04-17"]["orders"] == in_chat["northwind"]
    assert block["acp-2025-09-29"]["orders"] == in_chat["juniper"]


def test_replications_pool_the_protocols_block():
    def block(orders, gmv, ai, psp):
        return {
            "merchants": ["northwind"],
            "orders": orders,
            "gmv": gmv,
            "aov": gmv // orders,
            "tax": gmv // 10,
            "fees": {"ai_platform": ai, "payment_processor": psp},
            "fees_total": ai + psp,
            "take_rate": round((ai + psp) / gmv, 6),
        }

    summaries = [
        {"protocols": {"ucp-2026-01-11": block(10, 31_827, 1_188, 1_224)}},
        {"protocols": {"ucp-2026-01-11": block(6, 24_330, 908, 885)}},
        {},
    ]
    assert pooled_protocols(summaries) == {
        "protocols": {
            "ucp-2026-01-11": {
                "aov": 3_509,  # 56,157 // 16
                "fees": {"ai_platform": 2_096, "payment_processor": 2_109},
                "fees_total": 4_205,
                "gmv": 56_157,
                "merchants": ["northwind"],
                "orders": 16,
                "take_rate": 0.074879,
                "tax": 3_182 + 2_433,
            }
        }
    }
    assert pooled_protocols([{}, {}]) == {}
