"""``agent-checkout fees``: the list, ``show`` explaining a model, one-line errors with exit 2."""

from __future__ import annotations

import typer
import yaml
from typer.testing import CliRunner

from agent_checkout.commands.fees import fees_app
from agent_checkout.fees import builtin_names
from agent_checkout.fees.explain import describe_component, format_rate
from agent_checkout.fees.library import load_fee_model

app = typer.Typer()
app.add_typer(fees_app, name="fees")  # as the main CLI registers it
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["fees", *args], env={"COLUMNS": "200"})


def test_lists_every_builtin_model_with_payees():
    result = invoke()
    assert result.exit_code == 0, result.output
    for name in builtin_names():
        assert name in result.output
    assert "payment processor" in result.output and "fees show NAME" in result.output


def test_show_explains_each_component():
    result = invoke("show", "etsy-standard")
    assert result.exit_code == 0, result.output
    for text in (
        "listing_renewal",
        "$0.20 per unit",
        "transaction",
        "6.5%",
        "payment_processing",
        "3% + $0.25",
        "order total (items + shipping + tax)",
        "payment processor",
        "every completed order",
    ):
        assert text in result.output, text


def test_show_explains_tiers_categories_and_triggers():
    output = invoke("show", "amazon-referral").output
    assert "category jewelry" in output and "from $250.00: 5%" in output
    assert "minimum per item" in output and "$0.30" in output
    output = invoke("show", "etsy-offsite-ads").output
    assert "within 30 days after a click" in output and "maximum per order  $100.00" in output
    assert "from $10,000.00: 12%" in output
    assert "$0.45 per click" in invoke("show", "sponsored-cpc").output


def test_show_a_users_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "mine",
                "title": "Mine",
                "source": "me",
                "components": [
                    {"name": "surcharge", "payee": "ai_platform", "payer": "buyer", "rate_bps": 150}
                ],
            }
        )
    )
    result = invoke("show", str(path))
    assert result.exit_code == 0 and "1.5%" in result.output and "surcharge" in result.output
    assert "buyer (a surcharge on top of the order)" in result.output


def test_unknown_name_and_bad_file_are_one_line_exit_2(tmp_path):
    result = invoke("show", "nope")
    assert result.exit_code == 2
    assert "unknown fee model 'nope'" in result.output and "Traceback" not in result.output
    result = invoke("show", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "does not exist" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "name": "bad",
                "title": "b",
                "source": "s",
                "components": [{"name": "x", "payee": "ai_platform", "rate_bps": -5}],
            }
        )
    )
    result = invoke("show", str(bad))
    assert result.exit_code == 2 and "components.0.rate_bps" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_rates_are_formatted_without_floats():
    assert [format_rate(b) for b in (0, 20, 225, 290, 400, 1500, 10_000)] == [
        "0%",
        "0.2%",
        "2.25%",
        "2.9%",
        "4%",
        "15%",
        "100%",
    ]
    rows = dict(describe_component(load_fee_model("shopify-basic").components[0]))
    assert rows["charges"] == "2.9% + $0.30"
