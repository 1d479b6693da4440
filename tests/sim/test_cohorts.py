"""Users and cohorts (issue 11): the AI platform's P&L per cohort, to the minor unit, day by day;
the payback day; the same figures from the ledger by the README's query; bad input in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.fees.fx import FxTable
from agent_checkout.ledger.query import run_query
from agent_checkout.ledger.verify import verify_ledger
from agent_checkout.sim.cohorts import CohortBook
from agent_checkout.sim.scenario import ScenarioError, load_scenario
from agent_checkout.sim.streams import RandomStreams
from agent_checkout.sim.users import UsersSpec, plan_visits

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()
FX = FxTable.per_usd({"CNY": "7"}, source="test")
TINY = {
    "name": "tiny-users",
    "seed": 3,
    "currency": "CNY",
    "merchants": [
        {
            "profile": "tmall-like",
            "promotions": [
                {"id": "c3", "kind": "platform_coupon", "amount": 300, "min_spend": 3000}
            ],
        }
    ],
    "users": {
        "new_per_day": 3,
        "horizon_days": 10,
        "acquisition_days": 2,
        "cohort": "day",
        "acquisition_cost": 1000,
        "red_packet": 200,
        "return_curve": {1: 0.6, 9: 0.3},
        "sessions_per_active_day": 1.5,
        "chat_turns_per_active_day": 4,
    },
    "fees": {"ai_platform": ["openai-instant-checkout"]},
}


def line(payee: str, amount: int) -> SimpleNamespace:
    return SimpleNamespace(payee=payee, amount=amount)


def test_a_known_users_days_give_exact_pnl_per_day_and_the_payback_day():
    """One user, back every day: ¥10 to acquire, a ¥2 red packet, 5 chat turns a day at
    1,000 µUSD each (¥0.035) plus a session's 2 steps (¥0.014): ¥0.049 billed a day, 5 fen."""
    spec = UsersSpec(
        new_per_day=1,
        horizon_days=4,
        acquisition_days=1,
        return_curve={1: 1.0},
        acquisition_cost=1000,
        red_packet=200,
        chat_turns_per_active_day=5,
    )
    plan = plan_visits(spec, RandomStreams(1))
    assert [(v.user.id, v.day) for v in plan.visits] == [("u000-0000", d) for d in range(4)]
    book = CohortBook(spec, plan, cost_per_step_micros=1000)
    for session in range(4):
        book.session_inference(session, 2, 2000)
    coupon = SimpleNamespace(discounts=[SimpleNamespace(funder="ai_platform", amount=300)])
    book.ordered(1, coupon, [line("ai_platform", 1500), line("marketplace", 999)])
    book.refunded(1, [line("ai_platform", -100)])  # counts on the day of the visit
    book.clicked(2, [line("ai_platform", 45)])
    book.ordered(3, SimpleNamespace(discounts=[]), [line("ai_platform", 80)])
    summary = book.summary(FX, "cny")
    row = summary["rows"][0]
    assert [(b.day, b.steps, b.usd_micros, b.amount) for b in book.bills(FX, "cny")] == [
        (day, 7, 7000, 5) for day in range(4)
    ]
    # day 0: -1,000 - 200 - 5; day 1: +1,500 - 100 - 300 - 5; day 2: +45 - 5; day 3: +80 - 5
    assert row["cumulative"] == [-1205, -110, -70, 5]
    assert (row["payback_day"], row["payback_after_days"]) == (3, 3)
    assert {k: row[k] for k in ("fees", "coupons", "red_packets", "acquisition", "inference")} == {
        "fees": 1525,
        "coupons": 300,
        "red_packets": 200,
        "acquisition": 1000,
        "inference": 20,
    }
    assert (row["net"], row["sessions"], row["orders"]) == (5, 4, 2)
    assert summary["all"]["cumulative"] == row["cumulative"]


def test_no_payback_within_the_horizon_is_none():
    spec = UsersSpec(
        new_per_day=2, horizon_days=3, acquisition_days=1, return_curve={1: 0.0}, acquisition_cost=1
    )
    book = CohortBook(spec, plan_visits(spec, RandomStreams(2)), cost_per_step_micros=0)
    row = book.summary(FX, "cny")["all"]
    assert (row["cumulative"], row["payback_day"], row["users"]) == ([-2, -2, -2], None, 2)


def test_return_curve_is_linear_between_points_and_flat_outside():
    spec = UsersSpec(new_per_day=1, return_curve={7: 0.2, 1: 0.4})
    assert [spec.returns_on(d) for d in (0, 1, 4, 7, 60)] == pytest.approx([1, 0.4, 0.3, 0.2, 0.2])


def test_visits_come_from_each_users_days():
    """Everyone back every day, two sessions a day: 2 users x 5 days x 2, in time order, the
    first on the joining day after sign-up; nobody back: only the joining day."""
    spec = UsersSpec(
        new_per_day=2,
        horizon_days=5,
        acquisition_days=1,
        return_curve={1: 1.0},
        sessions_per_active_day=2,
    )
    plan = plan_visits(spec, RandomStreams(4))
    assert len(plan.visits) == 20 and len(plan.active_days) == 10
    assert [v.at for v in plan.visits] == sorted(v.at for v in plan.visits)
    for visit in plan.visits:
        assert visit.day * 86_400 <= visit.at < (visit.day + 1) * 86_400
        assert visit.at >= visit.user.joined_at
    assert sum(plan.gaps()) == plan.visits[-1].at
    once = spec.model_copy(update={"return_curve": {1: 0.0}, "sessions_per_active_day": 1.0})
    assert len(plan_visits(once, RandomStreams(4)).visits) == 2


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[dict, Path, str]:
    folder = tmp_path_factory.mktemp("cohorts")
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    summary = json.loads((folder / "out" / "summary.json").read_text())
    return summary, folder / "out", result.output


def test_tiny_run_pnl(tiny_run):
    summary, _, output = tiny_run
    cohorts = summary["cohorts"]
    assert [(r["cohort"], r["users"], r["first_day"]) for r in cohorts["rows"]] == [
        (0, 3, 0),
        (1, 3, 1),
    ]
    everyone = cohorts["all"]
    assert (everyone["acquisition"], everyone["red_packets"]) == (6000, 1200)
    plan = plan_visits(UsersSpec.model_validate(TINY["users"]), RandomStreams(3))
    assert everyone["sessions"] == summary["sessions"] == len(plan.visits) == 57
    assert everyone["orders"] == summary["orders"]
    assert everyone["fees"] == summary["fees"]["ai_platform"]
    assert everyone["coupons"] == summary["discounts"]["by_funder"]["ai_platform"]
    assert (
        everyone["cumulative"][-1]
        == everyone["net"]
        == everyone["fees"]
        - sum(everyone[k] for k in ("coupons", "red_packets", "acquisition", "inference"))
    )
    assert len(everyone["cumulative"]) == 10
    assert "AI platform P&L by cohort over 10 days (CNY)" in output
    # every session a ready buyer (no channels): the second day's sales pay for both cohorts
    first_positive = next(d for d, net in enumerate(everyone["cumulative"]) if net >= 0)
    assert everyone["payback_day"] == first_positive == 1
    assert "payback of all users: day 1 (1 day after joining)" in output


def test_the_readmes_query_reconciles_the_pnl_with_the_ledger(tiny_run):
    summary, out, _ = tiny_run
    assert verify_ledger(out / "ledger.duckdb").ok
    section = README.split("### Subsidies and payback", 1)[1]
    sql = re.search(r'ledger query sp "\n(.*?)"\n```', section, re.S).group(1)
    columns, rows = run_query(out / "ledger.duckdb", sql)
    keys = ("cohort", "fees", "coupons", "red_packets", "acquisition", "inference", "net")
    assert tuple(columns) == keys
    expected = [*summary["cohorts"]["rows"], summary["cohorts"]["all"]]
    assert [tuple(row) for row in rows] == [tuple(r[k] for k in keys) for r in expected]


def test_subsidy_payback_header_cites_rows_that_exist():
    text = (ROOT / "scenarios" / "subsidy-payback.yaml").read_text()
    sources = (ROOT / "docs" / "sources.md").read_text()
    header = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    cited = re.findall(r"row '([^']+)'", " ".join(header.split()))
    assert cited and all(f"| {name} |" in sources for name in cited), cited
    assert load_scenario("subsidy-payback").users.acquisition_cost == 3000


BAD = [
    (
        {"arrivals": {"rate_per_minute": 1, "sessions": 5}},
        ": arrivals: a scenario with users makes its sessions from their visits; "
        "leave arrivals out",
    ),
    (
        {"users": {**TINY["users"], "return_curve": {0: 0.5}}},
        ":23: users.return_curve.0: days count from 1 (the day after joining)",
    ),
    (
        {"users": {**TINY["users"], "return_curve": {3: 1.5}}},
        ":23: users.return_curve.3: a chance is within 0 and 1, not 1.5",
    ),
    (
        {"users": {**TINY["users"], "acquisition_days": 11}},
        ":14: users: acquisition_days: 11 is past horizon_days (10)",
    ),
    (
        {"users": {**TINY["users"], "red_packet": -5}},
        ":21: users.red_packet: Input should be greater than or equal to 0",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_users_block_is_one_line(tmp_path, change, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**TINY, **change}))
    with pytest.raises(ScenarioError) as problem:
        load_scenario(path)
    assert str(problem.value) == f"{path}{message}"  # :line where the YAML has one
